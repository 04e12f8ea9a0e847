"""Rows a use case queues for its commit (a login's session) are written with its audit rows, in one
statement on PostgreSQL, and are dropped with everything else when the transaction rolls back."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from entryfiling.db.models import AuditEvent, AuthSession
from handlers.services import Actor
from tests.api.test_statement_counts import counted

SYSTEM = Actor("system", "system", "系统")


def _session_row(services: Any, sid: str) -> dict[str, Any]:
    now = services.now()
    return {
        "id": sid,
        "audience": "miniapp-login",
        "subject": "7",
        "created_at": now,
        "last_seen_at": now,
        "expires_at": now + timedelta(hours=1),
    }


def _written(services: Any, sid: str, action: str) -> tuple[bool, bool]:
    with services.uow() as uow:
        session = uow.session.get(AuthSession, sid)
        audited = uow.session.scalar(select(AuditEvent.id).where(AuditEvent.action == action))
    return session is not None, audited is not None


def test_a_queued_row_is_written_with_the_audit_row_in_one_statement_on_postgresql(services):
    with services.uow() as uow:
        uow.insert_at_commit(AuthSession.__table__, _session_row(services, "sid-written-at-commit"))
        uow.audit(SYSTEM, "test_rows_at_commit", "test", services.now(), {"n": 1})
        with counted(services) as statements:
            uow.commit()
    assert _written(services, "sid-written-at-commit", "test_rows_at_commit") == (True, True)
    inserts = [s for s in statements if "INSERT" in s.upper()]
    assert len(inserts) == (1 if services.engine.dialect.name == "postgresql" else 2), statements


def test_several_audit_rows_keep_their_order_with_a_queued_row(services):
    with services.uow() as uow:
        uow.insert_at_commit(AuthSession.__table__, _session_row(services, "sid-with-two-audits"))
        for n in range(3):
            uow.audit(SYSTEM, "test_rows_in_order", "test", services.now(), {"n": n})
        uow.commit()
    assert _written(services, "sid-with-two-audits", "test_rows_in_order")[0]
    with services.uow() as uow:
        details = uow.session.scalars(
            select(AuditEvent.details).where(AuditEvent.action == "test_rows_in_order").order_by(AuditEvent.id)
        ).all()
    assert details == [{"n": 0}, {"n": 1}, {"n": 2}]


def test_a_batch_beyond_one_statement_is_written_whole_and_in_order(services):
    """A job's hundreds of rows go as one INSERT a table (no statement per number of rows, no limit
    on parameters), in their order."""
    with services.uow() as uow:
        for n in range(40):
            uow.audit(SYSTEM, "test_rows_batch", "test", services.now(), {"n": n})
        with counted(services) as statements:
            uow.commit()
    assert not [s for s in statements if s.lstrip().upper().startswith("WITH")], statements
    with services.uow() as uow:
        details = uow.session.scalars(
            select(AuditEvent.details).where(AuditEvent.action == "test_rows_batch").order_by(AuditEvent.id)
        ).all()
    assert details == [{"n": n} for n in range(40)]


def test_an_upsert_at_commit_inserts_then_updates_but_its_insert_only_columns(services):
    table = AuthSession.__table__
    first = _session_row(services, "sid-upserted")
    for audience in ("first", "second"):
        with services.uow() as uow:
            uow.upsert_at_commit(table, first | {"audience": audience, "subject": audience}, "id", ("subject",))
            uow.audit(SYSTEM, f"test_upsert_{audience}", "test", services.now())
            with counted(services) as statements:
                uow.commit()
        assert len(statements) == (1 if services.engine.dialect.name == "postgresql" else 2), statements
    with services.uow() as uow:
        uow.upsert_at_commit(table, first | {"audience": "dropped"}, "id")
        uow.rollback()
    with services.uow() as uow:
        stored = uow.session.get_one(AuthSession, "sid-upserted")
        assert (stored.audience, stored.subject) == ("second", "first")


def test_queued_rows_are_dropped_on_a_rollback(services):
    with services.uow() as uow:
        uow.insert_at_commit(AuthSession.__table__, _session_row(services, "sid-rolled-back"))
        uow.audit(SYSTEM, "test_rows_rolled_back", "test", services.now())
        uow.rollback()
        uow.commit()
    assert _written(services, "sid-rolled-back", "test_rows_rolled_back") == (False, False)


def test_a_failing_commit_writes_none_of_the_queued_rows(services):
    with services.uow() as uow:
        uow.insert_at_commit(AuthSession.__table__, _session_row(services, "sid-taken"))
        uow.commit()
    with pytest.raises(IntegrityError), services.uow() as uow:
        uow.insert_at_commit(AuthSession.__table__, _session_row(services, "sid-taken"))  # the key is taken
        uow.audit(SYSTEM, "test_rows_failed", "test", services.now())
        uow.commit()
    assert _written(services, "sid-taken", "test_rows_failed") == (True, False)
