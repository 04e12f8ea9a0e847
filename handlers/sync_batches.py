"""The moving parts of a certificate sync, batch by batch, so that its memory does not grow with the
number of persons: persons read a batch at a time, registry answers fetched ahead of the writes,
certificates written with bulk statements, and a summary that counts everything but keeps only a
bounded sample of what it names."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from entryfiling import messages as msg
from entryfiling.db.models import Employment, Person, PersonCertificate, SyncBaseline
from entryfiling.domain.validators import InvalidValue, parse_iso_date
from entryfiling.integrations.registry import RegistryCertificate, RegistryClient, RegistryUnavailable
from handlers.services import Services
from handlers.sync import fingerprint

# Registry calls in flight at once for one sync: each waits mostly on the network, so a few threads
# overlap the waits; bounded so one enterprise's sync cannot flood the registry.
REGISTRY_CONCURRENCY = 8
# Persons whose certificates are written in one transaction (and between two progress reports).
SYNC_BATCH = 100
# Batches whose registry calls are under way while the previous one is written: the writes and the
# waits overlap, and no more than this many batches of answers are held at once.
BATCHES_AHEAD = 2
# Labels kept per list of the summary (added, updated, removed) and failures kept by name; the
# counts are always complete.
SUMMARY_SAMPLE = 100
FAILED_SAMPLE = 500

Person3 = tuple[int, str, str]  # id, name, ID number in clear
Fetched = tuple[Person3, "list[RegistryCertificate] | None", "Exception | None"]
CERT_VALUE_KEYS = ("specialty", "registered_enterprise_name", "registered_enterprise_uscc", "issued_on", "valid_until")


def cert_key(certificate_type: str, number: str) -> str:
    return f"{certificate_type}|{number}"


def _fingerprint_of(values: dict[str, Any]) -> str:
    return fingerprint({k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()})


@dataclass
class SyncSummary:
    """What the sync changed: complete counts, the first SUMMARY_SAMPLE labels of each kind."""

    counts: dict[str, int] = field(
        default_factory=lambda: {"added": 0, "updated": 0, "unchanged": 0, "removed": 0, "failed": 0}
    )
    samples: dict[str, list[str]] = field(default_factory=lambda: {"added": [], "updated": [], "removed": []})
    failed: list[dict[str, str]] = field(default_factory=list)

    def note(self, change: str, label: str) -> None:
        self.counts[change] += 1
        sample = self.samples.get(change)
        if sample is not None and len(sample) < SUMMARY_SAMPLE:
            sample.append(label)

    def fail(self, item: str, reason: str) -> None:
        self.counts["failed"] += 1
        if len(self.failed) < FAILED_SAMPLE:
            self.failed.append({"item": item, "reason": reason})

    def result(self) -> dict[str, Any]:
        truncated = any(self.counts[k] > len(v) for k, v in self.samples.items())
        truncated = truncated or self.counts["failed"] > len(self.failed)
        result: dict[str, Any] = {"counts": dict(self.counts), **self.samples, "failed": self.failed}
        if truncated:
            result["sample_limit"] = {"labels": SUMMARY_SAMPLE, "failed": FAILED_SAMPLE}
        return result


# ---------------------------------------------------------------------------- reading persons


def _employed(enterprise_id: int) -> Any:
    return Employment.enterprise_id == enterprise_id, Employment.ended_at.is_(None), Person.verified_at.is_not(None)


def count_persons(session: Session, enterprise_id: int) -> int:
    return (
        session.scalar(
            select(func.count(func.distinct(Person.id)))
            .join(Employment, Employment.person_id == Person.id)
            .where(*_employed(enterprise_id))
        )
        or 0
    )


def person_batches(services: Services, enterprise_id: int, size: int) -> Iterator[list[Person3]]:
    """The verified, employed persons in id order, a batch per short read (keyset, not offset):
    only one batch's ID numbers are ever in clear in memory."""
    after_id = 0
    while True:
        with services.reader() as uow:
            rows = uow.session.execute(
                select(Person.id, Person.name, Person.id_number_sealed)
                .join(Employment, Employment.person_id == Person.id)
                .where(*_employed(enterprise_id), Person.id > after_id)
                .order_by(Person.id)
                .distinct()
                .limit(size)
            ).all()
        if not rows:
            return
        yield [(row.id, row.name, services.cipher.decrypt(row.id_number_sealed)) for row in rows]
        after_id = rows[-1].id


