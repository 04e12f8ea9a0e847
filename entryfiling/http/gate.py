"""Identify the caller before anything else looks at the request.

flask-smorest parses and validates the body inside the view; without this gate an anonymous
caller, or a caller of the wrong kind, would be told what the body should look like (422) before
being told it may not call at all (401/403). The gate runs as a ``before_request`` hook: an
endpoint whose OpenAPI operation declares bearer security gets its blueprint's authenticator run
first. The OpenAPI declaration is the single statement of "this needs a login", so the
documentation and the enforcement cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar, cast

from flask import Flask, current_app, g, request

_EXTENSION = "entryfiling_gate"
T = TypeVar("T")


def authenticate_before_validation(app: Flask, blueprint_names: Iterable[str], authenticate: Callable[[], Any]) -> None:
    """Endpoints of these blueprints that declare bearer security run ``authenticate`` first."""
    authenticators: dict[str, Callable[[], Any]] | None = app.extensions.get(_EXTENSION)
    if authenticators is None:
        authenticators = app.extensions[_EXTENSION] = {}
        app.before_request(_identify_caller)
    for name in blueprint_names:
        authenticators[name] = authenticate


def _identify_caller() -> None:
    authenticate = current_app.extensions[_EXTENSION].get(request.blueprint or "")
    if authenticate is not None and declares_bearer_security():
        authenticate()


def declares_bearer_security() -> bool:
    """Whether the endpoint being called declares bearer security in its OpenAPI operation."""
    view = current_app.view_functions.get(request.endpoint or "")
    handler = getattr(getattr(view, "view_class", None), request.method.lower(), None) or view
    if request.method == "HEAD" and handler is view:
        handler = getattr(getattr(view, "view_class", None), "get", None) or view
    apidoc = getattr(handler, "_apidoc", {}) or {}
    return bool(apidoc.get("manual_doc", {}).get("security"))


def once_per_request(key: str, authenticate: Callable[[], T]) -> T:
    """The caller, identified once per request (by the gate, then reused by the resource)."""
    cache: dict[str, Any] = g.setdefault("authenticated", {})
    if key not in cache:
        cache[key] = authenticate()
    return cast(T, cache[key])
