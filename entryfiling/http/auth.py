"""Reading the caller of a request, the same way on both APIs: the app's services, the bearer
token of the ``Authorization`` header, the client's address."""

from __future__ import annotations

from typing import cast

from flask import current_app, request

from entryfiling import messages as msg
from entryfiling.domain.errors import AuthenticationFailed
from handlers.services import Services

BEARER_SECURITY: list[dict[str, list[str]]] = [{"bearerAuth": []}]


def services() -> Services:
    return cast(Services, current_app.extensions["entryfiling"])


def bearer_token(missing_message: str) -> str:
    """The token of ``Authorization: Bearer …``; ``missing_message`` says how this API logs in."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationFailed(missing_message, hint=msg.BEARER_HINT)
    return token.strip()


def client_address() -> str:
    """The caller's address; behind a proxy, ProxyFix (configured in create_app) sets remote_addr."""
    return request.remote_addr or "unknown"
