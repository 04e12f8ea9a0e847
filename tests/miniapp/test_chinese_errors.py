"""Every error a user can meet is Chinese, framework messages too, on both APIs.

Bad JSON, wrong types, missing fields, unknown routes, wrong methods and oversize bodies are
sent to the enterprise API and to the mini-program API; every answer must be a problem+json
whose texts are Chinese, with no English sentence left from flask, werkzeug, webargs or
marshmallow.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

# A run of English words: what a framework's default message looks like ("Invalid JSON body.").
ENGLISH_SENTENCE = re.compile(r"[A-Za-z]{2,}(?:[ ,'-]+[A-Za-z]{2,}){2,}")
CJK = re.compile(r"[\u4e00-\u9fff]")
# Members of a problem that are identifiers, not text for people.
NOT_TEXT = {"type", "code", "status"}


def texts(value: Any, key: str = "") -> Iterator[tuple[str, str]]:
    """Every (path, text) of a problem body meant for people."""
    if isinstance(value, dict):
        for name, inner in value.items():
            if not key and name in NOT_TEXT:
                continue
            yield from texts(inner, f"{key}.{name}" if key else str(name))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from texts(inner, f"{key}[{index}]")
    elif isinstance(value, str):
        yield key, value


def assert_chinese_problem(response: Any, status: int | tuple[int, ...]) -> dict[str, Any]:
    expected = status if isinstance(status, tuple) else (status,)
    assert response.status_code in expected, (response.status_code, response.get_data(as_text=True)[:300])
    assert response.mimetype == "application/problem+json", response.get_data(as_text=True)[:300]
    body = response.get_json()
    assert CJK.search(body["detail"]), body
    assert CJK.search(body["title"]), body
    for path, text in texts(body):
        # Option values and field names may be ASCII inside a Chinese text; an ASCII-only sentence may not.
        assert CJK.search(text) or not ENGLISH_SENTENCE.search(text), f"{path}: {text!r} in {body}"
    return body


@pytest.fixture
def both(login_enterprise, miniapp_login):
    """A logged-in enterprise and mini-program user, with the base of each API's filing routes."""
    enterprise = login_enterprise()
    user = miniapp_login("o-errors")
    return {"enterprise": enterprise, "miniapp": user}


PUBLIC_BAD_INPUT = [
    # (method, url, kwargs, status)
    ("post", "/api/v1/auth/login", {"data": "{not json", "content_type": "application/json"}, 400),
    ("post", "/miniapp/v1/login", {"data": "{not json", "content_type": "application/json"}, 400),
    ("post", "/api/v1/auth/login", {"data": "[1, 2", "content_type": "application/json"}, 400),
    ("post", "/api/v1/auth/login", {"json": {}}, 422),
    ("post", "/miniapp/v1/login", {"json": {}}, 422),
    ("post", "/api/v1/auth/login", {"json": {"certificate": 5, "nonce": [], "signature": {}}}, 422),
    ("post", "/miniapp/v1/login", {"json": {"code": 12}}, 422),
    ("post", "/miniapp/v1/login", {"json": ["code"]}, 422),
    ("post", "/miniapp/v1/login", {"json": {"code": "x", "extra": 1}}, 422),
    ("post", "/miniapp/v1/login", {"data": "code=x", "content_type": "text/plain"}, (400, 415, 422)),
    ("get", "/api/v1/public/enterprises?page=abc", {}, 422),
    ("get", "/api/v1/public/enterprises?page_size=100000", {}, 422),
    ("get", "/api/v1/public/enterprises?publicity_status=maybe", {}, 422),
    ("get", "/api/v1/no-such-route", {}, 404),
    ("get", "/miniapp/v1/no-such-route", {}, 404),
    ("get", "/no-such-page", {}, 404),
    ("delete", "/api/v1/auth/challenge", {}, 405),
    ("get", "/miniapp/v1/login", {}, 405),
    ("put", "/api/v1/public/enterprises", {}, 405),
]


@pytest.mark.parametrize(("method", "url", "kwargs", "status"), PUBLIC_BAD_INPUT)
def test_framework_refusals_are_chinese(client, method, url, kwargs, status):
    assert_chinese_problem(getattr(client, method)(url, **kwargs), status)


def test_oversize_bodies_are_refused_in_chinese(client, app):
    too_big = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    for url in ("/api/v1/auth/login", "/miniapp/v1/login"):
        body = assert_chinese_problem(client.post(url, data=too_big, content_type="application/json"), 413)
        assert "MB" in body["detail"]


def test_logged_in_refusals_are_chinese_on_both_apis(both):
    enterprise, user = both["enterprise"], both["miniapp"]
    opened = enterprise.post("/api/v1/filings", json={"business": "first_filing", "enterprise_type": "construction"})
    filing = opened.json
    base = f"/api/v1/filings/{filing['id']}"
    etag = {"If-Match": enterprise.get(base).headers["ETag"]}
    cases = [
        (enterprise.post("/api/v1/filings", data="{", content_type="application/json"), 400),
        (enterprise.post("/api/v1/filings", json={"business": 3}), 422),
        (enterprise.post("/api/v1/filings", json={"business": "no_such_business"}), (403, 404, 422)),
        (enterprise.put(f"{base}/sections/basic_info", data="{", content_type="application/json", headers=etag), 400),
        (enterprise.put(f"{base}/sections/basic_info", json=[1, 2], headers=etag), 422),
        (enterprise.put(f"{base}/sections/basic_info", json={"established_on": {"year": 2020}}, headers=etag), 422),
        (enterprise.put(f"{base}/sections/no_such_section", json={}, headers=etag), (404, 422)),
        (enterprise.post(f"{base}/submit", json={"agreed": "maybe", "signed_letter": 7}), 422),
        (enterprise.post(f"{base}/answers", json={"field": 1}, headers=etag), 422),
        (enterprise.post(f"{base}/attachments", data={"kind": "business_license"}), (400, 422)),
        (enterprise.get("/api/v1/filings?page=abc"), 422),
        (enterprise.get("/api/v1/filings?status=nonsense"), 422),
        (enterprise.get("/api/v1/filings?date_from=yesterday"), 422),
        (enterprise.get("/api/v1/filings/abc"), 404),
        (enterprise.delete("/api/v1/businesses"), 405),
        (user.post("/miniapp/v1/identity/verifications", data="{", content_type="application/json"), 400),
        (user.post("/miniapp/v1/identity/verifications", json={"name": 1, "id_number": 2}), 422),
        (user.post("/miniapp/v1/invitations/accept", json={}), 422),
        (user.post("/miniapp/v1/subscriptions", json={"results": "accept"}), 422),
        (user.get("/miniapp/v1/notifications?page=abc"), 422),
        (user.get("/miniapp/v1/notifications?unread=maybe"), 422),
        (user.put("/miniapp/v1/me"), 405),
        (user.get("/miniapp/v1/enterprises/abc/filings"), 404),
    ]
    for index, (response, status) in enumerate(cases):
        try:
            assert_chinese_problem(response, status)
        except AssertionError as exc:
            raise AssertionError(f"case {index}: {exc}") from None
