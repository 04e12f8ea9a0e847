"""Both OpenAPI documents are a contract a front-end team can build on: every operation says what it
is for and shows real examples, every example is valid against the schema it is shown with, and no
schema is left untyped."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from openapi_schema_validator import OAS30Validator

DOCUMENTS = ["/openapi.json", "/miniapp/openapi.json"]
METHODS = ("get", "post", "put", "patch", "delete")
# What makes a schema object say what it holds.
TYPING_KEYWORDS = frozenset({"type", "$ref", "oneOf", "anyOf", "allOf", "enum", "not"})
# apispec writes a nullable reference in OpenAPI 3.0 as anyOf [{$ref}, {"type": "object", "nullable": true}]:
# that branch stands for null, not for any object.
NULL_BRANCH = {"type": "object", "nullable": True}


def operations(doc: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield f"{method.upper()} {path}", operation


def _resolved(doc: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        _root, _components, kind, name = node["$ref"].split("/")
        node = doc["components"][kind][name]
    return node


def _validator(doc: dict[str, Any], schema: dict[str, Any]) -> OAS30Validator:
    # The components travel with the schema, so its "#/components/…" references resolve.
    return OAS30Validator({**schema, "components": doc["components"]})


def _errors(doc: dict[str, Any], schema: dict[str, Any], value: Any) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '.'}: {e.message[:200]}"
        for e in _validator(doc, schema).iter_errors(value)
    ]


def media_problems(doc: dict[str, Any], key: str, operation: dict[str, Any], exchange: dict[str, Any]) -> list[str]:
    """Where a recorded request or answer is not what the operation documents."""
    problems = []
    request = exchange.get("request")
    if request:
        content = operation.get("requestBody", {}).get("content", {})
        if request["content_type"] not in content:
            problems.append(f"{key}: request as {request['content_type']} is not documented")
        else:
            problems += [
                f"{key} request: {e}" for e in _errors(doc, content[request["content_type"]]["schema"], request["body"])
            ]
    responses = operation["responses"]
    for status, answer in exchange.get("responses", {}).items():
        documented = responses.get(status) or (responses.get("default") if status[0] in "45" else None)
        if documented is None:
            problems.append(f"{key}: status {status} is not documented")
            continue
        content = _resolved(doc, documented).get("content", {})
        if answer["content_type"] not in content:
            problems.append(f"{key} {status}: answered as {answer['content_type']}, documented {sorted(content)}")
            continue
        media = content[answer["content_type"]]
        if "schema" not in media:
            problems.append(f"{key} {status}: {answer['content_type']} has no schema")
            continue
        problems += [f"{key} {status}: {e}" for e in _errors(doc, media["schema"], answer["body"])]
    return problems


def _untyped(schema: Any, where: str) -> Iterator[str]:
    """Every schema object under ``schema`` that does not say what it holds."""
    if not isinstance(schema, dict):
        return
    if not TYPING_KEYWORDS & set(schema):
        yield f"{where}: no type"
    extra = schema.get("additionalProperties")
    if extra is True or extra == {}:
        yield f"{where}: additionalProperties of any kind"
    if (
        schema.get("type") == "object"
        and schema != NULL_BRANCH
        and "properties" not in schema
        and "additionalProperties" not in schema
    ):
        yield f"{where}: an object of any shape"
    for name, nested in (schema.get("properties") or {}).items():
        yield from _untyped(nested, f"{where}.{name}")
    if isinstance(extra, dict) and extra:
        yield from _untyped(extra, f"{where}{{*}}")
    if "items" in schema:
        yield from _untyped(schema["items"], f"{where}[]")
    for keyword in ("oneOf", "anyOf", "allOf"):
        for index, branch in enumerate(schema.get(keyword, [])):
            if branch != NULL_BRANCH:
                yield from _untyped(branch, f"{where}.{keyword}[{index}]")


def _bodies(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any], Any]]:
    """(operation, where, media type object, its example) for every body an operation documents."""
    for key, operation in operations(doc):
        for media_type, media in operation.get("requestBody", {}).get("content", {}).items():
            yield key, f"request {media_type}", media, media.get("example")
        for status, response in operation["responses"].items():
            for media_type, media in _resolved(doc, response).get("content", {}).items():
                yield key, f"{status} {media_type}", media, media.get("example")


@pytest.mark.parametrize("url", DOCUMENTS)
def test_no_schema_is_left_untyped(client, url):
    doc = client.get(url).json
    found = [f for name, schema in doc["components"]["schemas"].items() for f in _untyped(schema, name)]
    for key, where, media, _example in _bodies(doc):
        if "schema" not in media:
            found.append(f"{key} {where}: no schema")
        found += [f"{key} {f}" for f in _untyped(media.get("schema"), "body")]
    for key, operation in operations(doc):
        for parameter in operation.get("parameters", []):
            found += [f"{key} {f}" for f in _untyped(parameter.get("schema"), parameter.get("name", "?"))]
    assert found == [], "\n".join(found)


def test_the_untyped_check_finds_what_it_looks_for():
    schema = {
        "type": "object",
        "properties": {"free": {}, "map": {"type": "object", "additionalProperties": {}}, "obj": {"type": "object"}},
    }
    assert sorted(_untyped(schema, "S")) == [
        "S.free: no type",
        "S.map: additionalProperties of any kind",
        "S.obj: an object of any shape",
    ]


@pytest.mark.parametrize("url", DOCUMENTS)
def test_every_operation_says_what_it_is_for_and_shows_examples(client, url):
    doc = client.get(url).json
    missing = []
    for key, operation in operations(doc):
        if len(operation.get("description", "")) < 20:
            missing.append(f"{key}: no description")
        for media_type, media in operation.get("requestBody", {}).get("content", {}).items():
            if "example" not in media:
                missing.append(f"{key}: no {media_type} request example")
        statuses = operation["responses"]
        success = [s for s in statuses if str(s).startswith("2") and str(s) != "204"]
        for status in success:
            content = _resolved(doc, statuses[status]).get("content", {})
            if content and not any("example" in media for media in content.values()):
                missing.append(f"{key}: no example of its {status} answer")
        problems = [s for s in statuses if str(s)[0] in "45" or s == "default"]
        shown = [
            s
            for s in problems
            if "example" in _resolved(doc, statuses[s]).get("content", {}).get("application/problem+json", {})
        ]
        if not shown:
            missing.append(f"{key}: no problem+json example")
        if not any(s != "default" for s in shown) and any(s != "default" for s in problems):
            missing.append(f"{key}: only the default error shown, none of {problems}")
    assert missing == [], "\n".join(missing)


@pytest.mark.parametrize("url", DOCUMENTS)
def test_every_example_is_valid_against_its_own_schema(client, url):
    doc = client.get(url).json
    wrong = []
    for key, where, media, example in _bodies(doc):
        if example is not None and "schema" in media:
            wrong += [f"{key} {where}: {e}" for e in _errors(doc, media["schema"], example)]
    assert wrong == [], "\n".join(wrong)


def test_an_example_off_its_schema_is_found(client):
    doc = client.get("/miniapp/openapi.json").json
    schema = {"$ref": "#/components/schemas/Problem"}
    assert _errors(doc, schema, {"status": "four hundred"})
    assert _errors(doc, schema, {"status": 422, "detail": "填写有误"}) == []


def test_error_descriptions_say_what_each_status_means(client):
    doc = client.get("/miniapp/openapi.json").json
    accept = doc["paths"]["/miniapp/v1/invitations/accept"]["post"]["description"]
    assert "403：还没有实名认证" in accept and "429：" in accept
    save = doc["paths"]["/miniapp/v1/enterprises/{enterprise_id}/filings/{filing_id}/sections/{section_key}"]["put"]
    assert "412：" in save["description"] and "报送联系人" in save["description"]
