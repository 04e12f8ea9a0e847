"""Who calls the mini-program API: the bearer token issued by ``POST /miniapp/v1/login``."""

from __future__ import annotations

from entryfiling import messages as msg
from entryfiling.http.auth import BEARER_SECURITY, bearer_token, client_address, services
from entryfiling.ops.web import note_actor
from handlers.wechat_users import MiniappUser, authenticate

__all__ = ["BEARER_SECURITY", "client_address", "current_user", "services"]


def current_user() -> MiniappUser:
    user = authenticate(services(), bearer_token(msg.MINIAPP_AUTH_REQUIRED))
    note_actor("wechat_user", user.id)
    return user
