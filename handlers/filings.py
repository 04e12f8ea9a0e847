"""Filing use cases: open, save a section, attach, letter, submit and decide, records, discard.

Every business goes through these same functions; what differs between businesses is only
their declaration in ``entryfiling.domain.businesses``.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, BinaryIO
from uuid import uuid4

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.exc import StaleDataError

from entryfiling import messages as msg
from entryfiling.db.models import Attachment, Enterprise, Filing, FilingEvent, IdempotencyRecord, Person
from entryfiling.domain.businesses import (
    BUSINESSES,
    ENTERPRISE_TYPE_LABELS,
    LETTER_LEGAL_REPRESENTATIVE,
    LETTER_RESPONSIBLE_PERSON,
    Business,
    Effect,
    EnterpriseType,
    record_sections,
)
from entryfiling.domain.commitment_letter import LetterParties
from entryfiling.domain.content_types import LABELS as CONTENT_TYPE_LABELS
from entryfiling.domain.content_types import sniff_content_type
from entryfiling.domain.errors import (
    Conflict,
    NotApplicable,
    NotFound,
    PayloadTooLarge,
    PreconditionFailed,
    PreconditionRequired,
    SubmissionRefused,
    ValidationFailed,
)
from entryfiling.domain.fields import (
    RecordMode,
    Section,
    attachment_refs,
    clean_section_values,
    date_range_errors,
    map_sensitive,
    merge_section_values,
    person_ids,
)
from entryfiling.domain.filing import (
    CHINA_TIME,
    COPYABLE_STATUSES,
    DECIDED_STATUSES,
    OPEN_STATUSES,
    STATUS_LABELS,
    FilingStatus,
    check_transition,
    require_draft,
)
from entryfiling.domain.rules import ApprovalContext, AttachmentFacts, Stage, decide, person_refusal, run_rules
from entryfiling.integrations.pdf import is_readable_pdf, render_commitment_letter
from handlers.notifications import record_decision_notices
from handlers.persons import page_envelope, person_facts
from handlers.records import record_changes, refresh_public_entry, unseal_record
from handlers.services import SYSTEM, Actor, Services
from handlers.verification import verification_facts
from handlers.views import etag_of, present_attachment, present_filing, present_filing_summary, reference_of

# ---------------------------------------------------------------------------- helpers


def get_business(key: str) -> Business:
    business = BUSINESSES.get(key)
    if business is None:
        raise ValidationFailed.on("business", msg.BUSINESS_UNKNOWN.format(business=key, options="、".join(BUSINESSES)))
    return business


def load_filing(session: Session, actor: Actor, filing_id: int, *, for_update: bool = False) -> Filing:
    """The actor's enterprise's filing; another enterprise's filing is simply not found."""
    query = select(Filing).where(Filing.id == filing_id, Filing.enterprise_id == actor.enterprise_id)
    if for_update:
        query = query.with_for_update()
    filing = session.scalar(query)
    if filing is None:
        raise NotFound(msg.FILING_NOT_FOUND)
    return filing


def check_if_match(filing: Filing, if_match: str | None) -> None:
    if not if_match:
        raise PreconditionRequired(msg.IF_MATCH_REQUIRED)
    tags = {tag.strip().removeprefix("W/") for tag in if_match.split(",")}
    if "*" not in tags and etag_of(filing) not in tags:
        raise PreconditionFailed(msg.IF_MATCH_STALE, etag=etag_of(filing))


def get_section(business: Business, key: str) -> Section:
    section = business.section(key)
    if section is None:
        options = "、".join(f"{s.key}（{s.label}）" for s in business.sections)
        raise NotFound(msg.SECTION_UNKNOWN.format(section=key, options=options))
    return section


