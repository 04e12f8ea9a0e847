"""A change of the filing committed while its submit decides: the submit writes nothing.

The submit locks the enterprise, not the filing: on PostgreSQL another request can still commit a
change of the filing (its version moves on) between the submit's read and its write. The write's
version check then refuses the submit's changes, and the transaction is rolled back whole: no status
move, no event, no decision, no filed record; the clerk is told to reload (409, problem+json).
(SQLite serialises the two: the submit holds its database's write lock from its first statement.)
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

import handlers.filings.submission as submission
from entryfiling.db.models import AuditEvent, Enterprise, Filing, FilingEvent
from tests.api.flows import complete_first_filing, signed_letter, upload


def test_a_change_committed_while_the_submit_decides_leaves_the_filing_as_it_was(
    enterprise, make_person, services, monkeypatch
):
    if services.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises the two writers")
    person = make_person(employed_by=enterprise.id)
    filing = complete_first_filing(enterprise, person, person)
    signed = signed_letter(enterprise, filing["id"])
    letter = upload(enterprise, filing["id"], "commitment_letter", signed, "承诺书.pdf")["attachment"]
    decide = submission.decide

    def decided_while_another_write_commits(business, context):
        with services.engine.begin() as connection:
            connection.execute(text("UPDATE filings SET version = version + 1 WHERE id = :id"), {"id": filing["id"]})
        return decide(business, context)

    monkeypatch.setattr(submission, "decide", decided_while_another_write_commits)
    response = enterprise.post(
        f"/api/v1/filings/{filing['id']}/submit", json={"agreed": True, "signed_letter": letter["id"]}
    )
    assert response.status_code == 409 and response.mimetype == "application/problem+json"
    assert response.json["detail"] == "办件正在被同时提交或修改，请刷新后查看结果"
    with services.uow() as uow:
        stored = uow.session.get_one(Filing, filing["id"])
        assert (stored.status, stored.submitted_at, stored.rule_results) == ("draft", None, [])
        events = select(func.count()).select_from(FilingEvent).where(FilingEvent.filing_id == filing["id"])
        assert uow.session.scalar(events) == 1  # the draft's own
        assert uow.session.get_one(Enterprise, enterprise.id).filed_at is None
        actions = ("filing_submitted", "filing_approved", "filing_rejected", "filing_manual_review")
        decided = select(func.count()).select_from(AuditEvent).where(AuditEvent.action.in_(actions))
        assert uow.session.scalar(decided) == 0
