"""Answers that are the same for everyone, encoded once and kept briefly.

Static ones (the business catalogue) are built and encoded once per process. Public ones (the
register) are kept ``PUBLIC_CACHE_SECONDS`` in the shared cache, so a crowd asking the same thing at
the deadline costs one query; an approval shows in the register at the latest that much later.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Response, current_app, request
from marshmallow import Schema
from werkzeug.http import parse_accept_header, parse_etags

from handlers.services import Services

JSON = "application/json"


def encoded(schema: Schema, data: Any) -> bytes:
    """The body flask-smorest would send for ``data`` (same schema, same JSON provider)."""
    return current_app.json.dumps(schema.dump(data)).encode()


def json_response(body: bytes, max_age: int) -> Response:
    """A JSON answer with an ETag; a matching If-None-Match gets 304 without a body."""
    response = Response(body, mimetype=JSON)
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    response.make_conditional(request)  # sets 304 and drops the body in place
    return response


@dataclass(frozen=True)
class StaticAnswer:
    """A JSON answer that never changes while the process runs, with everything a request needs
    worked out once: the body, its gzip form and its ETag. The catalogue is 51 KB of JSON that
    compresses to a tenth, and phones on a mobile network ask for it on every start."""

    body: bytes
    gzipped: bytes
    etag: str

    @classmethod
    def of(cls, body: bytes) -> StaticAnswer:
        return cls(body, gzip.compress(body, compresslevel=9, mtime=0), hashlib.sha256(body).hexdigest()[:32])


#: Path → (its route template, for metrics; its answer): what ops.web.StaticAnswers serves.
StaticRoutes = dict[str, tuple[str, Callable[[], StaticAnswer]]]


def static_reply(
    answer: StaticAnswer, max_age: int, if_none_match: str | None, accept_encoding: str | None
) -> tuple[int, bytes, list[tuple[str, str]]]:
    """Status, body and headers of ``answer`` for a request with these headers: 304 when the client
    has it (If-None-Match, weak comparison), the gzip form when it accepts that, else the body."""
    headers = [
        ("Content-Type", JSON),
        ("ETag", f'"{answer.etag}"'),
        ("Cache-Control", f"public, max-age={max_age}"),
        ("Vary", "Accept-Encoding"),
    ]
    if parse_etags(if_none_match).contains_weak(answer.etag):
        return 304, b"", headers
    if parse_accept_header(accept_encoding)["gzip"] > 0:
        return 200, answer.gzipped, [*headers, ("Content-Encoding", "gzip")]
    return 200, answer.body, headers


def static_response(answer: StaticAnswer, max_age: int) -> Response:
    """``answer`` as the app's own route sends it (see ``static_reply``)."""
    status, body, headers = static_reply(
        answer, max_age, request.headers.get("If-None-Match"), request.headers.get("Accept-Encoding")
    )
    return Response(body, status=status, headers=headers)


def cache_key(prefix: str, args: dict[str, Any], *extra: Any) -> str:
    material = json.dumps([args, *extra], sort_keys=True, default=str, ensure_ascii=False)
    return f"{prefix}:{hashlib.sha256(material.encode()).hexdigest()}"


def cached_public(services: Services, key: str, build: Callable[[], bytes]) -> Response:
    """The encoded answer under ``key`` from the shared cache, built and stored when missing."""
    seconds = services.settings.public_cache_seconds
    if seconds <= 0:
        return json_response(build(), 0)
    cache = services.cache()
    body = cache.get(key)
    if not isinstance(body, bytes):
        body = build()
        cache.set(key, body, timeout=seconds)
    return json_response(body, seconds)
