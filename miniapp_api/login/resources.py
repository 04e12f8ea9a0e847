"""WeChat login: the mini-program's wx.login() code for our own token."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from entryfiling.http.filings.rendering import json_response
from handlers import tokens, wechat_users
from miniapp_api.auth import BEARER_SECURITY, client_address, current_user, miniapp_token, services
from miniapp_api.login.schemas import LoginSchema, MiniappTokenSchema

blp = Blueprint("miniapp_login", __name__, url_prefix="/miniapp/v1", description="微信登录")


# One instance: given the class, webargs builds a new schema (its fields deep-copied) on every request.
LOGIN_ARGUMENTS = LoginSchema()


def login_body(result: wechat_users.MiniappLogin) -> dict[str, Any]:
    """The answer as ``MiniappTokenSchema().dump`` writes it, rendered by hand: every login paid for
    the schema's dump of these five values. The schema stays the documentation (the route keeps
    ``@blp.response(200, MiniappTokenSchema)``); ``tests/miniapp/test_login_rendering.py`` compares
    the two for every login the mini-program tests make."""
    return {
        "access_token": result.token,
        "token_type": "Bearer",
        "expires_in": result.expires_in,
        "user": {"id": result.user_id, "new_user": result.new_user, "verified": result.verified},
    }


@blp.route("/login")
class LoginResource(MethodView):
    @blp.arguments(LOGIN_ARGUMENTS)
    @blp.response(200, MiniappTokenSchema)
    def post(self, body: dict[str, Any]) -> Response:
        """用 wx.login() 的 code 登录（服务器调用 code2session；session_key 只保存在服务器）"""
        result = wechat_users.login(services(), body["code"], client_address())
        return json_response(login_body(result))


@blp.route("/logout")
class LogoutResource(MethodView):
    @blp.doc(security=BEARER_SECURITY)
    @blp.response(204)
    def post(self) -> None:
        """退出登录：本令牌立即失效"""
        user = current_user()
        tokens.logout(services(), tokens.MINIAPP, miniapp_token(), user.actor())
