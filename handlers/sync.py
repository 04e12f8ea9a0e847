"""Syncs from the national registry: 一键同步人员注册证书 and 同步资质.

The HTTP layer starts them (a job record, then the dispatcher); a job runs them. Both are
idempotent: a second run with the registry unchanged changes nothing, and a retry after a killed
attempt completes the work and reports against what the first attempt saw (the job's baseline).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from entryfiling import messages as msg
from entryfiling.db.models import Employment, Enterprise, Filing, Person, PersonCertificate
from entryfiling.domain.businesses import Business
from entryfiling.domain.catalogues.certificates import OTHER_REGISTERED_CODE, match_certificate_type
from entryfiling.domain.errors import Conflict, NotApplicable, NotFound, ValidationFailed
from entryfiling.domain.fields import RegistrySync, Section
from entryfiling.domain.filing import STATUS_LABELS, FilingStatus, require_draft
from entryfiling.domain.validators import InvalidValue, parse_iso_date
from entryfiling.integrations.registry import RegistryCertificate, RegistryQualification, RegistryUnavailable
from handlers import jobs
from handlers.services import SYSTEM, Actor, Services

CERTIFICATES = "sync_certificates"
QUALIFICATIONS = "sync_qualifications"
KIND_OF_SYNC = {"certificates": CERTIFICATES, "qualifications": QUALIFICATIONS}
MAX_WRITE_ATTEMPTS = 5

# ---------------------------------------------------------------------------- starting


def _synced_section(business: Business, kind: str | None) -> Section:
    sections = [s for s in business.sections if s.sync and (kind is None or KIND_OF_SYNC[s.sync.kind] == kind)]
    if not sections:
        raise NotApplicable(msg.SYNC_NOT_FOR_BUSINESS.format(business=business.label))
    return sections[0]


def start_filing_sync(services: Services, actor: Actor, filing_id: int, kind: str | None = None) -> jobs.Started:
    """The sync button of a filing: the business declares which registry data fills which section."""
    from handlers.filings import get_business, load_filing

    with services.uow() as uow:
        filing = load_filing(uow.session, actor, filing_id)
        section = _synced_section(get_business(filing.business), kind)
        require_draft(filing.status)
    assert section.sync is not None
    return jobs.start_job(services, actor, KIND_OF_SYNC[section.sync.kind], filing_id=filing_id)


def start_enterprise_sync(services: Services, actor: Actor, kind: str) -> jobs.Started:
    """Sync outside any filing: refresh the enterprise's synced certificates, or list offered qualifications."""
    return jobs.start_job(services, actor, kind)


# ---------------------------------------------------------------------------- shared helpers


def _fingerprint(values: Any) -> str:
    return json.dumps(values, sort_keys=True, ensure_ascii=False)


def _draft_for_sync(session: Session, context: jobs.JobContext) -> tuple[Filing, Section, RegistrySync] | None:
    """The filing the job fills, checked to still be a draft of a business with that sync."""
    if context.filing_id is None:
        return None
    from handlers.filings import get_business

    filing = session.get(Filing, context.filing_id)
    if filing is None or filing.enterprise_id != context.enterprise_id:
        raise NotFound(msg.FILING_NOT_FOUND)
    if filing.status != FilingStatus.DRAFT:
        raise Conflict(msg.SYNC_FILING_NOT_DRAFT.format(status=STATUS_LABELS[FilingStatus(filing.status)]))
    section = _synced_section(get_business(filing.business), context.kind)
    assert section.sync is not None
    return filing, section, section.sync


RowsFrom = Callable[[list[dict[str, Any]]], list[dict[str, Any]]]


