"""一键同步人员注册证书: the certificates of the enterprise's employed, verified persons from the
national registry, kept per person and filled into the filing's table."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from entryfiling import messages as msg
from entryfiling.db.models import Employment, Enterprise, Person, PersonCertificate
from entryfiling.domain.businesses import REGISTERED_CERTIFICATE_TYPES
from entryfiling.domain.errors import NotFound
from entryfiling.domain.validators import InvalidValue, parse_iso_date
from entryfiling.integrations.registry import RegistryCertificate, RegistryUnavailable
from handlers import jobs
from handlers.services import Actor, Services
from handlers.sync import draft_for_sync, fingerprint, write_table

CERTIFICATE_CODES = {o.label: o.value for o in REGISTERED_CERTIFICATE_TYPES}

# Registry calls in flight at once for one sync: each waits mostly on the network, so a few threads
# overlap the waits; bounded so one enterprise's sync cannot flood the registry.
REGISTRY_CONCURRENCY = 8
# Persons whose certificates are written in one transaction (and between two progress reports).
SYNC_BATCH = 100

Person3 = tuple[int, str, str]  # id, name, ID number in clear
Fetched = tuple[Person3, "list[RegistryCertificate] | None", "Exception | None"]


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
        held[str(cert.person_id)][_cert_key(cert.certificate_type, cert.certificate_number)] = fingerprint(
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


def _upsert_batch(services: Services, results: list[Fetched], failed: list[dict[str, str]]) -> None:
    """Make our copy of a batch of persons' certificates equal to the registry's, in one transaction:
    one query for what the batch holds, one flush for what changed."""
    now = services.now()
    person_ids = [person_id for (person_id, _name, _id), fetched, _error in results if fetched is not None]
    with services.uow() as uow:
        held_by_person: dict[int, dict[str, PersonCertificate]] = {pid: {} for pid in person_ids}
        if person_ids:
            for c in uow.session.scalars(select(PersonCertificate).where(PersonCertificate.person_id.in_(person_ids))):
                held_by_person[c.person_id][_cert_key(c.certificate_type, c.certificate_number)] = c
        for (person_id, name, _id_number), fetched, error in results:
            if fetched is None:  # one person's bad answer must not sink the others
                reason = getattr(error, "message", str(error))
                failed.append({"item": name, "reason": msg.SYNC_PERSON_FAILED.format(person=name, reason=reason)})
                continue
            _apply_person_certificates(uow.session, held_by_person[person_id], person_id, name, fetched, failed, now)
        uow.commit()


def _apply_person_certificates(
    session: Session,
    held: dict[str, PersonCertificate],
    person_id: int,
    name: str,
    fetched: list[RegistryCertificate],
    failed: list[dict[str, str]],
    now: datetime,
) -> None:
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
            session.add(cert)
            held[key] = cert
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
    for key, cert in list(held.items()):
        if key not in seen:
            session.delete(cert)  # no longer registered


def _fetch_in_parallel(services: Services, people: list[Person3], batch: int) -> Iterator[list[Fetched]]:
    """The registry's answers for ``people``, a batch at a time, in order, with at most
    REGISTRY_CONCURRENCY calls in flight; RegistryUnavailable stops the sync as before."""
    local = threading.local()

    def fetch(person: Person3) -> Fetched:
        client = getattr(local, "client", None)
        if client is None:  # a client (and its HTTP session) per thread
            client = local.client = services.registry()
        try:
            return person, client.certificates(person[2]), None
        except RegistryUnavailable:
            raise
        except Exception as exc:  # one person's bad answer must not sink the others
            return person, None, exc

    with ThreadPoolExecutor(max_workers=REGISTRY_CONCURRENCY, thread_name_prefix="registry") as pool:
        for start in range(0, len(people), batch):
            yield list(pool.map(fetch, people[start : start + batch]))


def sync_certificates(services: Services, context: jobs.JobContext, progress: jobs.Progress) -> dict[str, Any]:
    """For every verified, employed person: fetch registered certificates and upsert them."""
    with services.uow() as uow:
        enterprise = uow.session.get(Enterprise, context.enterprise_id)
        if enterprise is None:
            raise NotFound(msg.ENTERPRISE_NOT_FOUND)
        uscc = enterprise.uscc
        draft_for_sync(uow.session, context)  # fail early when the filing cannot take the rows
        persons = _employed_persons(uow.session, context.enterprise_id)
        person_ids = [p.id for p in persons]
        before = _stored_certificates(uow.session, person_ids)
        # Detached copies: name and sealed ID number are all the loop needs.
        people = [(p.id, p.name, services.cipher.decrypt(p.id_number_sealed)) for p in persons]
    baseline = jobs.keep_baseline(services, context.id, {"certificates": before})["certificates"]
    failed: list[dict[str, str]] = []
    total = len(people)
    progress(0, total)
    done = 0
    for results in _fetch_in_parallel(services, people, SYNC_BATCH):
        _upsert_batch(services, results, failed)
        done += len(results)
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
    flagged: set[tuple[int, str]] = set()
    rows = _filing_rows(services, held, names, uscc, failed, flagged)
    summary = _compare(baseline, after, names, flagged)
    summary["failed"] = failed
    summary["counts"]["failed"] = len(failed)
    if context.filing_id is not None:
        changed = write_table(services, context, lambda _current: rows)
        summary["filing"] = {"id": context.filing_id, "rows": len(rows), "changed": changed}
    return summary


def _compare(
    before: dict[str, dict[str, str]],
    after: dict[str, dict[str, str]],
    names: dict[int, str],
    flagged: set[tuple[int, str]],
) -> dict[str, Any]:
    """What the sync changed, certificate by certificate.

    A certificate reported under ``failed`` (registered elsewhere, expired, unknown type) is counted
    there only, so that added + updated + unchanged are the certificates the enterprise may file.
    """
    added, updated, unchanged, removed = [], [], [], []
    for pid_text in sorted(set(before) | set(after), key=int):
        old, new = before.get(pid_text, {}), after.get(pid_text, {})
        name = names.get(int(pid_text), pid_text)
        for key in sorted(set(old) | set(new)):
            label = f"{name} {key.replace('|', ' ')}"
            if key in new and (int(pid_text), key) in flagged:
                continue
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
    services: Services,
    held: list[PersonCertificate],
    names: dict[int, str],
    uscc: str,
    failed: list[dict[str, str]],
    flagged: set[tuple[int, str]],
) -> list[dict[str, Any]]:
    """The certificates a filing may carry: this enterprise's, of a known type, unexpired.

    The rest are reported in ``failed`` and their keys collected in ``flagged``.
    """
    today = services.today()
    rows = []
    for cert in held:
        name = names[cert.person_id]
        reason = _left_out_because(cert, name, uscc, today)
        if reason is not None:
            failed.append({"item": f"{name} {cert.certificate_type}", "reason": reason})
            flagged.add((cert.person_id, _cert_key(cert.certificate_type, cert.certificate_number)))
            continue
        assert cert.issued_on is not None and cert.valid_until is not None  # checked by _left_out_because
        row = {
            "person": cert.person_id,
            "certificate_type": CERTIFICATE_CODES[cert.certificate_type],
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
    if cert.certificate_type not in CERTIFICATE_CODES:
        return msg.SYNC_CERT_TYPE_UNKNOWN.format(person=name, certificate=cert.certificate_type, number=number)
    if cert.valid_until is not None and cert.valid_until < today:
        return msg.SYNC_CERT_EXPIRED.format(
            person=name, certificate=cert.certificate_type, number=number, date=cert.valid_until.isoformat()
        )
    if cert.issued_on is None or cert.valid_until is None:
        return msg.SYNC_CERT_INVALID.format(
            person=name, certificate=cert.certificate_type, number=number, reason=msg.SYNC_CERT_DATES_MISSING
        )
    return None


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
