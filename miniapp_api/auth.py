"""Who calls the mini-program API: the bearer token issued by ``POST /miniapp/v1/login``."""

from __future__ import annotations

from entryfiling import messages as msg
from entryfiling.http.auth import BEARER_SECURITY, bearer_token, client_address, services
from entryfiling.http.gate import once_per_request
from entryfiling.ops.web import note_actor
from handlers.wechat_users import MiniappUser, authenticate

__all__ = ["BEARER_SECURITY", "client_address", "current_user", "miniapp_token", "services"]


def miniapp_token() -> str:
    return bearer_token(msg.MINIAPP_AUTH_REQUIRED)


def current_user() -> MiniappUser:
    user = once_per_request("miniapp", lambda: authenticate(services(), miniapp_token()))
    note_actor("wechat_user", user.id)
    return user
