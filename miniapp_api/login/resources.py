"""WeChat login: the mini-program's wx.login() code for our own token."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from handlers import wechat_users
from handlers.auth import check_rate_limit
from miniapp_api.auth import client_address, services
from miniapp_api.login.schemas import LoginSchema, MiniappTokenSchema

blp = Blueprint("miniapp_login", __name__, url_prefix="/miniapp/v1", description="微信登录")


@blp.route("/login")
class LoginResource(MethodView):
    @blp.arguments(LoginSchema)
    @blp.response(200, MiniappTokenSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """用 wx.login() 的 code 登录（服务器调用 code2session；session_key 只保存在服务器）"""
        svc = services()
        check_rate_limit(svc, f"miniapp-login:{client_address()}", svc.settings.login_attempts_per_minute)
        result = wechat_users.login(svc, body["code"])
        return {
            "access_token": result.token,
            "token_type": "Bearer",
            "expires_in": result.expires_in,
            "user": {"id": result.user_id, "new_user": result.new_user, "verified": result.verified},
        }
