"""Every endpoint identifies its caller before it validates the body: 401/403, never 422 or 404 first."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

from handlers import regulators

PASSWORD = "审核口令-Str0ng-2025"
# The endpoints anyone may call; every other one must declare bearer security (and so be gated).
PUBLIC = {
    ("POST", "/api/v1/auth/challenge"),
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/review/login"),
    ("GET", "/api/v1/businesses"),
    ("GET", "/api/v1/businesses/<string:key>"),
    ("GET", "/api/v1/public/enterprises"),
    ("GET", "/api/v1/public/enterprises/<string:uscc>"),
    ("POST", "/miniapp/v1/login"),
}
INVALID_BODY: dict[str, Any] = {"decision": "maybe", "business": 7, "agreed": "x", "code": [], "bogus": {"a": 1}}


def _operations(app: Flask) -> list[tuple[str, str, bool]]:
    """(method, rule, declares bearer security) of every operation of both APIs."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(("/api/v1/", "/miniapp/v1/")):
            continue
        view_class = getattr(app.view_functions[rule.endpoint], "view_class", None)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            apidoc = getattr(getattr(view_class, method.lower(), None), "_apidoc", {})
            found.append((method, rule.rule, bool(apidoc.get("manual_doc", {}).get("security"))))
    return found


def _url(rule: str) -> str:
    return re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: "x1" if m.group(1) in {"string", "path"} else "1", rule)


@pytest.fixture
def callers(client, services, enterprise, miniapp_login) -> dict[str, str]:
    regulators.create_regulator(services, "reviewer.li", "李审核", PASSWORD)
    regulator = client.post("/api/v1/review/login", json={"username": "reviewer.li", "password": PASSWORD}).json
    return {
        "enterprise": enterprise.token,
        "miniapp": miniapp_login().token,
        "regulator": regulator["access_token"],
    }


def _wrong_callers(rule: str) -> list[str]:
    if rule.startswith("/api/v1/review/"):
        return ["enterprise", "miniapp"]
    if rule.startswith("/miniapp/"):
        return ["enterprise", "regulator"]
    return ["miniapp", "regulator"]


def test_every_operation_is_public_by_name_or_declares_security(app):
    operations = _operations(app)
    assert len(operations) > 60
    undeclared = {(method, rule) for method, rule, secured in operations if not secured}
    assert undeclared == PUBLIC


def test_no_token_wrong_audience_or_forged_token_is_refused_before_the_body_is_read(client, app, callers):
    walked = 0
    for method, rule, secured in _operations(app):
        if not secured:
            continue
        url = _url(rule)
        attempts: list[dict[str, str]] = [{}, {"Authorization": "Bearer forged.token.value"}]
        attempts += [{"Authorization": f"Bearer {callers[who]}"} for who in _wrong_callers(rule)]
        for headers in attempts:
            for body in ({"json": INVALID_BODY}, {"data": "{not json", "content_type": "application/json"}):
                response = client.open(url, method=method, headers=headers, **body)
                assert response.status_code in (401, 403), (method, url, headers, response.status_code, response.json)
                assert response.mimetype == "application/problem+json"
                walked += 1
    assert walked >= 60 * 8


def test_an_enterprise_or_expired_token_on_a_decision_gets_401_or_403_not_422(client, callers, make_app, services):
    url = "/api/v1/review/filings/1/decision"
    enterprise = client.post(url, json={"decision": "??"}, headers={"Authorization": f"Bearer {callers['enterprise']}"})
    assert enterprise.status_code == 403
    later = make_app(token_ttl_seconds=-1).test_client()
    expired = later.post(url, json={}, headers={"Authorization": f"Bearer {callers['regulator']}"})
    assert expired.status_code == 401 and "过期" in expired.json["detail"]
