"""Submit a draft and decide it automatically, once per Idempotency-Key."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import partial
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from entryfiling import messages as msg
from entryfiling.db.direct_writes import write_filing_changes
from entryfiling.db.locks import lock_enterprise
from entryfiling.db.models import Enterprise, Filing, IdempotencyRecord
from entryfiling.db.uow import UnitOfWork
from entryfiling.domain.businesses import Business
from entryfiling.domain.errors import Conflict, SubmissionRefused, ValidationFailed
from entryfiling.domain.fields import person_ids
from entryfiling.domain.filing import FilingStatus, require_draft
from entryfiling.domain.rules import ApprovalContext, AttachmentFacts, Stage, decide, run_rules
from entryfiling.metrics import count_filing
from handlers.filings.common import attachment_counts, business_of, move, unseal_sections
from handlers.filings.decisions import Outcome, record_decision, result_record
from handlers.filings.opening import record_facts
from handlers.filings.views import FilingView, filing_view, reference_of
from handlers.persons import person_facts
from handlers.services import SYSTEM, Actor, Services
from handlers.stored_files import signed_letter_reading
from handlers.verification import verification_facts

_IDEMPOTENCY_RECORDS = cast(Table, IdempotencyRecord.__table__)


@dataclass(frozen=True)
class SubmitResult:
    filing: FilingView
    replayed: bool


def _fingerprint(filing_id: int, agreed: bool, signed_letter_id: str | None) -> str:
    payload = json.dumps({"filing": filing_id, "agreed": agreed, "letter": signed_letter_id}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def _replayed_filing_id(session: Session, scope: str, key: str, fingerprint: str) -> int | None:
    """The filing a request with this key already submitted (None: first time)."""
    record = session.scalar(
        select(IdempotencyRecord).where(IdempotencyRecord.scope == scope, IdempotencyRecord.key == key)
    )
    if record is None:
        return None
    if record.request_fingerprint != fingerprint:
        raise ValidationFailed.on("Idempotency-Key", msg.IDEMPOTENCY_KEY_REUSED, hint=msg.IDEMPOTENCY_KEY_REUSED_HINT)
    return int(record.response["id"])


def _replay(services: Services, uow: UnitOfWork, filing_id: int) -> SubmitResult:
    """The answer of the first request: the filing as it is now (its decision is final)."""
    filing = uow.session.get_one(Filing, filing_id)
    return SubmitResult(filing_view(services, uow.session, filing), replayed=True)


def submit_filing(
    services: Services,
    actor: Actor,
    filing_id: int,
    *,
    agreed: bool,
    signed_letter_id: str | None,
    idempotency_key: str | None = None,
) -> SubmitResult:
    """Submit, then decide automatically. A retried request with the same key gets the first answer."""
    now = services.now()
    scope = f"enterprise:{actor.enterprise_id}"
    fingerprint = _fingerprint(filing_id, agreed, signed_letter_id)
    with services.uow() as uow:
        locked = None
        if actor.enterprise_id is not None:
            # The lock first, then the replay check: a retry racing the first submit waits for it
            # and answers with its result instead of finding the filing already decided.
            locked = lock_enterprise(uow.session, actor.enterprise_id)
        if idempotency_key and (done := _replayed_filing_id(uow.session, scope, idempotency_key, fingerprint)):
            return _replay(services, uow, done)
        filing, others_open = uow.filings.with_others_open(actor.enterprise_id, filing_id)
        require_draft(filing.status)
        business = business_of(filing)
        # The reads below (lazy loads, rule facts, recipients) would each flush the changes made so
        # far, rewriting the filing row several times; everything is flushed once, for the view.
        uow.session.autoflush = False
        # Approvals of two businesses of one enterprise each rewrite its whole filed record: the lock
        # taken first serialises them (on PostgreSQL it read the enterprise too: no second query).
        enterprise = locked if locked is not None else uow.filings.enterprise(filing.enterprise_id)
        context = _approval_context(
            services, uow, actor, business, enterprise, filing, others_open, agreed, signed_letter_id
        )
        problems = [
            r for stage in (Stage.OPEN, Stage.SUBMISSION) for r in run_rules(business, context, stage) if not r.passed
        ]
        if problems:
            reasons = [reason for r in problems for reason in r.reasons]
            raise SubmissionRefused(
                msg.SUBMISSION_REFUSED.format(count=len(reasons)),
                errors={r.key: list(r.reasons) for r in problems},
                problems=reasons,
            )
        filing.agreed = True
        filing.signed_letter_id = signed_letter_id
        filing.submitted_at = now
        filing.submitted_by = actor.as_dict()
        move(filing, actor, FilingStatus.SUBMITTED, now)
        submitted: dict[str, Any] = {"business": business.key}
        if context.registry is not None and context.registry.answered_at is not None:
            # Registry answers may be reused a few minutes: the trail says how old those checked were.
            submitted["registry_answered_at"] = context.registry.answered_at.isoformat()
        uow.audit(actor, "filing_submitted", f"filing:{filing.id}", now, submitted)
        uow.after_commit(partial(count_filing, business.key, "submitted"))
        decision = decide(business, context)
        outcome = Outcome(decision.status, decision.reasons, [result_record(r) for r in decision.results])
        record_decision(services, uow, filing, business, enterprise, outcome, SYSTEM, now)
        try:
            # The filing (its version checked), its two events and the enterprise's filed record,
            # written by hand in three statements: the ORM's flush of the same rows cost more than
            # the writes. A change of the filing committed since it was read refuses them
            # (StaleDataError), as it would refuse the commit: both are the conflict below.
            write_filing_changes(uow.session, filing, enterprise)
            view = filing_view(services, uow.session, filing)
            if idempotency_key:
                # Inserted with the audit rows at the commit (nothing reads it before): no ORM flush
                # for it. A concurrent retry's row with the same key fails that INSERT.
                row = {
                    "scope": scope,
                    "key": idempotency_key,
                    "request_fingerprint": fingerprint,
                    "status_code": 200,
                    "response": {"id": filing.id},
                    "created_at": now,
                }
                uow.insert_at_commit(_IDEMPOTENCY_RECORDS, row)
            uow.commit()
        except (StaleDataError, IntegrityError):
            uow.rollback()
            # A concurrent retry of the same submit won the race: answer as it did.
            if idempotency_key and (done := _replayed_filing_id(uow.session, scope, idempotency_key, fingerprint)):
                return _replay(services, uow, done)
            raise Conflict(msg.SUBMIT_CONCURRENT) from None
        return SubmitResult(view, replayed=False)


def _approval_context(
    services: Services,
    uow: UnitOfWork,
    actor: Actor,
    business: Business,
    enterprise: Enterprise,
    filing: Filing,
    others_open: int,
    agreed: bool,
    signed_letter_id: str | None,
) -> ApprovalContext:
    sections = unseal_sections(services, business, filing.sections)
    chosen = [pid for s in business.sections for _p, _f, pid in person_ids(s, sections.get(s.key, {}))]
    letter = None
    if signed_letter_id:
        attachment = next((a for a in filing.attachments if a.id == signed_letter_id), None)
        if attachment is None:
            raise ValidationFailed.on("signed_letter", msg.SIGNED_LETTER_NOT_FOUND)
        reading = signed_letter_reading(services, attachment)
        letter = AttachmentFacts(
            attachment.id,
            attachment.kind,
            attachment.content_type,
            readable_pdf=attachment.content_type == "application/pdf" and reading.readable,
            references=reading.references if reading.readable else None,
        )
    return ApprovalContext(
        business=business,
        enterprise_id=enterprise.id,
        enterprise_uscc=enterprise.uscc,
        certificate_uscc=actor.certificate_uscc,
        sections=sections,
        attachment_counts=attachment_counts(filing),
        persons=person_facts(uow.session, chosen),
        today=services.today(),
        agreed=agreed,
        signed_letter=letter,
        other_open_filings=others_open,
        **record_facts(services, actor, enterprise),
        **verification_facts(services, uow.session, business, enterprise, filing.enterprise_type, sections),
        filing_reference=reference_of(filing),
    )
