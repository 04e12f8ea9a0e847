from marshmallow import Schema, fields, validate


class ChallengeSchema(Schema):
    nonce = fields.String(metadata={"description": "一次性挑战码：用 CA 锁对其 UTF-8 字节签名"})
    expires_at = fields.String(metadata={"description": "过期时间（ISO 8601）"})


class LoginSchema(Schema):
    certificate = fields.String(
        required=True,
        validate=validate.Length(min=1, max=20000),
        metadata={"description": "企业 CA 证书（PEM，可附带中间证书）"},
    )
    nonce = fields.String(required=True, validate=validate.Length(min=1, max=64))
    signature = fields.String(
        required=True, validate=validate.Length(min=1, max=4096), metadata={"description": "对挑战码的签名（base64）"}
    )


class TokenEnterpriseSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True, metadata={"description": "证书上的企业名称"})
    uscc = fields.String(required=True, metadata={"description": "统一社会信用代码"})
    first_login = fields.Boolean(required=True, metadata={"description": "本企业第一次登录（可引导办理首次信息报送）"})


class TokenSchema(Schema):
    access_token = fields.String()
    token_type = fields.String()
    expires_in = fields.Integer(metadata={"description": "有效期（秒）"})
    enterprise = fields.Nested(TokenEnterpriseSchema, metadata={"description": "登录的企业"})
