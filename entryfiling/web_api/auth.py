"""Who calls the enterprise API: the bearer token of an enterprise logged in with its CA certificate."""

from __future__ import annotations

from entryfiling import messages as msg
from entryfiling.http.auth import BEARER_SECURITY, bearer_token, client_address, services
from entryfiling.http.gate import once_per_request
from entryfiling.ops.web import note_actor
from handlers.auth import authenticate_enterprise
from handlers.services import Actor

__all__ = ["BEARER_SECURITY", "client_address", "current_enterprise", "enterprise_token", "services"]


def enterprise_token() -> str:
    return bearer_token(msg.AUTH_REQUIRED)


def current_enterprise() -> Actor:
    actor = once_per_request("enterprise", lambda: authenticate_enterprise(services(), enterprise_token()))
    note_actor("enterprise", actor.enterprise_id)
    return actor
