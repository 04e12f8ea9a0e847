"""What the OpenAPI documents say about errors, in one place, so they tell the truth.

Every error is ``application/problem+json``. Each operation lists the statuses it can answer,
derived from what the operation is (secured, with path ids, writing, with ``If-Match``, calling
WeChat or the registry, rate-limited) rather than repeated on every route; whatever else can
happen to any request (400 malformed body, 405, 413, 415, 500) stays under ``default``.
"""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Any

from apispec import BasePlugin

WRITES = frozenset({"post", "put", "patch", "delete"})
# Operations that count attempts per client or per user (handlers.auth.check_rate_limit).
RATE_LIMITED = re.compile(r"/(auth/|login|review/login|public/|invitations/(accept|preview))")
# Operations that call WeChat or the national registry while the caller waits.
CALLS_OUTSIDE = re.compile(r"/(login$|identity/|me/phone|invitations/\{invitation_id\}/wxacode|.*/sync$)")
UPLOADS = re.compile(r"/attachments$")
# Logins: a refused credential is 401, a refused account (e.g. WeChat's high-risk user) 403.
LOGINS = re.compile(r"/(auth/\w+|login)$")


def statuses_of(path: str, method: str, operation: dict[str, Any]) -> list[int]:
    """The error statuses an operation documents, as they apply to it."""
    statuses: list[int] = []
    secured = bool(operation.get("security"))
    if secured or LOGINS.search(path):
        statuses += [401, 403]
    if "{" in path:
        statuses.append(404)
    if method in WRITES and secured:
        statuses.append(409)
    headers = {p.get("name") for p in operation.get("parameters", []) if isinstance(p, dict)}
    if "If-Match" in headers:
        statuses += [412, 428]
    if UPLOADS.search(path) and method == "post":
        statuses.append(413)
    if operation.get("requestBody") or any(
        isinstance(p, dict) and p.get("in") == "query" for p in operation.get("parameters", [])
    ):
        statuses.append(422)
    if RATE_LIMITED.search(path):
        statuses.append(429)
    if CALLS_OUTSIDE.search(path):
        statuses += [502, 503]
    return sorted(set(statuses))


class ProblemResponsesPlugin(BasePlugin):
    """Adds each operation's error statuses as references to the problem+json responses."""

    def operation_helper(self, path: str | None = None, operations: dict[str, Any] | None = None, **_: Any) -> None:
        for method, operation in (operations or {}).items():
            if not isinstance(operation, dict):
                continue
            responses = operation.setdefault("responses", {})
            for status in statuses_of(path or "", method, operation):
                responses.setdefault(str(status), HTTPStatus(status).name)
