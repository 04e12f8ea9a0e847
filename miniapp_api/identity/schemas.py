from marshmallow import Schema, fields


class StartVerificationSchema(Schema):
    # Typed loosely on purpose: the handler validates and names the field in Chinese.
    name = fields.Raw(required=True, metadata={"description": "身份证上的姓名", "type": "string"})
    id_number = fields.Raw(required=True, metadata={"description": "18 位居民身份证号", "type": "string"})


class VerificationStartedSchema(Schema):
    verify_id = fields.String(required=True, metadata={"description": "传给 wx.requestFacialVerify 的人脸核身会话标识"})
    expires_in = fields.Integer(required=True, metadata={"description": "verify_id 有效期（秒），过期后无法发起核身"})
    provider = fields.String()
    name = fields.String()
    id_number = fields.String(metadata={"description": "身份证号（脱敏）"})


class VerificationResultSchema(Schema):
    verified = fields.Boolean(required=True)
    name = fields.String()
    id_number = fields.String(metadata={"description": "身份证号（脱敏）"})
    verified_at = fields.String()
    provider = fields.String()
