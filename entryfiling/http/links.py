"""Links in responses, built by the HTTP layer that serves the request, for its own routes.

Read models carry ids, never URLs. A blueprint declares how each kind of link (``rel``) is made
from a read model with ``url_for``; a schema's ``link(rel)`` field asks the blueprint serving the
request. So one schema serves the enterprise API, the mini-program and the regulators, and each
answer links to routes of the API it came from.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, request, url_for
from marshmallow import fields

LinkBuilder = Callable[[Any], str | None]

_BUILDERS: dict[str, dict[str, LinkBuilder]] = {}
# Paths an app has built, at most this many (then forgotten at once and built again).
_MAX_PATHS = 20_000


def register_links(blueprint: str, **builders: LinkBuilder) -> None:
    """How the routes of ``blueprint`` link read models: ``rel=lambda model: url_for(...)``."""
    _BUILDERS.setdefault(blueprint, {}).update(builders)


def url_of(rel: str, model: Any) -> str | None:
    blueprint = request.blueprint or ""
    builder = _BUILDERS.get(blueprint, {}).get(rel)
    if builder is None:
        raise LookupError(f"blueprint {blueprint!r} declares no link {rel!r}")
    return builder(model)


def path_for(endpoint: str, **values: Any) -> str:
    """``url_for(endpoint, **values)`` (a path, not an external URL), remembered per app: an answer
    links each of its filing's attachments, the same links on every answer of that filing, and
    werkzeug built each anew (a map lookup and its converters, ≈ 20 µs a link). The path depends
    only on the app's routes, the request's script root (a proxy's prefix) and the values."""
    paths: dict[tuple[Any, ...], str] = current_app.extensions.setdefault("entryfiling_link_paths", {})
    key = (request.script_root, endpoint, *sorted(values.items()))
    path = paths.get(key)
    if path is None:
        if len(paths) >= _MAX_PATHS:
            paths.clear()
        path = paths[key] = url_for(endpoint, **values)
    return path


def link(rel: str, description: str) -> fields.Function:
    """A URL field made by the serving blueprint's ``rel`` builder (null where it offers none)."""
    return fields.Function(
        lambda model: url_of(rel, model),
        dump_only=True,
        allow_none=True,
        metadata={"type": "string", "description": description, "format": "uri-reference"},
    )


# What a resource returns for flask-smorest to serialise: a read model, the status and headers.
Answer = tuple[Any, int, dict[str, str]]
