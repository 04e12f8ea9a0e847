"""CA-certificate login: challenge, signed nonce, bearer token; every refusal a clear 401."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import flask
import pytest

from devkit.dev_ca import create_dev_ca, issue_enterprise_certificate, sign_nonce
from handlers import tokens
from tests.conftest import certificate_login
from tests.factories import make_uscc


def test_login_returns_a_token_that_opens_the_api(client, issue_certificate):
    uscc = make_uscc()
    cert, key = issue_certificate("新疆测试建设集团有限公司", uscc)
    response = certificate_login(client, cert, key)
    assert response.status_code == 200
    body = response.json
    assert body["token_type"] == "Bearer" and body["expires_in"] == 7200
    assert body["enterprise"] == {
        "id": body["enterprise"]["id"],
        "name": "新疆测试建设集团有限公司",
        "uscc": uscc,
        "first_login": True,
    }
    profile = client.get("/api/v1/enterprise", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert profile.status_code == 200 and profile.json["uscc"] == uscc
    again = certificate_login(client, cert, key).json
    assert again["enterprise"]["first_login"] is False and again["enterprise"]["id"] == body["enterprise"]["id"]


def test_no_cookie_session_is_kept_or_can_be_written(client, issue_certificate, app):
    cert, key = issue_certificate()
    assert "Set-Cookie" not in certificate_login(client, cert, key).headers
    with app.test_request_context("/"), pytest.raises(RuntimeError):
        flask.session["kept"] = "in a cookie"


def test_ec_certificate_via_intermediate_logs_in(client, issue_certificate):
    cert, key = issue_certificate(key_type="ec", via_intermediate=True)
    assert certificate_login(client, cert, key).status_code == 200


def _login(client, cert, key_for_signing, nonce=None):
    nonce = nonce or client.post("/api/v1/auth/challenge").json["nonce"]
    return client.post(
        "/api/v1/auth/login",
        json={"certificate": cert.read_text(), "nonce": nonce, "signature": sign_nonce(key_for_signing, nonce)},
    )


def test_wrong_signature_is_refused(client, issue_certificate):
    cert, _key = issue_certificate()
    _other_cert, other_key = issue_certificate()
    response = _login(client, cert, other_key)
    assert response.status_code == 401
    assert response.headers["Content-Type"] == "application/problem+json"
    assert "签名验证失败" in response.json["detail"]


def test_untrusted_certificate_is_refused(client, tmp_path):
    rogue_ca = tmp_path / "rogue-ca"
    create_dev_ca(rogue_ca, common_name="冒充的CA")
    cert, key = issue_enterprise_certificate(rogue_ca, tmp_path / "rogue", enterprise_name="冒充企业", uscc=make_uscc())
    response = _login(client, cert, key)
    assert response.status_code == 401 and "不受信任" in response.json["detail"]


def test_expired_certificate_is_refused(client, issue_certificate):
    now = datetime.now(UTC)
    cert, key = issue_certificate(not_before=now - timedelta(days=400), not_after=now - timedelta(days=1))
    response = _login(client, cert, key)
    assert response.status_code == 401 and "证书已过期" in response.json["detail"]


def test_reused_nonce_is_refused(client, issue_certificate):
    cert, key = issue_certificate()
    nonce = client.post("/api/v1/auth/challenge").json["nonce"]
    assert _login(client, cert, key, nonce).status_code == 200
    replay = _login(client, cert, key, nonce)
    assert replay.status_code == 401 and "挑战码无效" in replay.json["detail"]


def test_expired_nonce_is_refused(client, services, issue_certificate):
    cert, key = issue_certificate()
    nonce = client.post("/api/v1/auth/challenge").json["nonce"]
    real_clock = services.clock
    services.clock = lambda: real_clock() + timedelta(seconds=services.settings.challenge_ttl_seconds + 1)
    try:
        response = _login(client, cert, key, nonce)
    finally:
        services.clock = real_clock
    assert response.status_code == 401 and "已过期" in response.json["detail"]


def test_unknown_nonce_is_refused(client, issue_certificate):
    cert, key = issue_certificate()
    assert _login(client, cert, key, "never-issued").status_code == 401


def test_challenge_and_login_on_two_processes_sharing_one_database(make_app, issue_certificate):
    """Production runs several gunicorn workers: a nonce issued by one is redeemed at another."""
    first, second = make_app().test_client(), make_app().test_client()
    cert, key = issue_certificate()
    nonce = first.post("/api/v1/auth/challenge").json["nonce"]
    response = second.post(
        "/api/v1/auth/login",
        json={"certificate": cert.read_text(), "nonce": nonce, "signature": sign_nonce(key, nonce)},
    )
    assert response.status_code == 200
    token = response.json["access_token"]
    assert first.get("/api/v1/enterprise", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert _login(first, cert, key, nonce).status_code == 401


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer not-a-token", "Basic abc", "Bearer a.b.c"])
def test_missing_or_tampered_token_is_refused(client, header):
    response = client.get("/api/v1/filings", headers={"Authorization": header} if header else {})
    assert response.status_code == 401 and response.json["detail"]


def test_expired_token_is_refused(make_app, issue_certificate):
    client = make_app(token_ttl_seconds=-1).test_client()
    cert, key = issue_certificate()
    token = certificate_login(client, cert, key).json["access_token"]
    response = client.get("/api/v1/filings", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401 and "登录已过期" in response.json["detail"]


def test_a_token_used_before_still_expires_on_time(enterprise, services, monkeypatch):
    """A token's signature is checked once per process, its age on every use."""
    assert enterprise.get("/api/v1/filings").status_code == 200
    later = time.time() + services.settings.token_ttl_seconds + 2
    monkeypatch.setattr(tokens.time, "time", lambda: later)
    response = enterprise.get("/api/v1/filings")
    assert response.status_code == 401 and "登录已过期" in response.json["detail"]


def test_a_forged_token_is_refused_every_time(enterprise):
    token = enterprise.token  # a character inside the signature (the last one also holds padding bits)
    forged = token[:-5] + ("A" if token[-5] != "A" else "B") + token[-4:]
    for _ in range(2):
        response = enterprise.get("/api/v1/filings", headers={"Authorization": f"Bearer {forged}"})
        assert response.status_code == 401 and response.json["detail"]


def test_garbage_login_bodies_get_4xx(client):
    for body in (
        {},
        {"certificate": "x", "nonce": "y", "signature": "z"},
        {"certificate": 1, "nonce": [], "signature": None},
    ):
        response = client.post("/api/v1/auth/login", json=body)
        assert 400 <= response.status_code < 500, (body, response.status_code)
