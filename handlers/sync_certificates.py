"""一键同步人员注册证书: the certificates of the enterprise's employed, verified persons from the
national registry, kept per person and filled into the filing's table."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from entryfiling import messages as msg
from entryfiling.db.models import Employment, Enterprise, Person, PersonCertificate
from entryfiling.domain.catalogues.certificates import OTHER_REGISTERED_CODE, match_certificate_type
from entryfiling.domain.errors import NotFound
from handlers import jobs
from handlers import sync_batches as batches
from handlers.services import Actor, Services
from handlers.sync import draft_for_sync, write_table


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


def sync_certificates(services: Services, context: jobs.JobContext, progress: jobs.Progress) -> dict[str, Any]:
    """For every verified, employed person: fetch registered certificates and upsert them.

    A batch of persons at a time (batches.SYNC_BATCH): each batch is written in one transaction with
    what it held before (the retry baseline), then counted; the next batches' registry calls run
    meanwhile. Only the filing's table, when the sync fills one, holds a row per certificate.
    """
    with services.uow() as uow:
        enterprise = uow.session.get(Enterprise, context.enterprise_id)
        if enterprise is None:
            raise NotFound(msg.ENTERPRISE_NOT_FOUND)
        uscc = enterprise.uscc
        draft_for_sync(uow.session, context)  # fail early when the filing cannot take the rows
        total = batches.count_persons(uow.session, context.enterprise_id)
    summary = batches.SyncSummary()
    rows: list[dict[str, Any]] = []
    today = services.today()
    progress(0, total)
    done = 0
    people = batches.person_batches(services, context.enterprise_id, batches.SYNC_BATCH)
    for results in batches.fetched_batches(services.registry, people):
        baseline, after = batches.write_batch(services, context.id, results, summary)
        names = {pid: name for (pid, name, _id), _fetched, _error in results}
        flagged: set[tuple[int, str]] = set()
        batch_rows = _filing_rows(after, names, uscc, today, summary, flagged)
        if context.filing_id is not None:
            rows.extend(batch_rows)
        batches.compare_batch(summary, baseline, after, names, flagged)
        done += len(results)
        progress(done, total)
    result = summary.result()
    if context.filing_id is not None:
        changed = write_table(services, context, lambda _current: rows)
        result["filing"] = {"id": context.filing_id, "rows": len(rows), "changed": changed}
    return result


def _filing_rows(
    held: list[PersonCertificate],
    names: dict[int, str],
    uscc: str,
    today: date,
    summary: batches.SyncSummary,
    flagged: set[tuple[int, str]],
) -> list[dict[str, Any]]:
    """The certificates a filing may carry: this enterprise's, of a known type, unexpired.

    The rest are reported as failed and their keys collected in ``flagged``.
    """
    rows = []
    for cert in held:
        name = names[cert.person_id]
        reason = _left_out_because(cert, name, uscc, today)
        if reason is not None:
            summary.fail(f"{name} {cert.certificate_type}", reason)
            flagged.add((cert.person_id, batches.cert_key(cert.certificate_type, cert.certificate_number)))
            continue
        assert cert.issued_on is not None and cert.valid_until is not None  # checked by _left_out_because
        row = {
            "person": cert.person_id,
            "certificate_type": _certificate_code(cert.certificate_type),
            "certificate_type_name": ""
            if match_certificate_type(cert.certificate_type).entry
            else cert.certificate_type[:100],
            "certificate_number": cert.certificate_number,
            "specialty": cert.specialty,
            "registered_enterprise": cert.registered_enterprise_name,
            "issued_on": cert.issued_on.isoformat(),
            "valid_until": cert.valid_until.isoformat(),
        }
        rows.append({k: v for k, v in row.items() if v not in ("", None)})
    return rows


def _left_out_because(cert: PersonCertificate, name: str, uscc: str, today: date) -> str | None:
    """Why a held certificate cannot go into a filing, or None when it can."""
    number = cert.certificate_number
    if cert.registered_enterprise_uscc and cert.registered_enterprise_uscc != uscc:
        return msg.SYNC_CERT_OTHER_ENTERPRISE.format(
            person=name,
            certificate=cert.certificate_type,
            number=number,
            enterprise=cert.registered_enterprise_name or cert.registered_enterprise_uscc,
        )
    if cert.valid_until is not None and cert.valid_until < today:
        return msg.SYNC_CERT_EXPIRED.format(
            person=name, certificate=cert.certificate_type, number=number, date=cert.valid_until.isoformat()
        )
    if cert.issued_on is None or cert.valid_until is None:
        return msg.SYNC_CERT_INVALID.format(
            person=name, certificate=cert.certificate_type, number=number, reason=msg.SYNC_CERT_DATES_MISSING
        )
    return None


def _certificate_code(registry_type: str) -> str:
    """The registry is the truth: a type this catalogue version does not list is kept, as "other"."""
    known = match_certificate_type(registry_type).entry
    return known.code if known else OTHER_REGISTERED_CODE


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
