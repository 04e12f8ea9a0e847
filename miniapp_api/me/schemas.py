from marshmallow import Schema, fields, validate

from miniapp_api.invitations.schemas import EmploymentSchema, PreviewEnterpriseSchema


class MeUserSchema(Schema):
    id = fields.Integer(required=True)
    phone = fields.String(allow_none=True, required=True, metadata={"description": "手机号（脱敏）"})
    country_code = fields.String(allow_none=True, required=True, metadata={"description": "国家/地区码"})


class LastAttemptSchema(Schema):
    status = fields.String(required=True, validate=validate.OneOf(["pending", "passed", "failed", "expired"]))
    status_label = fields.String(required=True, metadata={"example": "已通过"})
    provider = fields.String(required=True)
    at = fields.String(required=True)
    result = fields.String(allow_none=True, required=True, metadata={"description": "结果说明（中文）"})


class IdentitySchema(Schema):
    verified = fields.Boolean(required=True)
    name = fields.String(allow_none=True, required=True)
    id_number = fields.String(allow_none=True, required=True, metadata={"description": "身份证号（脱敏）"})
    verified_at = fields.String(allow_none=True, required=True)
    last_attempt = fields.Nested(LastAttemptSchema, metadata={"description": "最近一次认证尝试"})


class MeSchema(Schema):
    user = fields.Nested(MeUserSchema, required=True, metadata={"description": "小程序用户（手机号脱敏）"})
    identity = fields.Nested(
        IdentitySchema, required=True, metadata={"description": "实名认证状态（身份证号脱敏）与最近一次认证尝试"}
    )
    employments = fields.List(
        fields.Nested(EmploymentSchema), required=True, metadata={"description": "聘用关系（含已解除的历史）"}
    )
    may_file_for = fields.List(
        fields.Nested(PreviewEnterpriseSchema),
        required=True,
        metadata={"description": "可代为办理报送的企业（报送联系人）"},
    )


class PhoneCodeSchema(Schema):
    code = fields.String(
        required=True,
        validate=validate.Length(min=1, max=256),
        metadata={"description": "getPhoneNumber 按钮返回的 code（一次性，5 分钟内有效）"},
    )


class PhoneSchema(Schema):
    phone = fields.String(metadata={"description": "手机号（脱敏，不含国家码）", "example": "139****5678"})
    country_code = fields.String(metadata={"description": "国家/地区码（微信 countryCode）", "example": "86"})
