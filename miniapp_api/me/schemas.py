from marshmallow import Schema, fields, validate


class MeSchema(Schema):
    user = fields.Dict(metadata={"description": "小程序用户（手机号脱敏）"})
    identity = fields.Dict(metadata={"description": "实名认证状态（身份证号脱敏）与最近一次认证尝试"})
    employments = fields.List(fields.Dict(), metadata={"description": "聘用关系（含已解除的历史）"})
    may_file_for = fields.List(fields.Dict(), metadata={"description": "可代为办理报送的企业（报送联系人）"})


class PhoneCodeSchema(Schema):
    code = fields.String(
        required=True,
        validate=validate.Length(min=1, max=256),
        metadata={"description": "getPhoneNumber 按钮返回的 code（一次性，5 分钟内有效）"},
    )


class PhoneSchema(Schema):
    phone = fields.String(metadata={"description": "手机号（脱敏，不含国家码）", "example": "139****5678"})
    country_code = fields.String(metadata={"description": "国家/地区码（微信 countryCode）", "example": "86"})