def unseal_sections(services: Services, business: Business, stored: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Stored section values with ID numbers decrypted, for rules and letters (never for responses)."""
    result = {}
    for section in business.sections:
        if section.key in stored:
            result[section.key] = map_sensitive(section, stored[section.key], services.cipher.decrypt)
    return result


def _attachment_counts(filing: Filing) -> Counter[str]:
    return Counter(a.kind for a in filing.attachments)


def _event(
    filing: Filing,
    actor: Actor,
    from_status: str | None,
    to_status: FilingStatus,
    at: datetime,
    note: list[str] | None = None,
) -> None:
    filing.events.append(
        FilingEvent(from_status=from_status, to_status=to_status, actor=actor.as_dict(), note=note or [], at=at)
    )


def _move(filing: Filing, actor: Actor, target: FilingStatus, at: datetime, note: list[str] | None = None) -> None:
    check_transition(filing.status, target)
    _event(filing, actor, filing.status, target, at, note)
    filing.status = target
    filing.updated_at = at


def commit_or_stale(uow: Any, filing: Filing) -> None:
    """Commit; a concurrent change of the same filing (version mismatch) becomes a clean 412."""
    try:
        uow.commit()
    except StaleDataError:
        uow.rollback()
        raise PreconditionFailed(msg.IF_MATCH_STALE) from None


# ---------------------------------------------------------------------------- open


@dataclass(frozen=True)
class Opened:
    filing: dict[str, Any]
    created: bool


def _resolve_enterprise_type(enterprise: Enterprise, requested: str | None) -> EnterpriseType:
    options = "、".join(f"{t.value}（{label}）" for t, label in ENTERPRISE_TYPE_LABELS.items())
    if requested is not None and requested not in EnterpriseType.__members__.values():
        raise ValidationFailed.on(
            "enterprise_type", msg.ENTERPRISE_TYPE_UNKNOWN.format(value=requested, options=options)
        )
    if enterprise.enterprise_type:
        registered = EnterpriseType(enterprise.enterprise_type)
        if requested is not None and requested != registered:
            raise NotApplicable(
                msg.ENTERPRISE_TYPE_MISMATCH.format(
                    registered=ENTERPRISE_TYPE_LABELS[registered],
                    requested=ENTERPRISE_TYPE_LABELS[EnterpriseType(requested)],
                )
            )
        return registered
    if requested is None:
        raise ValidationFailed.on("enterprise_type", msg.ENTERPRISE_TYPE_REQUIRED.format(options=options))
    return EnterpriseType(requested)


def check_applicable(business: Business, enterprise: Enterprise, enterprise_type: EnterpriseType) -> None:
    """Whether this enterprise may use this business at all (type, and filed state for changes)."""
    if enterprise_type not in business.applies_to:
        if enterprise_type in business.refusals:
            raise NotApplicable(business.refusals[enterprise_type])
        raise NotApplicable(
            msg.BUSINESS_NOT_FOR_TYPE.format(
                business=business.label, enterprise_type=ENTERPRISE_TYPE_LABELS[enterprise_type]
            )
        )
    if business.requires_filed_enterprise and enterprise.filed_at is None:
        raise NotApplicable(msg.BUSINESS_NEEDS_FILED_ENTERPRISE.format(business=business.label))


def check_openable(services: Services, actor: Actor, business: Business, enterprise: Enterprise) -> None:
    """The business's rules of stage "open" (e.g. the publicity extension window) allow starting it now."""
    context = ApprovalContext(
        business=business,
        enterprise_id=enterprise.id,
        enterprise_uscc=enterprise.uscc,
        certificate_uscc=actor.certificate_uscc,
        sections={},
        attachment_counts={},
        persons={},
        today=services.today(),
        **_record_facts(services, actor, enterprise),
    )
    reasons = [reason for r in run_rules(business, context, Stage.OPEN) if not r.passed for reason in r.reasons]
    if reasons:
        raise NotApplicable(
            msg.BUSINESS_NOT_OPENABLE.format(business=business.label, reasons="；".join(reasons)),
            errors={"business": reasons},
        )


def _record_facts(services: Services, actor: Actor, enterprise: Enterprise) -> dict[str, Any]:
    """What change rules compare with: the record as filed, the publicity and the certificate's name."""
    return {
        "filed_record": unseal_record(services, enterprise.filed_record),
        "publicity_until": enterprise.publicity_until,
        "publicity_extension_window_days": services.settings.publicity_extension_window_days,
        "certificate_name": actor.certificate_name,
    }


def open_filing(services: Services, actor: Actor, business_key: str, enterprise_type: str | None = None) -> Opened:
    """Open a draft; while one of the same business is open, that one is returned instead."""
    business = get_business(business_key)
    now = services.now()
    with services.uow() as uow:
        enterprise = uow.session.get(Enterprise, actor.enterprise_id)
        if enterprise is None:
            raise NotFound(msg.FILING_NOT_FOUND)
        resolved_type = _resolve_enterprise_type(enterprise, enterprise_type)
        check_applicable(business, enterprise, resolved_type)
        existing = _open_filing_of(uow.session, enterprise.id, business.key)
        if existing is not None:
            return Opened(present_filing(services, uow.session, existing), created=False)
        check_openable(services, actor, business, enterprise)
        # Change businesses start from what is on record; the first filing starts empty, and an
        # appending section (one project per filing) always starts empty.
        prefilled = {
            s.key: enterprise.filed_record[s.record_key]
            for s in business.sections
            if s.record_key and s.record_mode is RecordMode.REPLACE and s.record_key in enterprise.filed_record
        }
        filing = Filing(
            enterprise_id=enterprise.id,
            business=business.key,
            enterprise_type=resolved_type,
            status=FilingStatus.DRAFT,
            sections=prefilled,
            created_by=actor.as_dict(),
            created_at=now,
            updated_at=now,
        )
        _event(filing, actor, None, FilingStatus.DRAFT, now)
        uow.session.add(filing)
        uow.session.flush()
        uow.audit(actor, "filing_opened", f"filing:{filing.id}", now, {"business": business.key})
        uow.commit()
        return Opened(present_filing(services, uow.session, filing), created=True)


def _open_filing_of(session: Session, enterprise_id: int, business_key: str) -> Filing | None:
    return session.scalar(
        select(Filing)
        .where(Filing.enterprise_id == enterprise_id, Filing.business == business_key, Filing.status.in_(OPEN_STATUSES))
        .order_by(Filing.id)
    )


# ---------------------------------------------------------------------------- read


def get_filing(services: Services, actor: Actor, filing_id: int) -> dict[str, Any]:
    with services.uow() as uow:
        return present_filing(services, uow.session, load_filing(uow.session, actor, filing_id))


def list_filings(
    services: Services,
    actor: Actor,
    *,
    status: str | None = None,
    business: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    page: int = 1,
    page_size: int = 20,
) -> dict[str, Any]:
    """查询进疆信息报送记录 and the 草稿箱 (status=draft), newest first."""
    if date_from and date_to and date_from > date_to:
        raise ValidationFailed.on("date_from", msg.DATE_RANGE_INVALID)
    query = select(Filing).where(Filing.enterprise_id == actor.enterprise_id)
    if status:
        query = query.where(Filing.status == status)
    if business:
        query = query.where(Filing.business == get_business(business).key)
    if date_from:
        query = query.where(Filing.created_at >= _day_start(date_from))
    if date_to:
        query = query.where(Filing.created_at < _day_start(date_to + timedelta(days=1)))
    with services.uow() as uow:
        total = uow.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        filings = uow.session.scalars(
            query.order_by(Filing.created_at.desc(), Filing.id.desc()).offset((page - 1) * page_size).limit(page_size)
        ).all()
        return page_envelope([present_filing_summary(f) for f in filings], total, page, page_size)


def _day_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=CHINA_TIME)