def _write_table(services: Services, context: jobs.JobContext, rows_from: RowsFrom) -> bool:
    """Put the synced rows into the draft's table; unchanged rows write nothing (no version bump).

    ``rows_from`` turns the table's current rows into the new ones. A user saving the same draft
    meanwhile bumps its version; the write is then redone on the fresh rows, a bounded number of
    times, so a merge never drops the user's edit.
    """
    for _ in range(MAX_WRITE_ATTEMPTS):
        now = services.now()
        with services.uow() as uow:
            found = _draft_for_sync(uow.session, context)
            if found is None:
                return False
            filing, section, sync = found
            current = dict(filing.sections.get(section.key) or {})
            rows = rows_from(list(current.get(sync.table) or []))
            if section.key in filing.sections and current.get(sync.table, []) == rows:
                return False
            current[sync.table] = rows
            filing.sections = {**filing.sections, section.key: current}
            filing.updated_at = now
            uow.audit(
                SYSTEM,
                "section_synced",
                f"filing:{filing.id}",
                now,
                {"section": section.key, "job": context.id, "rows": len(rows)},
                enterprise_id=context.enterprise_id,
            )
            try:
                uow.commit()
                return True
            except StaleDataError:
                uow.rollback()
    raise Conflict(msg.SUBMIT_CONCURRENT)


def _date_or_none(text: str) -> date | None:
    return parse_iso_date(text) if text else None


# ---------------------------------------------------------------------------- certificates


def _employed_persons(session: Session, enterprise_id: int) -> list[Person]:
    return list(
        session.scalars(
            select(Person)
            .join(Employment, Employment.person_id == Person.id)
            .where(
                Employment.enterprise_id == enterprise_id,
                Employment.ended_at.is_(None),
                Person.verified_at.is_not(None),
            )
            .order_by(Person.id)
            .distinct()
        )
    )


def _stored_certificates(session: Session, person_ids: list[int]) -> dict[str, dict[str, str]]:
    """person id → certificate key → fingerprint of what we hold."""
    held: dict[str, dict[str, str]] = {str(pid): {} for pid in person_ids}
    if not person_ids:
        return held
    for cert in session.scalars(select(PersonCertificate).where(PersonCertificate.person_id.in_(person_ids))):
        held[str(cert.person_id)][_cert_key(cert.certificate_type, cert.certificate_number)] = _fingerprint(
            _cert_values(cert)
        )
    return held


def _cert_key(certificate_type: str, number: str) -> str:
    return f"{certificate_type}|{number}"


def _cert_values(cert: PersonCertificate) -> dict[str, Any]:
    return {
        "specialty": cert.specialty,
        "registered_enterprise_name": cert.registered_enterprise_name,
        "registered_enterprise_uscc": cert.registered_enterprise_uscc,
        "issued_on": cert.issued_on.isoformat() if cert.issued_on else None,
        "valid_until": cert.valid_until.isoformat() if cert.valid_until else None,
    }


