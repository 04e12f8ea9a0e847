"""A decision on a submitted filing, automatic or a regulator's: one path for both.

The notices of the decision (inbox entries and WeChat pushes) are outbox rows of the decision's
own transaction: a decision is never committed without them, nor they without it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy.orm import object_session

from entryfiling.db.models import Enterprise, Filing
from entryfiling.db.uow import UnitOfWork
from entryfiling.domain.approval import FiledState, apply_approval
from entryfiling.domain.businesses import Business
from entryfiling.domain.filing import STATUS_LABELS, FilingStatus
from entryfiling.domain.rules import RuleResult
from entryfiling.metrics import count_filing
from handlers.filings.common import move
from handlers.filings.views import reference_of
from handlers.notifications import record_decision_notices
from handlers.records import record_changes, refresh_public_entry
from handlers.services import Actor, Services


@dataclass(frozen=True)
class Outcome:
    """What is decided and why: the status, the reasons users read, every rule's result, and
    the note of the status change (the reasons unless the decider wrote one)."""

    status: FilingStatus
    reasons: list[str]
    results: list[dict[str, Any]]
    note: list[str] | None = None


def result_record(result: RuleResult) -> dict[str, Any]:
    """A rule's result as stored with the filing and shown to the enterprise and regulators."""
    return {
        "rule": result.key,
        "description": result.description,
        "passed": result.passed,
        "reasons": list(result.reasons),
        "on_failure": result.on_failure.value,
        # passed / failed / not_checked, and per failure what was filed beside what the registry records.
        "outcome": result.outcome.value,
        "evidence": [dict(e) for e in result.evidence],
    }


def record_decision(
    services: Services,
    uow: UnitOfWork,
    filing: Filing,
    business: Business,
    enterprise: Enterprise,
    outcome: Outcome,
    decider: Actor,
    now: datetime,
) -> None:
    """Move the filing to its decision and, when approved, apply it to the filed record."""
    status, reasons = outcome.status, outcome.reasons
    move(filing, decider, status, now, reasons if outcome.note is None else outcome.note)
    filing.reasons = reasons
    filing.rule_results = outcome.results
    if status in (FilingStatus.APPROVED, FilingStatus.REJECTED):
        filing.decided_at = now
    if status is FilingStatus.APPROVED:
        _apply_approval(services, uow, business, enterprise, filing, now)
    details: dict[str, Any] = {"reasons": reasons, "status_label": STATUS_LABELS[status]}
    if outcome.note:
        details["note"] = outcome.note
    uow.audit(decider, f"filing_{status.value}", f"filing:{filing.id}", now, details, enterprise_id=enterprise.id)
    record_decision_notices(services, uow, filing, business, status, reasons, now)
    uow.after_commit(partial(count_filing, business.key, status.value))


def _apply_approval(
    services: Services, uow: UnitOfWork, business: Business, enterprise: Enterprise, filing: Filing, now: datetime
) -> None:
    before = FiledState(
        dict(enterprise.filed_record), enterprise.publicity_until, enterprise.filed_at, enterprise.enterprise_type
    )
    after = apply_approval(
        business,
        before,
        filing.sections,
        enterprise_type=filing.enterprise_type,
        reference=reference_of(filing),
        today=services.today(),
        now=now,
        validity_days=services.settings.publicity_validity_days,
    )
    enterprise.filed_record = dict(after.record)
    enterprise.publicity_until = after.publicity_until
    enterprise.filed_at = after.filed_at
    enterprise.enterprise_type = after.enterprise_type
    enterprise.updated_at = now
    session = object_session(enterprise)
    if session is not None:
        filing.record_changes = record_changes(
            services,
            session,
            dict(before.record),
            enterprise.filed_record,
            before.publicity_until,
            enterprise.publicity_until,
        )
        refresh_public_entry(services, uow, enterprise, now)
