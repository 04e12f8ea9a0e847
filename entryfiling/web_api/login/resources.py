"""CA-certificate login (the seed's "CA 锁"): challenge, then a signed challenge."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from entryfiling.web_api.auth import BEARER_SECURITY, client_address, current_enterprise, enterprise_token, services
from entryfiling.web_api.login.schemas import ChallengeSchema, LoginSchema, TokenSchema
from handlers import auth, tokens

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="企业 CA 证书登录")


@blp.route("/challenge")
class ChallengeResource(MethodView):
    @blp.response(201, ChallengeSchema)
    def post(self) -> dict[str, Any]:
        """获取登录挑战码（一次性，短时有效）"""
        svc = services()
        auth.check_rate_limit(svc, f"challenge:{client_address()}", svc.settings.login_attempts_per_minute * 2)
        challenge = auth.issue_challenge(svc)
        return {"nonce": challenge.nonce, "expires_at": challenge.expires_at.isoformat()}


@blp.route("/login")
class LoginResource(MethodView):
    @blp.arguments(LoginSchema)
    @blp.response(200, TokenSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """用 CA 证书对挑战码的签名登录，返回 Bearer 令牌"""
        result = auth.login(services(), body["certificate"], body["nonce"], body["signature"], client_address())
        return {
            "access_token": result.token,
            "token_type": "Bearer",
            "expires_in": result.expires_in,
            "enterprise": {
                "id": result.enterprise_id,
                "name": result.enterprise_name,
                "uscc": result.uscc,
                "first_login": result.first_login,
            },
        }


@blp.route("/logout")
class LogoutResource(MethodView):
    @blp.doc(security=BEARER_SECURITY)
    @blp.response(204)
    def post(self) -> None:
        """退出登录：本令牌立即失效"""
        tokens.logout(services(), tokens.ENTERPRISE, enterprise_token(), current_enterprise())