# ---------------------------------------------------------------------------- save a section


def save_section(
    services: Services,
    actor: Actor,
    filing_id: int,
    section_key: str,
    values: Mapping[str, Any],
    if_match: str | None,
) -> dict[str, Any]:
    """Save part or all of one section; given keys are validated, ``null`` clears a field."""
    now = services.now()
    with services.uow() as uow:
        filing = load_filing(uow.session, actor, filing_id)
        business = get_business(filing.business)
        section = get_section(business, section_key)
        check_if_match(filing, if_match)
        require_draft(filing.status)
        counts = _attachment_counts(filing)
        for kind_key in section.save_requires:
            if not counts.get(kind_key):
                kind = business.attachment_kind(kind_key)
                text = msg.SECTION_SAVE_NEEDS_ATTACHMENT.format(
                    attachment=kind.label if kind else kind_key, section=section.label
                )
                raise ValidationFailed.on(kind_key, text)
        cleaned = clean_section_values(section, values)
        facts = person_facts(uow.session, [pid for _p, _f, pid in person_ids(section, cleaned.values)])
        for path, fld, person_id in person_ids(section, cleaned.values):
            refusal = person_refusal(facts.get(person_id), filing.enterprise_id, fld.person_must_be_employed)
            if refusal:
                cleaned.errors[path] = f"{fld.label}：{refusal}"
        stored = filing.sections.get(section.key)
        current = map_sensitive(section, stored, services.cipher.decrypt) if stored is not None else {}
        _check_attachment_refs(business, section, filing, current, cleaned.values, cleaned.errors)
        if cleaned.errors:
            raise ValidationFailed(
                msg.SECTION_INVALID.format(section=section.label, count=len(cleaned.errors)), errors=cleaned.errors
            )
        merged = merge_section_values(current, cleaned.values)
        if range_errors := date_range_errors(section, merged):
            raise ValidationFailed(
                msg.SECTION_INVALID.format(section=section.label, count=len(range_errors)), errors=range_errors
            )
        filing.sections = {**filing.sections, section.key: map_sensitive(section, merged, services.cipher.encrypt)}
        filing.updated_at = now
        uow.audit(
            actor,
            "section_saved",
            f"filing:{filing.id}",
            now,
            {"section": section.key, "fields": sorted(cleaned.values)},
        )
        commit_or_stale(uow, filing)
        return present_filing(services, uow.session, filing)


