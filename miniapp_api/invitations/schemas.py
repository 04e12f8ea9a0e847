from marshmallow import Schema, fields, validate


class AcceptSchema(Schema):
    code = fields.String(
        required=True,
        validate=validate.Length(min=1, max=64),
        metadata={"description": "企业提供的邀请码，扫描二维码得到的内容，或小程序码的 scene", "example": "K7MP2QXR"},
    )
    confirm_role_change = fields.Boolean(
        load_default=False,
        metadata={
            "description": "本人已确认：接受后将失去现有角色的部分权限（预览中 needs_confirmation 为 true 时须为 true）"
        },
    )


class PreviewArgsSchema(Schema):
    code = fields.String(
        required=True,
        validate=validate.Length(min=1, max=64),
        metadata={"description": "邀请码、二维码内容或小程序码的 scene", "example": "K7MP2QXR"},
    )


class PreviewEnterpriseSchema(Schema):
    id = fields.Integer()
    name = fields.String(metadata={"example": "安徽德拓建设工程有限公司"})
    uscc = fields.String(metadata={"description": "统一社会信用代码", "example": "91340100MA2N0DT108"})


class InvitationPreviewSchema(Schema):
    code = fields.String()
    enterprise = fields.Nested(PreviewEnterpriseSchema)
    role = fields.String(validate=validate.OneOf(["employee", "filing_contact"]))
    role_label = fields.String(metadata={"example": "员工"})
    expires_at = fields.String()
    current_role = fields.String(allow_none=True, validate=validate.OneOf(["employee", "filing_contact"]))
    current_role_label = fields.String(allow_none=True)
    effect = fields.String(metadata={"description": "接受后会发生什么（给本人看）"})
    needs_confirmation = fields.Boolean(metadata={"description": "接受会失去现有角色的权限，须本人确认"})
    can_accept = fields.Boolean()
    blocked_by = fields.String(allow_none=True, metadata={"description": "不能接受的原因（如尚未实名认证）"})


class ReplacedRoleSchema(Schema):
    id = fields.Integer()
    role = fields.String()
    role_label = fields.String()


class EmploymentPersonSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    id_number = fields.String(required=True, metadata={"description": "身份证号（脱敏）"})
    verified = fields.Boolean(required=True)


class EmploymentSchema(Schema):
    id = fields.Integer()
    role = fields.String(metadata={"description": "employee 员工 / filing_contact 报送联系人"})
    role_label = fields.String()
    current = fields.Boolean(metadata={"description": "是否为当前有效的聘用关系"})
    started_at = fields.String()
    ended_at = fields.String(allow_none=True)
    ended_by = fields.String(allow_none=True)
    person = fields.Nested(EmploymentPersonSchema, metadata={"description": "（企业查看时）人员"})
    enterprise = fields.Nested(PreviewEnterpriseSchema, metadata={"description": "（本人查看时）企业"})
    replaced = fields.Nested(
        ReplacedRoleSchema, allow_none=True, metadata={"description": "因接受本邀请而结束的原角色（没有则为 null）"}
    )
