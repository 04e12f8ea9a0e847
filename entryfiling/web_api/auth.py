"""Who is calling: the bearer token of an enterprise logged in with its CA certificate."""

from __future__ import annotations

from flask import current_app, request

from entryfiling import messages as msg
from entryfiling.domain.errors import AuthenticationFailed
from handlers.auth import authenticate_enterprise
from handlers.services import Actor, Services

BEARER_SECURITY = [{"bearerAuth": []}]


def services() -> Services:
    return current_app.extensions["entryfiling"]


def bearer_token() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationFailed(msg.AUTH_REQUIRED, hint=msg.BEARER_HINT)
    return token.strip()


def current_enterprise() -> Actor:
    return authenticate_enterprise(services(), bearer_token())


def client_address() -> str:
    """The caller's address; behind a proxy, ProxyFix (configured in create_app) sets remote_addr."""
    return request.remote_addr or "unknown"
