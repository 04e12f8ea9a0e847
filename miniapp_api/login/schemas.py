from marshmallow import Schema, fields, validate


class LoginSchema(Schema):
    code = fields.String(
        required=True,
        validate=validate.Length(min=1, max=128),
        metadata={"description": "wx.login() 返回的临时登录凭证 code（一次性，5 分钟内有效）"},
    )


class LoginUserSchema(Schema):
    id = fields.Integer(required=True)
    new_user = fields.Boolean(required=True, metadata={"description": "首次登录"})
    verified = fields.Boolean(required=True, metadata={"description": "已实名认证"})


class MiniappTokenSchema(Schema):
    access_token = fields.String(metadata={"description": "本系统的小程序登录令牌（不含微信 session_key）"})
    token_type = fields.String()
    expires_in = fields.Integer(metadata={"description": "有效期（秒）"})
    user = fields.Nested(LoginUserSchema, required=True)
