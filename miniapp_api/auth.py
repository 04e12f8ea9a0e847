"""Who calls the mini-program API: the bearer token issued by ``POST /miniapp/v1/login``."""

from __future__ import annotations

from flask import current_app, request

from entryfiling import messages as msg
from entryfiling.domain.errors import AuthenticationFailed
from handlers.services import Services
from handlers.wechat_users import MiniappUser, authenticate

BEARER_SECURITY = [{"bearerAuth": []}]


def services() -> Services:
    return current_app.extensions["entryfiling"]


def current_user() -> MiniappUser:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationFailed(msg.MINIAPP_AUTH_REQUIRED, hint=msg.BEARER_HINT)
    return authenticate(services(), token.strip())
