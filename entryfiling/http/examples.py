"""The examples of both OpenAPI documents: real requests and answers, kept as data.

``examples.json`` is written by a real run of the app (``tests/contract/test_examples.py`` with
``UPDATE_CONTRACT_EXAMPLES=1``: a journey through every operation of both APIs, recorded at the
HTTP boundary); the documents show them, and a test validates each one against the schema it is
shown with, so an example cannot drift from the contract.

Shape: ``{"METHOD /path/{param}": {"request": {"content_type", "body"} | null,
"responses": {"<status>": {"content_type", "body"}}}}``.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from http import HTTPStatus
from pathlib import Path
from typing import Any

EXAMPLES_FILE = Path(__file__).with_name("examples.json")
PROBLEM_JSON = "application/problem+json"
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


@functools.cache
def recorded() -> dict[str, Any]:
    if not EXAMPLES_FILE.exists():
        return {}
    loaded: dict[str, Any] = json.loads(EXAMPLES_FILE.read_text(encoding="utf-8"))
    return loaded


def operation_key(path: str, method: str) -> str:
    return f"{method.upper()} {path}"


def add_examples(path: str, method: str, operation: dict[str, Any], titles: Mapping[int, str]) -> None:
    """Inline the operation's recorded examples: request body, success answer, problem answers."""
    exchange = recorded().get(operation_key(path, method))
    if not exchange:
        return
    request = exchange.get("request")
    body = operation.get("requestBody")
    if request and isinstance(body, dict):
        media = body.get("content", {}).get(request["content_type"])
        if isinstance(media, dict):
            media["example"] = request["body"]
    responses = operation.setdefault("responses", {})
    for status, answer in exchange.get("responses", {}).items():
        # flask-smorest keys its own statuses by int, the problem plugin by str: one key per status.
        documented_key = next((key for key in responses if str(key) == status), None)
        documented = responses.pop(documented_key) if documented_key is not None else None
        if status.startswith(("4", "5")) or status == "default":
            responses[status] = _problem_response(status, documented, answer, titles)
            continue
        if documented is None:
            continue
        responses[status] = documented
        media = documented.get("content", {}).get(answer["content_type"]) if isinstance(documented, dict) else None
        if isinstance(media, dict):
            media["example"] = answer["body"]


def _problem_response(
    status: str, documented: Any, answer: dict[str, Any], titles: Mapping[int, str]
) -> dict[str, Any]:
    """An error status as an inline response (a ``$ref`` cannot carry examples) with its real answer."""
    if status == "default":
        description = "其他错误（如请求格式有误、方法不支持、内容过大）"
    elif isinstance(documented, dict) and documented.get("description"):
        description = documented["description"]
    else:
        description = titles.get(int(status), HTTPStatus(int(status)).phrase)
    return {"description": description, "content": {PROBLEM_JSON: {"schema": PROBLEM_REF, "example": answer["body"]}}}
