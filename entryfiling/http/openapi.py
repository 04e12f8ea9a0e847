"""What the OpenAPI documents say about errors, in one place, so they tell the truth.

Every error is ``application/problem+json``. Each operation lists the statuses it can answer,
derived from what the operation is (secured, with path ids, writing, with ``If-Match``, calling
WeChat or the registry, rate-limited) rather than repeated on every route; whatever else can
happen to any request (400 malformed body, 405, 413, 415, 500) stays under ``default``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from apispec import BasePlugin

from entryfiling.http.examples import add_examples
from entryfiling.http.operation_docs import describe_operation
from entryfiling.http.value_schemas import value_components

WRITES = frozenset({"post", "put", "patch", "delete"})
# Operations that count attempts per client or per user (handlers.auth.check_rate_limit).
RATE_LIMITED = re.compile(r"/(auth/|login|review/login|public/|invitations/(accept|preview))")
# Operations that call WeChat or the national registry while the caller waits.
CALLS_OUTSIDE = re.compile(r"/(login$|identity/|me/phone|invitations/\{invitation_id\}/wxacode|.*/sync$)")
UPLOADS = re.compile(r"/attachments$")
# Logins: a refused credential is 401 (a challenge is handed to anyone, only counted); WeChat can refuse
# an account as such (its high-risk user, 40226): 403.
LOGINS = re.compile(r"/(auth/login|login)$")
ACCOUNT_REFUSED = re.compile(r"^/miniapp/v1/login$")


def statuses_of(path: str, method: str, operation: dict[str, Any]) -> list[int]:
    """The error statuses an operation documents, as they apply to it."""
    statuses: list[int] = []
    secured = bool(operation.get("security"))
    if secured or LOGINS.search(path):
        statuses.append(401)
    if secured or ACCOUNT_REFUSED.search(path):
        statuses.append(403)
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


class ContractPlugin(BasePlugin):
    """What turns the generated documents into a contract a front-end team builds on.

    - the section-value schemas generated from the declarations (``value_schemas``) as components,
      and a marshmallow schema whose body marshmallow cannot describe (``openapi_schema``) replaced
      by its JSON Schema;
    - each operation's description (``operation_docs``) with what its error statuses mean;
    - each operation's examples, recorded from a real run of the app (``examples.json``): the
      request body, the success answer and its problem+json answers, inlined per operation.
    """

    def __init__(self, titles: Mapping[int, str]) -> None:
        """``titles``: each error status's Chinese title, as the problem responses say it."""
        super().__init__()
        self.titles = titles

    def init_spec(self, spec: Any) -> None:
        self.spec = spec
        for name, schema in value_components().items():
            spec.components.schema(name, component=schema)

    def schema_helper(self, name: str, definition: dict[str, Any], **kwargs: Any) -> dict[str, Any] | None:
        schema = kwargs.get("schema")
        override = getattr(schema, "openapi_schema", None)
        if override is None:
            return None
        definition.clear()  # what marshmallow said is replaced, not merged
        return dict(override)

    def operation_helper(self, path: str | None = None, operations: dict[str, Any] | None = None, **_: Any) -> None:
        for method, operation in (operations or {}).items():
            if isinstance(operation, dict):
                add_examples(path or "", method, operation, self.titles)  # may document a status the run answered
                describe_operation(path or "", method, operation)
