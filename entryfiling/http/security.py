"""Request-wide security plumbing for both APIs: where a request comes from, and auditing denials.

Every audit row carries the client's address (ProxyFix resolves it when TRUSTED_PROXY_HOPS says
proxies of ours are in front). Every request refused for want of a valid login or of permission
(401/403 on an endpoint that requires login) leaves an audit row with result ``denied``; failed
logins are audited by the login use cases themselves (with the identity they claimed).
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, g, request
from sqlalchemy.exc import SQLAlchemyError

from entryfiling.db.uow import SOURCE_ADDRESS
from entryfiling.http.auth import client_address, services
from entryfiling.http.gate import declares_bearer_security
from handlers import tokens
from handlers.services import Actor

log = logging.getLogger(__name__)

ANONYMOUS = Actor("anonymous", "anonymous", "")


def register_request_security(app: Flask) -> None:
    app.before_request(_remember_source)
    app.after_request(_audit_denial)
    app.teardown_request(_forget_source)


def _remember_source() -> None:
    SOURCE_ADDRESS.set(client_address()[:64])


def _forget_source(_error: BaseException | None) -> None:
    """Work done later on this thread (a job in-process, a command) is not this request's."""
    SOURCE_ADDRESS.set(None)


def _audit_denial(response: Response) -> Response:
    if response.status_code not in (401, 403) or not declares_bearer_security():
        return response
    svc = services()
    known: Any = next(iter(g.get("authenticated", {}).values()), None)
    actor = known.actor() if known is not None and hasattr(known, "actor") else known
    if not isinstance(actor, Actor):
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        claimed = tokens.claimed_identity(svc, token.strip()) if scheme.lower() == "bearer" and token else None
        actor = Actor(claimed[0], claimed[1], "") if claimed else ANONYMOUS
    body = response.get_json(silent=True) or {}
    try:
        with svc.uow() as uow:
            uow.audit(
                actor,
                "access_denied",
                f"{request.method} {request.path}"[:64],
                svc.now(),
                {"status": response.status_code, "code": body.get("code"), "detail": body.get("detail")},
                result="denied",
            )
            uow.commit()
    except SQLAlchemyError:  # the refusal stands even when its audit row cannot be written
        log.exception("could not audit a denied request")
    return response