def _check_attachment_refs(
    business: Business,
    section: Section,
    filing: Filing,
    current: Mapping[str, Any],
    values: Mapping[str, Any],
    errors: dict[str, str],
) -> None:
    """A row's scan must be an upload of this filing of the declared kind (references already on
    the draft, e.g. carried over from the filed record, stay valid)."""
    kinds = {a.id: a.kind for a in filing.attachments}
    kept = {ref for _p, _f, ref in attachment_refs(section, current)}
    for path, fld, ref in attachment_refs(section, values):
        if ref not in kept and kinds.get(ref) != fld.attachment_kind:
            kind = business.attachment_kind(fld.attachment_kind)
            errors[path] = f"{fld.label}：" + msg.FIELD_ATTACHMENT_NOT_IN_FILING.format(
                label=kind.label if kind else fld.attachment_kind
            )


# ---------------------------------------------------------------------------- attachments


def upload_attachment(
    services: Services, actor: Actor, filing_id: int, kind_key: str | None, filename: str, stream: BinaryIO
) -> dict[str, Any]:
    """Store an upload after checking its kind, size, count and real content type."""
    now = services.now()
    with services.uow() as uow:
        filing = load_filing(uow.session, actor, filing_id)
        business = get_business(filing.business)
        require_draft(filing.status)
        kind = business.attachment_kind(kind_key or "")
        if kind is None:
            options = "、".join(f"{k.key}（{k.label}）" for k in business.attachment_kinds)
            text = msg.ATTACHMENT_KIND_UNKNOWN.format(kind=kind_key or "", options=options)
            raise ValidationFailed.on("kind", text)
        if _attachment_counts(filing)[kind.key] >= kind.max_count:
            text = msg.ATTACHMENT_TOO_MANY.format(label=kind.label, limit=kind.max_count)
            raise Conflict(text, errors={"kind": text})
        try:
            stored = services.storage.save(
                stream, max_bytes=kind.max_bytes, prefix=f"{filing.enterprise_id}/{filing.id}"
            )
        except PayloadTooLarge:
            text = msg.ATTACHMENT_KIND_TOO_LARGE.format(label=kind.label, limit_mb=kind.max_bytes // (1024 * 1024))
            raise PayloadTooLarge(text, errors={"file": text}) from None
        try:
            if stored.size == 0:
                raise ValidationFailed.on("file", msg.ATTACHMENT_EMPTY)
            content_type = sniff_content_type(stored.head)
            if content_type not in kind.content_types:
                allowed = "、".join(CONTENT_TYPE_LABELS[t] for t in kind.content_types)
                text = msg.ATTACHMENT_TYPE_REFUSED.format(label=kind.label, allowed=allowed)
                raise ValidationFailed.on("file", text)
            attachment = Attachment(
                id=str(uuid4()),
                kind=kind.key,
                filename=_safe_filename(filename),
                content_type=content_type,
                size=stored.size,
                sha256=stored.sha256,
                storage_key=stored.key,
                uploaded_by=actor.as_dict(),
                created_at=now,
            )
            filing.attachments.append(attachment)
            filing.updated_at = now  # bumps the version: two racing uploads cannot both pass the count
            uow.audit(
                actor,
                "attachment_uploaded",
                f"filing:{filing.id}",
                now,
                {"attachment": attachment.id, "kind": kind.key, "size": stored.size, "sha256": stored.sha256},
            )
            try:
                uow.commit()
            except StaleDataError:
                uow.rollback()
                raise Conflict(msg.ATTACHMENT_CONCURRENT) from None
        except BaseException:
            services.storage.delete(stored.key)
            raise
        return present_filing(services, uow.session, filing) | {"attachment": present_attachment(attachment, business)}


def _safe_filename(name: str) -> str:
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    name = "".join(ch for ch in name if ch.isprintable())
    return name[:200] or "附件"


@dataclass(frozen=True)
class AttachmentFile:
    path: Any
    filename: str
    content_type: str
    size: int
    sha256: str


def attachment_file(services: Services, filing: Filing, attachment_id: str) -> AttachmentFile:
    """Where one of the filing's attachments is stored, and how to serve it."""
    attachment = next((a for a in filing.attachments if a.id == attachment_id), None)
    if attachment is None:
        raise NotFound(msg.ATTACHMENT_NOT_FOUND)
    return AttachmentFile(
        services.storage.path(attachment.storage_key),
        attachment.filename,
        attachment.content_type,
        attachment.size,
        attachment.sha256,
    )


def open_attachment(services: Services, actor: Actor, filing_id: int, attachment_id: str) -> AttachmentFile:
    with services.uow() as uow:
        return attachment_file(services, load_filing(uow.session, actor, filing_id), attachment_id)


def delete_attachment(services: Services, actor: Actor, filing_id: int, attachment_id: str) -> dict[str, Any]:
    now = services.now()
    with services.uow() as uow:
        filing = load_filing(uow.session, actor, filing_id)
        attachment = next((a for a in filing.attachments if a.id == attachment_id), None)
        if attachment is None:
            raise NotFound(msg.ATTACHMENT_NOT_FOUND)
        require_draft(filing.status)
        business = get_business(filing.business)
        for section in business.sections:
            for path, _fld, ref in attachment_refs(section, filing.sections.get(section.key) or {}):
                if ref == attachment_id:
                    row = int(path.split("[", 1)[1].split("]", 1)[0]) + 1 if "[" in path else 1
                    raise Conflict(msg.ATTACHMENT_REFERENCED.format(section=section.label, row=row))
        storage_key = attachment.storage_key
        filing.attachments.remove(attachment)
        if filing.signed_letter_id == attachment_id:
            filing.signed_letter_id = None
        filing.updated_at = now
        uow.audit(actor, "attachment_deleted", f"filing:{filing.id}", now, {"attachment": attachment_id})
        commit_or_stale(uow, filing)
        services.storage.delete(storage_key)
        return present_filing(services, uow.session, filing)


# ---------------------------------------------------------------------------- commitment letter


def record_with_draft(
    services: Services, business: Business, enterprise: Enterprise, filing: Filing
) -> dict[str, dict[str, Any]]:
    """The enterprise's filed record as it would be after this filing: record overlaid with the draft."""
    sections_by_record_key = record_sections()
    merged: dict[str, dict[str, Any]] = {}
    for record_key, values in enterprise.filed_record.items():
        section = sections_by_record_key.get(record_key)
        if section is not None and isinstance(values, dict):
            merged[record_key] = map_sensitive(section, values, services.cipher.decrypt)
    for key, values in unseal_sections(services, business, filing.sections).items():
        section = business.section(key)
        if section is not None and section.record_key and section.record_mode is RecordMode.REPLACE:
            merged[section.record_key] = values
    return merged


def commitment_letter(services: Services, actor: Actor, filing_id: int) -> tuple[bytes, str]:
    """The letter PDF pre-filled with the legal representative and the responsible person."""
    with services.uow() as uow:
        filing = load_filing(uow.session, actor, filing_id)
        business = get_business(filing.business)
        enterprise = uow.session.get_one(Enterprise, filing.enterprise_id)
        record = record_with_draft(services, business, enterprise, filing)
        section_key, name_key, id_key = LETTER_LEGAL_REPRESENTATIVE
        legal = record.get(section_key, {})
        person_section, person_key = LETTER_RESPONSIBLE_PERSON
        person_id = record.get(person_section, {}).get(person_key)
        person = uow.session.get(Person, person_id) if person_id else None
        parties = LetterParties(
            enterprise_name=enterprise.name,
            uscc=enterprise.uscc,
            legal_representative_name=legal.get(name_key, ""),
            legal_representative_id_number=legal.get(id_key, ""),
            responsible_person_name=person.name if person else "",
            responsible_person_id_number=services.cipher.decrypt(person.id_number_sealed) if person else "",
            business_label=business.label,
            filing_reference=reference_of(filing),
            issued_on=services.today(),
        )
        uow.audit(actor, "letter_downloaded", f"filing:{filing.id}", services.now())
        uow.commit()
    return render_commitment_letter(parties), f"企业诚信守法承诺书-{reference_of(filing)}.pdf"


# ---------------------------------------------------------------------------- submit and decide


@dataclass(frozen=True)
class SubmitResult:
    filing: dict[str, Any]
    replayed: bool


def _fingerprint(filing_id: int, agreed: bool, signed_letter_id: str | None) -> str:
    payload = json.dumps({"filing": filing_id, "agreed": agreed, "letter": signed_letter_id}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def _replay(session: Session, scope: str, key: str, fingerprint: str) -> dict[str, Any] | None:
    record = session.scalar(
        select(IdempotencyRecord).where(IdempotencyRecord.scope == scope, IdempotencyRecord.key == key)
    )
    if record is None:
        return None
    if record.request_fingerprint != fingerprint:
        raise ValidationFailed.on("Idempotency-Key", msg.IDEMPOTENCY_KEY_REUSED)
    return record.response


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
        if idempotency_key and (previous := _replay(uow.session, scope, idempotency_key, fingerprint)):
            return SubmitResult(previous, replayed=True)
        filing = load_filing(uow.session, actor, filing_id)
        business = get_business(filing.business)
        require_draft(filing.status)
        # Approvals of two businesses of one enterprise each rewrite its whole filed record: serialise them.
        enterprise = uow.session.get_one(Enterprise, filing.enterprise_id, with_for_update=True)
        context = _approval_context(
            services, uow.session, actor, business, enterprise, filing, agreed, signed_letter_id
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
        _move(filing, actor, FilingStatus.SUBMITTED, now)
        uow.audit(actor, "filing_submitted", f"filing:{filing.id}", now, {"business": business.key})
        decision = decide(business, context)
        record_decision(
            services,
            uow,
            filing,
            business,
            enterprise,
            decision.status,
            decision.reasons,
            [_result_view(r) for r in decision.results],
            SYSTEM,
            now,
        )
        view = present_filing(services, uow.session, filing, flush=True)
        if idempotency_key:
            uow.session.add(
                IdempotencyRecord(
                    scope=scope,
                    key=idempotency_key,
                    request_fingerprint=fingerprint,
                    status_code=200,
                    response=view,
                    created_at=now,
                )
            )
        try:
            uow.commit()
        except (StaleDataError, IntegrityError):
            uow.rollback()
            # A concurrent retry of the same submit won the race: answer as it did.
            if idempotency_key and (previous := _replay(uow.session, scope, idempotency_key, fingerprint)):
                return SubmitResult(previous, replayed=True)
            raise Conflict(msg.SUBMIT_CONCURRENT) from None
        return SubmitResult(view, replayed=False)


def _result_view(result: Any) -> dict[str, Any]:
    return {
        "rule": result.key,
        "description": result.description,
        "passed": result.passed,
        "reasons": list(result.reasons),
        "on_failure": result.on_failure.value,
    }


def _approval_context(
    services: Services,
    session: Session,
    actor: Actor,
    business: Business,
    enterprise: Enterprise,
    filing: Filing,
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
        letter = AttachmentFacts(
            attachment.id,
            attachment.kind,
            attachment.content_type,
            readable_pdf=attachment.content_type == "application/pdf"
            and is_readable_pdf(services.storage.path(attachment.storage_key)),
        )
    other_open = (
        session.scalar(
            select(func.count())
            .select_from(Filing)
            .where(
                Filing.enterprise_id == enterprise.id,
                Filing.business == business.key,
                Filing.status.in_(OPEN_STATUSES),
                Filing.id != filing.id,
            )
        )
        or 0
    )
    return ApprovalContext(
        business=business,
        enterprise_id=enterprise.id,
        enterprise_uscc=enterprise.uscc,
        certificate_uscc=actor.certificate_uscc,
        sections=sections,
        attachment_counts=_attachment_counts(filing),
        persons=person_facts(session, chosen),
        today=services.today(),
        agreed=agreed,
        signed_letter=letter,
        other_open_filings=other_open,
        **_record_facts(services, actor, enterprise),
        **verification_facts(services, session, business, enterprise, filing.enterprise_type, sections),
    )


def record_decision(
    services: Services,
    uow: Any,
    filing: Filing,
    business: Business,
    enterprise: Enterprise,
    status: FilingStatus,
    reasons: list[str],
    results: list[dict[str, Any]],
    decider: Actor,
    now: datetime,
    note: list[str] | None = None,
) -> None:
    """Move the filing to its decision and, when approved, apply it to the filed record.

    The notices of the decision (inbox entries and WeChat pushes) are outbox rows of this same
    transaction: a decision is never committed without them, nor they without it.
    """
    _move(filing, decider, status, now, reasons if note is None else note)
    filing.reasons = reasons
    filing.rule_results = results
    if status in (FilingStatus.APPROVED, FilingStatus.REJECTED):
        filing.decided_at = now
    if status is FilingStatus.APPROVED:
        _apply_effects(services, business, enterprise, filing, now)
    uow.audit(
        decider,
        f"filing_{status.value}",
        f"filing:{filing.id}",
        now,
        {"reasons": reasons, "status_label": STATUS_LABELS[status], **({"note": note} if note else {})},
        enterprise_id=enterprise.id,
    )
    record_decision_notices(services, uow, filing, business, status, reasons, now)


def _apply_effects(
    services: Services, business: Business, enterprise: Enterprise, filing: Filing, now: datetime
) -> None:
    before, publicity_before = dict(enterprise.filed_record), enterprise.publicity_until
    record = dict(enterprise.filed_record)
    for effect in business.effects:
        if effect is Effect.APPLY_SECTIONS:
            for section in business.sections:
                if not section.record_key or section.key not in filing.sections:
                    continue
                if section.record_mode is RecordMode.APPEND:
                    entry = {
                        **filing.sections[section.key],
                        "filing_reference": reference_of(filing),
                        "approved_on": services.today().isoformat(),
                    }
                    record[section.record_key] = [*(record.get(section.record_key) or []), entry]
                else:
                    record[section.record_key] = filing.sections[section.key]
        elif effect is Effect.START_PUBLICITY:
            enterprise.filed_at = enterprise.filed_at or now
            # A later start (a further cost-consulting project) never shortens a running publicity.
            starts = services.today() + timedelta(days=services.settings.publicity_validity_days)
            enterprise.publicity_until = max(enterprise.publicity_until or starts, starts)
        elif effect is Effect.EXTEND_PUBLICITY:
            start = max(enterprise.publicity_until or services.today(), services.today())
            enterprise.publicity_until = start + timedelta(days=services.settings.publicity_validity_days)
    enterprise.filed_record = record
    enterprise.enterprise_type = enterprise.enterprise_type or filing.enterprise_type
    enterprise.updated_at = now
    session = object_session(enterprise)
    if session is not None:
        filing.record_changes = record_changes(
            services, session, before, record, publicity_before, enterprise.publicity_until
        )
        refresh_public_entry(services, session, enterprise, now)


# ---------------------------------------------------------------------------- discard


def discard_draft(services: Services, actor: Actor, filing_id: int) -> None:
    now = services.now()
    with services.uow() as uow:
        filing = load_filing(uow.session, actor, filing_id)
        if filing.status != FilingStatus.DRAFT:
            raise Conflict(msg.ONLY_DRAFT_DELETABLE)
        keys = [a.storage_key for a in filing.attachments]
        uow.audit(actor, "draft_discarded", f"filing:{filing.id}", now, {"business": filing.business})
        uow.session.delete(filing)
        uow.commit()
    for key in keys:
        services.storage.delete(key)


# ---------------------------------------------------------------------------- withdraw and copy


def withdraw_filing(services: Services, actor: Actor, filing_id: int, if_match: str | None = None) -> dict[str, Any]:
    """撤回: take back a submitted filing before its decision; it stays in the records as withdrawn."""
    now = services.now()
    with services.uow() as uow:
        filing = load_filing(uow.session, actor, filing_id)
        if if_match:
            check_if_match(filing, if_match)
        if filing.status == FilingStatus.DRAFT:
            raise Conflict(msg.WITHDRAW_DRAFT)
        if filing.status in DECIDED_STATUSES:
            raise Conflict(msg.WITHDRAW_DECIDED.format(status=STATUS_LABELS[FilingStatus(filing.status)]))
        _move(filing, actor, FilingStatus.WITHDRAWN, now)
        uow.audit(actor, "filing_withdrawn", f"filing:{filing.id}", now, {"business": filing.business})
        commit_or_stale(uow, filing)
        return present_filing(services, uow.session, filing)


def copy_filing(services: Services, actor: Actor, filing_id: int) -> dict[str, Any]:
    """A new draft with a rejected (or withdrawn) filing's values and section attachments, to fix and resubmit.

    The signed letter is not copied: it names the old filing and must be signed again.
    """
    now = services.now()
    copied_keys: list[str] = []
    with services.uow() as uow:
        source = load_filing(uow.session, actor, filing_id)
        if source.status not in COPYABLE_STATUSES:
            raise Conflict(msg.COPY_NOT_ALLOWED.format(status=STATUS_LABELS[FilingStatus(source.status)]))
        business = get_business(source.business)
        enterprise = uow.session.get_one(Enterprise, source.enterprise_id)
        check_applicable(business, enterprise, EnterpriseType(source.enterprise_type))
        if (open_one := _open_filing_of(uow.session, enterprise.id, business.key)) is not None:
            raise Conflict(
                msg.COPY_OPEN_EXISTS.format(business=business.label, reference=reference_of(open_one)),
                open_filing_id=open_one.id,
            )
        check_openable(services, actor, business, enterprise)
        filing = Filing(
            enterprise_id=enterprise.id,
            business=business.key,
            enterprise_type=source.enterprise_type,
            status=FilingStatus.DRAFT,
            sections=dict(source.sections),
            copied_from_id=source.id,
            created_by=actor.as_dict(),
            created_at=now,
            updated_at=now,
        )
        _event(filing, actor, None, FilingStatus.DRAFT, now, [msg.COPIED_FROM.format(reference=reference_of(source))])
        uow.session.add(filing)
        uow.session.flush()
        submission_kinds = {k.key for k in business.submission_attachments}
        try:
            for attachment in source.attachments:
                if attachment.kind in submission_kinds:
                    continue
                with services.storage.open(attachment.storage_key) as stream:
                    stored = services.storage.save(
                        stream, max_bytes=attachment.size, prefix=f"{filing.enterprise_id}/{filing.id}"
                    )
                copied_keys.append(stored.key)
                filing.attachments.append(
                    Attachment(
                        id=str(uuid4()),
                        kind=attachment.kind,
                        filename=attachment.filename,
                        content_type=attachment.content_type,
                        size=stored.size,
                        sha256=stored.sha256,
                        storage_key=stored.key,
                        uploaded_by=attachment.uploaded_by,
                        created_at=now,
                    )
                )
            uow.audit(
                actor,
                "filing_copied",
                f"filing:{filing.id}",
                now,
                {"business": business.key, "copied_from": source.id},
            )
            uow.commit()
        except BaseException:
            for key in copied_keys:
                services.storage.delete(key)
            raise
        return present_filing(services, uow.session, filing)


@dataclass(frozen=True)
class DraftState:
    """A filing's content as the rules see it (ID numbers in clear): for guided filling, never responses."""

    filing_id: int
    business: Business
    status: str
    etag: str
    sections: dict[str, dict[str, Any]]
    attachment_counts: Counter[str]


def draft_state(services: Services, actor: Actor, filing_id: int) -> DraftState:
    with services.uow() as uow:
        filing = load_filing(uow.session, actor, filing_id)
        business = get_business(filing.business)
        return DraftState(
            filing.id,
            business,
            filing.status,
            etag_of(filing),
            unseal_sections(services, business, filing.sections),
            _attachment_counts(filing),
        )