def _upsert_person_certificates(
    services: Services, person_id: int, name: str, fetched: list[RegistryCertificate], failed: list[dict[str, str]]
) -> None:
    """Make our copy of one person's certificates equal to the registry's, in one transaction."""
    now = services.now()
    with services.uow() as uow:
        held = {
            _cert_key(c.certificate_type, c.certificate_number): c
            for c in uow.session.scalars(select(PersonCertificate).where(PersonCertificate.person_id == person_id))
        }
        seen: set[str] = set()
        for item in fetched:
            label = item.certificate_type or "证书"
            try:
                if not item.certificate_type or not item.certificate_number:
                    raise InvalidValue(msg.INVALID_VALUE_MISSING)
                issued_on, valid_until = _date_or_none(item.issued_on), _date_or_none(item.valid_until)
            except InvalidValue as exc:
                reason = msg.SYNC_CERT_INVALID.format(
                    person=name, certificate=label, number=item.certificate_number, reason=exc.message
                )
                failed.append({"item": f"{name} {label}", "reason": reason})
                seen.add(_cert_key(item.certificate_type, item.certificate_number))  # keep what we hold
                continue
            key = _cert_key(item.certificate_type, item.certificate_number)
            seen.add(key)
            cert = held.get(key)
            if cert is None:
                cert = PersonCertificate(
                    person_id=person_id,
                    certificate_type=item.certificate_type[:64],
                    certificate_number=item.certificate_number[:64],
                    synced_at=now,
                )
                uow.session.add(cert)
            values = {
                "specialty": item.specialty[:100],
                "registered_enterprise_name": item.registered_enterprise_name[:200],
                "registered_enterprise_uscc": item.registered_enterprise_uscc[:18],
                "issued_on": issued_on,
                "valid_until": valid_until,
            }
            if any(getattr(cert, k, None) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(cert, k, v)
                cert.synced_at = now
        for key, cert in held.items():
            if key not in seen:
                uow.session.delete(cert)  # no longer registered
        uow.commit()


def sync_certificates(services: Services, context: jobs.JobContext, progress: jobs.Progress) -> dict[str, Any]:
    """For every verified, employed person: fetch registered certificates and upsert them."""
    client = services.registry()
    with services.uow() as uow:
        enterprise = uow.session.get(Enterprise, context.enterprise_id)
        if enterprise is None:
            raise NotFound(msg.ENTERPRISE_NOT_FOUND)
        uscc = enterprise.uscc
        _draft_for_sync(uow.session, context)  # fail early when the filing cannot take the rows
        persons = _employed_persons(uow.session, context.enterprise_id)
        person_ids = [p.id for p in persons]
        before = _stored_certificates(uow.session, person_ids)
        # Detached copies: name and sealed ID number are all the loop needs.
        people = [(p.id, p.name, services.cipher.decrypt(p.id_number_sealed)) for p in persons]
    baseline = jobs.keep_baseline(services, context.id, {"certificates": before})["certificates"]
    failed: list[dict[str, str]] = []
    total = len(people)
    progress(0, total)
    for done, (person_id, name, id_number) in enumerate(people, start=1):
        try:
            fetched = client.certificates(id_number)
        except RegistryUnavailable:
            raise
        except Exception as exc:  # one person's bad answer must not sink the others
            reason = getattr(exc, "message", str(exc))
            failed.append({"item": name, "reason": msg.SYNC_PERSON_FAILED.format(person=name, reason=reason)})
        else:
            _upsert_person_certificates(services, person_id, name, fetched, failed)
        progress(done, total)

    with services.uow() as uow:
        after = _stored_certificates(uow.session, person_ids)
        held = list(
            uow.session.scalars(
                select(PersonCertificate)
                .where(PersonCertificate.person_id.in_(person_ids))
                .order_by(PersonCertificate.person_id, PersonCertificate.certificate_type)
            )
        )
    names = {pid: name for pid, name, _ in people}
    summary = _compare(baseline, after, names)
    rows = _filing_rows(services, held, names, uscc, failed)
    summary["failed"] = failed
    summary["counts"]["failed"] = len(failed)
    if context.filing_id is not None:
        changed = _write_table(services, context, lambda _current: rows)
        summary["filing"] = {"id": context.filing_id, "rows": len(rows), "changed": changed}
    return summary


def _compare(
    before: dict[str, dict[str, str]], after: dict[str, dict[str, str]], names: dict[int, str]
) -> dict[str, Any]:
    added, updated, unchanged, removed = [], [], [], []
    for pid_text in sorted(set(before) | set(after), key=int):
        old, new = before.get(pid_text, {}), after.get(pid_text, {})
        name = names.get(int(pid_text), pid_text)
        for key in sorted(set(old) | set(new)):
            label = f"{name} {key.replace('|', ' ')}"
            if key not in old:
                added.append(label)
            elif key not in new:
                removed.append(label)
            elif old[key] != new[key]:
                updated.append(label)
            else:
                unchanged.append(label)
    return {
        "counts": {"added": len(added), "updated": len(updated), "unchanged": len(unchanged), "removed": len(removed)},
        "added": added,
        "updated": updated,
        "removed": removed,
    }


def _filing_rows(
    services: Services, held: list[PersonCertificate], names: dict[int, str], uscc: str, failed: list[dict[str, str]]
) -> list[dict[str, Any]]:
    """The certificates a filing may carry: this enterprise's, of a known type, unexpired; the rest flagged."""
    today = services.today()
    rows = []
    for cert in held:
        name = names[cert.person_id]
        item = f"{name} {cert.certificate_type}"
        if cert.registered_enterprise_uscc and cert.registered_enterprise_uscc != uscc:
            reason = msg.SYNC_CERT_OTHER_ENTERPRISE.format(
                person=name,
                certificate=cert.certificate_type,
                number=cert.certificate_number,
                enterprise=cert.registered_enterprise_name or cert.registered_enterprise_uscc,
            )
            failed.append({"item": item, "reason": reason})
            continue
        # The registry is the truth: a type this catalogue version does not list is kept, with its wording.
        known = match_certificate_type(cert.certificate_type).entry
        code = known.code if known else OTHER_REGISTERED_CODE
        if cert.valid_until is not None and cert.valid_until < today:
            reason = msg.SYNC_CERT_EXPIRED.format(
                person=name,
                certificate=cert.certificate_type,
                number=cert.certificate_number,
                date=cert.valid_until.isoformat(),
            )
            failed.append({"item": item, "reason": reason})
            continue
        if cert.issued_on is None or cert.valid_until is None:
            reason = msg.SYNC_CERT_INVALID.format(
                person=name, certificate=cert.certificate_type, number=cert.certificate_number, reason="缺少日期"
            )
            failed.append({"item": item, "reason": reason})
            continue
        row = {
            "person": cert.person_id,
            "certificate_type": code,
            "certificate_type_name": "" if known else cert.certificate_type[:100],
            "certificate_number": cert.certificate_number,
            "specialty": cert.specialty,
            "registered_enterprise": cert.registered_enterprise_name,
            "issued_on": cert.issued_on.isoformat(),
            "valid_until": cert.valid_until.isoformat(),
        }
        rows.append({k: v for k, v in row.items() if v not in ("", None)})
    return rows


def enterprise_certificates(services: Services, actor: Actor) -> list[dict[str, Any]]:
    """What the last syncs hold for the employed persons; certificates of other enterprises flagged."""
    with services.uow() as uow:
        enterprise = uow.session.get(Enterprise, actor.enterprise_id)
        if enterprise is None:
            raise NotFound(msg.ENTERPRISE_NOT_FOUND)
        persons = {p.id: p.name for p in _employed_persons(uow.session, enterprise.id)}
        held = uow.session.scalars(
            select(PersonCertificate)
            .where(PersonCertificate.person_id.in_(list(persons)))
            .order_by(PersonCertificate.person_id, PersonCertificate.certificate_type)
        ).all()
        return [
            {
                "person": {"id": c.person_id, "name": persons[c.person_id]},
                "certificate_type": c.certificate_type,
                "certificate_number": c.certificate_number,
                "specialty": c.specialty,
                "registered_enterprise": c.registered_enterprise_name,
                "issued_on": c.issued_on.isoformat() if c.issued_on else None,
                "valid_until": c.valid_until.isoformat() if c.valid_until else None,
                "registered_elsewhere": bool(c.registered_enterprise_uscc)
                and c.registered_enterprise_uscc != enterprise.uscc,
                "synced_at": c.synced_at.isoformat(),
            }
            for c in held
        ]


# ---------------------------------------------------------------------------- qualifications

QUALIFICATION_COLUMNS = ("name", "certificate_number", "valid_until", "issuing_authority", "issued_on")


def _qual_key(row: dict[str, Any]) -> str:
    return f"{row.get('name', '')}|{row.get('certificate_number', '')}"


def _qualification_row(item: RegistryQualification) -> dict[str, Any]:
    if not item.name or not item.certificate_number or not item.valid_until or not item.issued_on:
        raise InvalidValue(msg.INVALID_VALUE_MISSING)
    row = {
        "name": item.name[:200],
        "certificate_number": item.certificate_number[:50],
        "valid_until": parse_iso_date(item.valid_until).isoformat(),
        "issuing_authority": item.issuing_authority[:100],
        "issued_on": parse_iso_date(item.issued_on).isoformat(),
    }
    return {k: v for k, v in row.items() if v}


def sync_qualifications(services: Services, context: jobs.JobContext, progress: jobs.Progress) -> dict[str, Any]:
    """Fetch the enterprise's qualifications and offer new or changed ones (merged into the draft)."""
    client = services.registry()
    progress(0, 1)
    with services.uow() as uow:
        enterprise = uow.session.get(Enterprise, context.enterprise_id)
        if enterprise is None:
            raise NotFound(msg.ENTERPRISE_NOT_FOUND)
        uscc = enterprise.uscc
        found = _draft_for_sync(uow.session, context)
        if found is not None:
            filing, section, _sync = found
            current_values = dict(filing.sections.get(section.key) or {})
        else:
            current_values = dict(enterprise.filed_record.get("qualifications") or {})
    rows_now = list(current_values.get("qualifications") or [])
    cancelled = {_qual_key(r) for r in current_values.get("cancelled_qualifications") or []}
    baseline = jobs.keep_baseline(services, context.id, {"rows": rows_now})["rows"]

    fetched = client.qualifications(uscc)
    failed: list[dict[str, str]] = []
    offered: list[dict[str, Any]] = []
    for item in fetched:
        try:
            offered.append(_qualification_row(item))
        except InvalidValue as exc:
            reason = msg.SYNC_QUALIFICATION_INVALID.format(
                name=item.name, number=item.certificate_number, reason=exc.message
            )
            failed.append({"item": item.name or item.certificate_number, "reason": reason})

    def merged_with(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        by_key = {_qual_key(r): i for i, r in enumerate(rows)}
        merged = [dict(r) for r in rows]
        for row in offered:
            key = _qual_key(row)
            if key in cancelled:
                continue
            if key in by_key:
                merged[by_key[key]] = {**merged[by_key[key]], **row}
            else:
                by_key[key] = len(merged)
                merged.append(row)
        return merged

    before = {_qual_key(r): r for r in baseline}
    added, updated, unchanged = [], [], []
    for row in offered:
        key = _qual_key(row)
        label = f"{row['name']}（{row['certificate_number']}）"
        if key in cancelled:
            reason = msg.SYNC_QUALIFICATION_CANCELLED.format(name=row["name"], number=row["certificate_number"])
            failed.append({"item": label, "reason": reason})
        elif key not in before:
            added.append(label)
        elif {**before[key], **row} != before[key]:
            updated.append(label)
        else:
            unchanged.append(label)
    summary: dict[str, Any] = {
        "counts": {"added": len(added), "updated": len(updated), "unchanged": len(unchanged), "failed": len(failed)},
        "added": added,
        "updated": updated,
        "failed": failed,
        "offered": [row for row in offered if _qual_key(row) not in cancelled],
    }
    if context.filing_id is not None:
        changed = _write_table(services, context, merged_with)
        summary["filing"] = {"id": context.filing_id, "rows": len(merged_with(rows_now)), "changed": changed}
    progress(1, 1)
    return summary


USE_CASES: dict[str, jobs.UseCase] = {CERTIFICATES: sync_certificates, QUALIFICATIONS: sync_qualifications}


def check_kind(kind: str) -> str:
    if kind not in USE_CASES:
        text = msg.BUSINESS_UNKNOWN.format(business=kind, options="、".join(USE_CASES))
        raise ValidationFailed.on("kind", text)
    return kind
