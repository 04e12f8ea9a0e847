"""Sessions that end (logout, role ended, regulator idle) and a security audit that misses nothing."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from entryfiling.config import load_settings
from entryfiling.db.models import AuditEvent
from handlers import audit, regulators
from handlers.services import utcnow
from tests.api.flows import new_id_number
from tests.conftest import certificate_login

PASSWORD = "审核口令-Str0ng-2025"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def regulator_token(client, services):
    regulators.create_regulator(services, "reviewer.sun", "孙审核", PASSWORD)

    def login() -> str:
        response = client.post("/api/v1/review/login", json={"username": "reviewer.sun", "password": PASSWORD})
        assert response.status_code == 200, response.json
        return response.json["access_token"]

    return login


def audit_rows(services, **where):
    with services.uow() as uow:
        query = select(AuditEvent).order_by(AuditEvent.id)
        for column, value in where.items():
            query = query.where(getattr(AuditEvent, column) == value)
        return list(uow.session.scalars(query))


# ---------------------------------------------------------------------------- sessions


def test_logout_ends_the_token_on_all_three_apis(client, enterprise, miniapp_login, regulator_token):
    user = miniapp_login()
    regulator = regulator_token()
    for token, logout, probe in (
        (enterprise.token, "/api/v1/auth/logout", "/api/v1/filings"),
        (user.token, "/miniapp/v1/logout", "/miniapp/v1/me"),
        (regulator, "/api/v1/review/logout", "/api/v1/review/filings"),
    ):
        assert client.get(probe, headers=bearer(token)).status_code == 200
        assert client.post(logout, headers=bearer(token)).status_code == 204
        after = client.get(probe, headers=bearer(token))
        assert after.status_code == 401 and "已退出" in after.json["detail"], probe
        assert client.post(logout, headers=bearer(token)).status_code == 401


def test_other_sessions_of_the_same_caller_live_on_after_one_logout(client, issue_certificate):
    cert, key = issue_certificate()
    first, second = (certificate_login(client, cert, key).json["access_token"] for _ in range(2))
    assert client.post("/api/v1/auth/logout", headers=bearer(first)).status_code == 204
    assert client.get("/api/v1/enterprise", headers=bearer(second)).status_code == 200


def test_ending_an_employment_ends_the_persons_phone_sessions(client, enterprise, miniapp_login, verify):
    user = miniapp_login()
    assert verify(user, "李四", new_id_number()).status_code == 200
    code = enterprise.post("/api/v1/invitations", json={"role": "filing_contact"}).json["code"]
    employment = user.post("/miniapp/v1/invitations/accept", json={"code": code}).json
    assert user.get(f"/miniapp/v1/enterprises/{enterprise.id}/filings").status_code == 200

    assert enterprise.post(f"/api/v1/employments/{employment['id']}/end").status_code == 200

    refused = user.get("/miniapp/v1/me")
    assert refused.status_code == 401 and "已退出或已失效" in refused.json["detail"]
    assert miniapp_login(user.openid).get("/miniapp/v1/me").status_code == 200  # a new login works


def test_regulator_sessions_end_after_thirty_idle_minutes(client, services, regulator_token):
    token = regulator_token()
    services.clock = lambda: utcnow() + timedelta(minutes=20)
    assert client.get("/api/v1/review/filings", headers=bearer(token)).status_code == 200  # activity
    services.clock = lambda: utcnow() + timedelta(minutes=45)  # 25 idle minutes: still alive
    assert client.get("/api/v1/review/filings", headers=bearer(token)).status_code == 200
    services.clock = lambda: utcnow() + timedelta(minutes=76)  # 31 idle minutes
    idle = client.get("/api/v1/review/filings", headers=bearer(token))
    assert idle.status_code == 401 and "长时间未操作" in idle.json["detail"]


def test_idle_timeout_is_configuration(make_app, services, regulator_token):
    token = regulator_token()
    patient = make_app(regulator_idle_timeout_seconds=3 * 3600)
    patient.extensions["entryfiling"].clock = lambda: utcnow() + timedelta(minutes=90)
    assert patient.test_client().get("/api/v1/review/filings", headers=bearer(token)).status_code == 200


# ---------------------------------------------------------------------------- audit


def test_every_authentication_attempt_and_denial_is_audited_without_secrets(
    client, enterprise, issue_certificate, miniapp_login, regulator_token, phone
):
    regulator = regulator_token()
    user = miniapp_login()
    cert, _key = issue_certificate("未登录建设有限公司")
    attempts = [
        client.post("/api/v1/auth/login", json={"certificate": cert.read_text(), "nonce": "n", "signature": "eA=="}),
        client.post("/miniapp/v1/login", json={"code": "not-a-real-code"}),
        client.post("/api/v1/review/login", json={"username": "reviewer.sun", "password": "wrong-Secret-1"}),
        client.post("/api/v1/review/filings/1/decision", json={}, headers=bearer(enterprise.token)),
        client.get("/miniapp/v1/me"),
        client.get("/api/v1/filings", headers=bearer(user.token)),
    ]
    assert [a.status_code for a in attempts] == [401, 401, 401, 403, 401, 401]
    services = client.application.extensions["entryfiling"]
    failures = audit_rows(services, result="failure")
    denied = audit_rows(services, result="denied")
    successes = [r for r in audit_rows(services, result="success") if r.action.endswith("login")]
    assert {(r.action, r.actor_type) for r in failures} == {
        ("login", "enterprise"),
        ("miniapp_login", "wechat_user"),
        ("regulator_login", "regulator"),
    }
    assert next(r for r in failures if r.action == "login").actor_id == cert_uscc(cert)
    assert next(r for r in failures if r.action == "regulator_login").actor_id == "reviewer.sun"
    assert [r.target for r in denied] == [
        "POST /api/v1/review/filings/1/decision",
        "GET /miniapp/v1/me",
        "GET /api/v1/filings",
    ]
    assert denied[0].actor_id == enterprise.uscc and denied[1].actor_type == "anonymous"
    assert {r.action for r in successes} == {"login", "miniapp_login", "regulator_login"}
    for row in [*failures, *denied, *successes]:
        assert row.source_address == "127.0.0.1" and row.at is not None and row.result, (row.action, row.result)
        dumped = json.dumps(row.details, ensure_ascii=False)
        for secret in ("wrong-Secret-1", PASSWORD, "eA==", "not-a-real-code", enterprise.token, regulator):
            assert secret not in dumped


def cert_uscc(cert) -> str:
    from entryfiling.integrations.ca import claimed_uscc

    return claimed_uscc(cert.read_text()) or ""


def test_regulators_search_the_audit_log_by_event_result_and_date(client, services, issue_certificate, regulator_token):
    token = regulator_token()
    cert, _key = issue_certificate()
    for _ in range(3):
        client.post("/api/v1/auth/login", json={"certificate": cert.read_text(), "nonce": "n", "signature": "eA=="})
    url = "/api/v1/review/audit?event=login&result=failure&page_size=2"
    page = client.get(url, headers=bearer(token))
    assert page.status_code == 200, page.json
    assert page.json["total"] == 3 and page.json["pages"] == 2 and len(page.json["items"]) == 2
    item = page.json["items"][0]
    assert item["event"] == "login" and item["result"] == "failure" and item["source_address"] == "127.0.0.1"
    assert item["object"] == "login" and item["actor_type"] == "enterprise"
    today = utcnow().date()
    later = client.get(f"/api/v1/review/audit?date_from={today + timedelta(days=2)}", headers=bearer(token))
    assert later.json["total"] == 0
    bad = client.get("/api/v1/review/audit?result=maybe", headers=bearer(token))
    assert bad.status_code == 422 and "result" in bad.json["errors"]
    assert audit_rows(services, action="audit_searched")


def test_audit_rows_cannot_be_changed_through_any_api_or_even_sql(client, services, regulator_token):
    token = regulator_token()
    for method in ("put", "patch", "delete", "post"):
        response = getattr(client, method)("/api/v1/review/audit", headers=bearer(token), json={})
        assert response.status_code == 405
    rule_methods = {
        method
        for rule in client.application.url_map.iter_rules()
        if "audit" in rule.rule
        for method in rule.methods or ()
    }
    assert rule_methods <= {"GET", "HEAD", "OPTIONS"}
    row = audit_rows(services, action="regulator_login")[0]
    with pytest.raises(DBAPIError), services.engine.begin() as connection:
        connection.execute(
            text("UPDATE audit_events SET result = 'success', actor_id = 'x' WHERE id = :id"), {"id": row.id}
        )
    assert audit_rows(services, action="regulator_login")[0].actor_id == row.actor_id


def test_prune_removes_only_rows_older_than_the_retention(client, services, regulator_token):
    regulator_token()
    kept = len(audit_rows(services))
    old = utcnow() - timedelta(days=400)
    with services.engine.begin() as connection:
        for n in range(3):
            connection.execute(
                AuditEvent.__table__.insert().values(
                    at=old,
                    actor_type="system",
                    actor_id="system",
                    actor_name="",
                    action=f"old_{n}",
                    target="x",
                    details={},
                    result="success",
                )
            )
    assert audit.prune(services) == 3
    actions = [r.action for r in audit_rows(services)]
    assert len(actions) == kept + 1 and actions[-1] == "audit_pruned" and not any(a.startswith("old_") for a in actions)


def test_retention_below_180_days_is_refused(tmp_path):
    with pytest.raises(ValueError, match="180"):
        load_settings({"AUDIT_RETENTION_DAYS": "90"}, instance_path=tmp_path)
    assert load_settings({}, instance_path=tmp_path).audit_retention_days == 365