# ---------------------------------------------------------------------------- fetching


def fetched_batches(
    make_client: Callable[[], RegistryClient], batches: Iterable[list[Person3]]
) -> Iterator[list[Fetched]]:
    """The registry's answers, batch by batch in order, with REGISTRY_CONCURRENCY calls in flight and
    the next BATCHES_AHEAD batches fetched while the caller writes one. RegistryUnavailable stops it."""
    local = threading.local()

    def fetch(person: Person3) -> Fetched:
        client = getattr(local, "client", None)
        if client is None:  # a client per thread (they share the process's kept-alive connections)
            client = local.client = make_client()
        try:
            return person, client.certificates(person[2]), None
        except RegistryUnavailable:
            raise
        except Exception as exc:  # one person's bad answer must not sink the others
            return person, None, exc

    pool = ThreadPoolExecutor(max_workers=REGISTRY_CONCURRENCY, thread_name_prefix="registry")
    pending: deque[list[Future[Fetched]]] = deque()
    try:
        for batch in batches:
            pending.append([pool.submit(fetch, person) for person in batch])
            if len(pending) > BATCHES_AHEAD:
                yield [future.result() for future in pending.popleft()]
        while pending:
            yield [future.result() for future in pending.popleft()]
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


# ---------------------------------------------------------------------------- writing


def _date_or_none(text: str) -> date | None:
    return parse_iso_date(text) if text else None


def _held(session: Session, person_ids: list[int]) -> dict[int, dict[str, tuple[int, dict[str, Any]]]]:
    """person id → certificate key → (row id, values) of what we hold."""
    held: dict[int, dict[str, tuple[int, dict[str, Any]]]] = {pid: {} for pid in person_ids}
    columns = [getattr(PersonCertificate, k) for k in CERT_VALUE_KEYS]
    rows = session.execute(
        select(
            PersonCertificate.id,
            PersonCertificate.person_id,
            PersonCertificate.certificate_type,
            PersonCertificate.certificate_number,
            *columns,
        ).where(PersonCertificate.person_id.in_(person_ids))
    )
    for row in rows:
        values = dict(zip(CERT_VALUE_KEYS, row[4:], strict=True))
        held[row.person_id][cert_key(row.certificate_type, row.certificate_number)] = (row.id, values)
    return held


def _baseline(session: Session, job_id: str, held: dict[int, dict[str, tuple[int, dict[str, Any]]]]) -> Any:
    """What each person of the batch held when this job first wrote them: the stored rows of an
    earlier attempt, else what is held now (then stored, in the transaction that changes it)."""
    stored: dict[int, dict[str, str]] = dict(
        session.execute(
            select(SyncBaseline.person_id, SyncBaseline.held).where(
                SyncBaseline.job_id == job_id, SyncBaseline.person_id.in_(list(held))
            )
        ).all()
    )
    fresh = {
        pid: {key: _fingerprint_of(values) for key, (_id, values) in certs.items()}
        for pid, certs in held.items()
        if pid not in stored
    }
    if fresh:
        session.execute(
            insert(SyncBaseline), [{"job_id": job_id, "person_id": pid, "held": v} for pid, v in fresh.items()]
        )
    return {**stored, **fresh}


