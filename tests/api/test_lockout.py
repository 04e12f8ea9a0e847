"""Lockout: five failures of one identity in 15 minutes lock it for 30; successes never count;
a source is counted too, and its address is the socket's unless proxies of ours are configured."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from devkit.dev_ca import sign_nonce
from entryfiling.db.models import AuditEvent
from handlers import regulators
from handlers.services import utcnow
from tests.conftest import certificate_login

PASSWORD = "审核口令-Str0ng-2025"


@pytest.fixture
def bad_login(issue_certificate):
    """A login with somebody's certificate signed by another key (a stolen certificate without its lock)."""
    stranger_key = issue_certificate("陌生人建设有限公司")[1]

    def attempt(client, cert, headers=None):
        nonce = client.post("/api/v1/auth/challenge").json["nonce"]
        body = {"certificate": cert.read_text(), "nonce": nonce, "signature": sign_nonce(stranger_key, nonce)}
        return client.post("/api/v1/auth/login", json=body, headers=headers or {})

    return attempt


def travel(services, minutes: int) -> None:
    services.clock = lambda: utcnow() + timedelta(minutes=minutes)


def test_five_failures_lock_the_certificate_for_thirty_minutes(client, issue_certificate, services, bad_login):
    cert, key = issue_certificate()
    assert [bad_login(client, cert).status_code for _ in range(5)] == [401] * 5

    locked = certificate_login(client, cert, key)  # even the right signature is not tried now
    assert locked.status_code == 429 and locked.mimetype == "application/problem+json"
    assert 1700 < int(locked.headers["Retry-After"]) <= 1800 and "30 分钟" in locked.json["detail"]
    other_cert, other_key = issue_certificate("另一家建设有限公司")
    assert certificate_login(client, other_cert, other_key).status_code == 200  # the identity is locked, not all

    travel(services, 29)
    assert certificate_login(client, cert, key).status_code == 429
    travel(services, 31)
    assert certificate_login(client, cert, key).status_code == 200


def test_successes_do_not_count_and_old_failures_fall_out_of_the_window(client, issue_certificate, services, bad_login):
    cert, key = issue_certificate()
    assert [certificate_login(client, cert, key).status_code for _ in range(8)] == [200] * 8
    assert [bad_login(client, cert).status_code for _ in range(4)] == [401] * 4
    assert certificate_login(client, cert, key).status_code == 200
    travel(services, 16)  # the four failures are older than the 15-minute window
    assert [bad_login(client, cert).status_code for _ in range(4)] == [401] * 4
    assert certificate_login(client, cert, key).status_code == 200


def test_thresholds_are_configuration(make_app, issue_certificate, bad_login):
    client = make_app(login_max_failures=2, login_lockout_seconds=600).test_client()
    cert, key = issue_certificate()
    assert [bad_login(client, cert).status_code for _ in range(2)] == [401, 401]
    locked = certificate_login(client, cert, key)
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) <= 600


def test_a_source_is_locked_across_identities_and_forwarded_for_is_not_believed(make_app, issue_certificate, bad_login):
    client = make_app(login_max_failures_per_source=3).test_client()
    for n in range(3):
        cert, _key = issue_certificate(f"试探{n}建设有限公司")
        assert bad_login(client, cert, {"X-Forwarded-For": f"203.0.113.{n}"}).status_code == 401
    fresh, fresh_key = issue_certificate("无辜建设有限公司")
    assert certificate_login(client, fresh, fresh_key).status_code == 429  # same socket address: locked


def test_forwarded_for_counts_once_proxies_are_configured(make_app, issue_certificate, services, bad_login):
    client = make_app(login_max_failures_per_source=3, trusted_proxy_hops=1).test_client()
    for n in range(3):
        cert, _key = issue_certificate(f"试探{n}建设有限公司")
        assert bad_login(client, cert, {"X-Forwarded-For": f"203.0.113.{n}"}).status_code == 401
    fresh, fresh_key = issue_certificate("无辜建设有限公司")
    assert certificate_login(client, fresh, fresh_key).status_code == 200  # each address counted on its own
    with services.uow() as uow:
        sources = set(uow.session.scalars(select(AuditEvent.source_address).where(AuditEvent.result == "failure")))
    assert sources == {"203.0.113.0", "203.0.113.1", "203.0.113.2"}


def test_regulator_account_locks_after_five_wrong_passwords(client, services):
    regulators.create_regulator(services, "reviewer.zhao", "赵审核", PASSWORD)
    wrong = [
        client.post("/api/v1/review/login", json={"username": "reviewer.zhao", "password": f"guess-{n}"})
        for n in range(5)
    ]
    assert [r.status_code for r in wrong] == [401] * 5
    right = client.post("/api/v1/review/login", json={"username": "Reviewer.Zhao", "password": PASSWORD})
    assert right.status_code == 429 and int(right.headers["Retry-After"]) > 0
