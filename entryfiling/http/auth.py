"""Reading the caller of a request, the same way on both APIs: the app's services, the bearer
token of the ``Authorization`` header, the client's address."""

from __future__ import annotations

from typing import cast

from flask import Flask, Request, current_app, request
from flask.sessions import SessionInterface, SessionMixin

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


class NoCookieSessions(SessionInterface):
    """Both APIs identify callers by bearer token only; nothing is ever kept in Flask's signed cookie
    session. Flask would still open one on every request (a signing serializer built, the cookies
    parsed): a tenth of an empty request's cost. Here every request gets Flask's null session, which
    refuses to be written to, so a cookie session cannot creep in unnoticed either."""

    def open_session(self, app: Flask, request: Request) -> SessionMixin | None:
        return None

    def save_session(self, app: Flask, session: SessionMixin, response: object) -> None:
        return None
