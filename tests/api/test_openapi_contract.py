"""The OpenAPI documents tell the truth: valid OpenAPI 3, errors as problem+json with each
operation's statuses, the upload as one multipart body, the form declarations in both."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate

DOCUMENTS = ["/openapi.json", "/miniapp/openapi.json"]


def _operations(doc):
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "delete", "patch"):
                yield path, method, operation


def _response(doc, response):
    if "$ref" in response:
        return doc["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    return response


@pytest.mark.parametrize("url", DOCUMENTS)
def test_each_document_is_valid_openapi(client, url):
    validate(client.get(url).json)


@pytest.mark.parametrize("url", DOCUMENTS)
def test_every_error_is_documented_as_problem_json(client, url):
    doc = client.get(url).json
    wrong = []
    for path, method, operation in _operations(doc):
        for status, response in operation["responses"].items():
            if status == "default" or status.startswith(("4", "5")):
                content = _response(doc, response).get("content", {})
                if list(content) != ["application/problem+json"]:
                    wrong.append((method, path, status, list(content)))
        assert "default" in operation["responses"], (method, path)
    assert wrong == []


def test_statuses_follow_what_an_operation_does(client):
    doc = client.get("/miniapp/openapi.json").json
    paths = doc["paths"]
    accept = paths["/miniapp/v1/invitations/accept"]["post"]["responses"]
    assert {"401", "403", "409", "422", "429"} <= set(accept)
    save = paths["/miniapp/v1/enterprises/{enterprise_id}/filings/{filing_id}/sections/{section_key}"]["put"]
    assert {"401", "403", "404", "409", "412", "422", "428"} <= set(save["responses"])
    login = paths["/miniapp/v1/login"]["post"]["responses"]
    assert {"401", "403", "422", "429", "502", "503"} <= set(login)
    assert "404" not in paths["/miniapp/v1/me"]["get"]["responses"]


@pytest.mark.parametrize("url", DOCUMENTS)
def test_the_upload_is_one_multipart_request_body(client, url):
    doc = client.get(url).json
    [upload] = [op for path, method, op in _operations(doc) if path.endswith("/attachments") and method == "post"]
    assert "parameters" not in upload or all(p["in"] != "formData" for p in upload["parameters"])
    body = upload["requestBody"]["content"]["multipart/form-data"]["schema"]
    schema = doc["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]] if "$ref" in body else body
    assert set(schema["required"]) == {"kind", "file"}
    assert schema["properties"]["file"] == {
        "type": "string",
        "format": "binary",
        "description": "文件内容（按内容判断类型）",
    }


def test_the_mini_program_document_has_the_form_declarations(client):
    doc = client.get("/miniapp/openapi.json").json
    assert "/api/v1/businesses" in doc["paths"] and "/api/v1/businesses/{key}" in doc["paths"]
    business = doc["components"]["schemas"]["Business"]["properties"]
    assert "first_filing" in business["key"]["enum"]
    assert client.get("/api/v1/businesses/first_filing").json["sections"][0]["fields"]


def test_a_wrong_method_answers_405_with_allow(client):
    response = client.delete("/miniapp/v1/login")
    assert response.status_code == 405 and response.mimetype == "application/problem+json"
    assert response.headers["Allow"] == "OPTIONS, POST"