@dataclass
class _Plan:
    inserts: list[dict[str, Any]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    deletes: list[int] = field(default_factory=list)


def _plan_person(
    plan: _Plan,
    held: dict[str, tuple[int, dict[str, Any]]],
    person_id: int,
    name: str,
    fetched: list[RegistryCertificate],
    summary: SyncSummary,
    now: datetime,
) -> None:
    """What makes our copy of one person's certificates equal to the registry's."""
    seen: set[str] = set()
    for item in fetched:
        label = item.certificate_type or "证书"
        key = cert_key(item.certificate_type, item.certificate_number)
        seen.add(key)  # an invalid one keeps what we hold
        try:
            if not item.certificate_type or not item.certificate_number:
                raise InvalidValue(msg.INVALID_VALUE_MISSING)
            issued_on, valid_until = _date_or_none(item.issued_on), _date_or_none(item.valid_until)
        except InvalidValue as exc:
            reason = msg.SYNC_CERT_INVALID.format(
                person=name, certificate=label, number=item.certificate_number, reason=exc.message
            )
            summary.fail(f"{name} {label}", reason)
            continue
        values = {
            "specialty": item.specialty[:100],
            "registered_enterprise_name": item.registered_enterprise_name[:200],
            "registered_enterprise_uscc": item.registered_enterprise_uscc[:18],
            "issued_on": issued_on,
            "valid_until": valid_until,
        }
        if key not in held:
            plan.inserts.append(
                {
                    "person_id": person_id,
                    "certificate_type": item.certificate_type[:64],
                    "certificate_number": item.certificate_number[:64],
                    "synced_at": now,
                    **values,
                }
            )
            held[key] = (0, values)  # a repeated entry in the answer is written once
        elif held[key][1] != values and held[key][0]:
            plan.updates.append({"id": held[key][0], "synced_at": now, **values})
    plan.deletes.extend(row_id for key, (row_id, _v) in held.items() if key not in seen and row_id)


def write_batch(
    services: Services, job_id: str, results: list[Fetched], summary: SyncSummary
) -> tuple[dict[int, dict[str, str]], list[PersonCertificate]]:
    """Make our copy of a batch of persons' certificates equal to the registry's, in one transaction
    of bulk statements. Returns the batch's baseline and what it holds afterwards (by person, type)."""
    now = services.now()
    person_ids = [person[0] for person, _fetched, _error in results]
    with services.uow() as uow:
        session = uow.session
        held = _held(session, person_ids)
        baseline = _baseline(session, job_id, held)
        plan = _Plan()
        for (person_id, name, _id_number), fetched, error in results:
            if fetched is None:  # one person's bad answer must not sink the others
                reason = getattr(error, "message", str(error))
                summary.fail(name, msg.SYNC_PERSON_FAILED.format(person=name, reason=reason))
                continue
            _plan_person(plan, held[person_id], person_id, name, fetched, summary, now)
        if plan.inserts:
            session.execute(insert(PersonCertificate), plan.inserts)
        if plan.updates:
            session.execute(update(PersonCertificate), plan.updates)
        if plan.deletes:
            session.execute(delete(PersonCertificate).where(PersonCertificate.id.in_(plan.deletes)))
        after = list(
            session.scalars(
                select(PersonCertificate)
                .where(PersonCertificate.person_id.in_(person_ids))
                .order_by(PersonCertificate.person_id, PersonCertificate.certificate_type)
            )
        )
        uow.commit()
    return baseline, after


def compare_batch(
    summary: SyncSummary,
    baseline: dict[int, dict[str, str]],
    after: list[PersonCertificate],
    names: dict[int, str],
    flagged: set[tuple[int, str]],
) -> None:
    """Count what the sync changed in one batch, certificate by certificate, against the baseline.

    A certificate reported under ``failed`` (registered elsewhere, expired, unknown type) is counted
    there only, so that added + updated + unchanged are the certificates the enterprise may file.
    """
    now_held: dict[int, dict[str, str]] = {pid: {} for pid in baseline}
    for cert in after:
        values = {k: getattr(cert, k) for k in CERT_VALUE_KEYS}
        now_held.setdefault(cert.person_id, {})[cert_key(cert.certificate_type, cert.certificate_number)] = (
            _fingerprint_of(values)
        )
    for pid in sorted(now_held):
        old, new = baseline.get(pid, {}), now_held[pid]
        name = names.get(pid, str(pid))
        for key in sorted(set(old) | set(new)):
            if key in new and (pid, key) in flagged:
                continue
            label = f"{name} {key.replace('|', ' ')}"
            if key not in old:
                summary.note("added", label)
            elif key not in new:
                summary.note("removed", label)
            elif old[key] != new[key]:
                summary.note("updated", label)
            else:
                summary.note("unchanged", label)
