from marshmallow import Schema, fields, validate

from entryfiling.http.pagination import PageArgsSchema, page_schema


class CreateInvitationSchema(Schema):
    role = fields.String(
        required=True,
        metadata={"description": "employee 员工；filing_contact 报送联系人（可在小程序为企业办理报送）"},
    )
    note = fields.String(
        load_default=None, validate=validate.Length(max=100), metadata={"description": "备注，如受邀人姓名"}
    )
    ttl_hours = fields.Integer(
        load_default=None,
        validate=validate.Range(min=1, max=720),
        metadata={"description": "有效期（小时），默认 72"},
    )


class InvitationSchema(Schema):
    id = fields.Integer()
    role = fields.String()
    role_label = fields.String()
    code = fields.String(metadata={"description": "邀请码（一次性）"})
    qr_payload = fields.String(
        metadata={"description": "二维码内容：小程序扫码后提交给 /miniapp/v1/invitations/accept"}
    )
    note = fields.String(allow_none=True)
    status = fields.String(metadata={"description": "pending / accepted / expired / revoked"})
    created_at = fields.String()
    expires_at = fields.String()
    accepted_at = fields.String(allow_none=True)
    employment_id = fields.Integer(allow_none=True)


InvitationPageSchema = page_schema(InvitationSchema, "InvitationPage")


class EmploymentArgsSchema(PageArgsSchema):
    current = fields.Boolean(
        load_default=None, metadata={"description": "true 仅当前；false 仅已解除；不传为全部（历史）"}
    )


class EmployedPersonSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    id_number = fields.String(required=True, metadata={"description": "身份证号（脱敏）"})
    verified = fields.Boolean(required=True, metadata={"description": "是否已实名认证"})


class EmployerSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    uscc = fields.String(required=True)


class EmploymentSchema(Schema):
    id = fields.Integer()
    role = fields.String()
    role_label = fields.String()
    current = fields.Boolean()
    started_at = fields.String()
    ended_at = fields.String(allow_none=True)
    ended_by = fields.String(allow_none=True)
    person = fields.Nested(EmployedPersonSchema, metadata={"description": "人员（身份证号脱敏）"})
    enterprise = fields.Nested(EmployerSchema, metadata={"description": "企业"})


EmploymentPageSchema = page_schema(EmploymentSchema, "EmploymentPage")
