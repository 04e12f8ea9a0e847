"""The enterprise's filed record after approval: its change history and its public-register entry.

Both are written in the approval's own transaction (``handlers.filings.decisions``), so whatever a
business changes — first filing, a change, an extension, a project — the history and the register
follow without the business knowing about them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from entryfiling import messages as msg
from entryfiling.db.models import Enterprise, Filing, Person, PublicEntry
from entryfiling.db.uow import UnitOfWork
from entryfiling.domain.businesses import BUSINESSES, ENTERPRISE_TYPE_LABELS, EnterpriseType, record_sections
from entryfiling.domain.fields import RecordMode, map_sensitive_record, person_ids
from entryfiling.domain.filing import FilingStatus, filing_reference
from entryfiling.domain.history import diff_record
from entryfiling.domain.register import public_record, qualification_names
from entryfiling.domain.validators import mask_id_number
from handlers.pages import Page
from handlers.persons import remembered_persons
from handlers.services import Actor, Services


def unseal_record(services: Services, record: Mapping[str, Any]) -> dict[str, Any]:
    """A filed record with ID numbers decrypted (for comparisons and rules, never for responses)."""
    sections = record_sections()
    return {
        key: map_sensitive_record(sections[key], value, services.cipher.decrypt) if key in sections else value
        for key, value in record.items()
    }


def record_person_ids(records: Iterable[Mapping[str, Any]]) -> set[int]:
    sections = record_sections()
    found: set[int] = set()
    for record in records:
        for key, value in record.items():
            section = sections.get(key)
            if section is None:
                continue
            entries = value if section.record_mode is RecordMode.APPEND else [value]
            for entry in entries or []:
                if isinstance(entry, Mapping):
                    found.update(pid for _p, _f, pid in person_ids(section, entry))
    return found


def person_names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    """Names by person id, remembered for the session: an approval needs them for the change list
    and again for the register entry, one query serves both."""
    wanted = set(ids)
    known: dict[int, str | None] = session.info.setdefault("person_names", {})
    # Persons the approval read whole already (``persons_by_id``: the chosen ones) are named from there.
    known.update((pid, p.name) for pid, p in remembered_persons(session).items() if pid in wanted)
    if missing := wanted - known.keys():
        found = dict(session.execute(select(Person.id, Person.name).where(Person.id.in_(missing))).all())
        known.update({pid: found.get(pid) for pid in missing})
    return {pid: name for pid in wanted if (name := known[pid]) is not None}


def record_changes(
    services: Services,
    session: Session,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    publicity_before: date | None,
    publicity_after: date | None,
) -> list[dict[str, Any]]:
    """The before/after list of one approval, ID numbers masked, persons named."""
    old, new = unseal_record(services, before), unseal_record(services, after)
    names = person_names(session, record_person_ids((old, new)))
    changes = diff_record(record_sections(), old, new, names, mask_id_number)
    if publicity_before != publicity_after:
        changes.append(
            {
                "section": "publicity",
                "section_label": msg.CHANGE_PUBLICITY_LABEL,
                "field": "publicity_until",
                "field_label": msg.CHANGE_PUBLICITY_LABEL,
                "change": "added" if publicity_before is None else "modified",
                "before": publicity_before.isoformat() if publicity_before else None,
                "after": publicity_after.isoformat() if publicity_after else None,
            }
        )
    return changes


def refresh_public_entry(services: Services, uow: UnitOfWork, enterprise: Enterprise, now: datetime) -> None:
    """Rewrite the enterprise's register entry from its filed record; unfiled enterprises have none.
    One upsert, at the commit with the audit rows (``UnitOfWork.upsert_at_commit``): whether the
    entry exists (a first filing or a change) needs no read first, and nothing reads it before."""
    if enterprise.filed_at is None:
        return
    record = enterprise.filed_record
    names = person_names(uow.session, record_person_ids((record,)))
    published = public_record(record_sections(), record, names)
    basic = published.get("basic_info", {}).get("values", {})
    table = PublicEntry.__table__
    assert isinstance(table, Table)
    uow.upsert_at_commit(
        table,
        {
            "enterprise_id": enterprise.id,
            "uscc": enterprise.uscc,
            "name": basic.get("enterprise_name") or enterprise.name,
            "enterprise_type": enterprise.enterprise_type,
            "qualification_names": "\n".join(qualification_names(record)),
            "entry": published,
            "filed_at": enterprise.filed_at,
            "publicity_until": enterprise.publicity_until,
            "updated_at": now,
        },
        "enterprise_id",
        ("uscc",),  # as before: an entry keeps the USCC it was created with
    )


# ---------------------------------------------------------------------------- history


@dataclass(frozen=True)
class HistoryEntry:
    filing_id: int
    reference: str
    business: str
    business_label: str
    decided_at: datetime | None
    # The approval's before/after list as stored ({section, field, change, before, after, …}).
    changes: list[dict[str, Any]]


def enterprise_history(services: Services, actor: Actor, page: int, page_size: int) -> Page[HistoryEntry]:
    """Every approved filing that changed the filed record, newest first, with its before/after list."""
    query = select(Filing).where(
        Filing.enterprise_id == actor.enterprise_id,
        Filing.status == FilingStatus.APPROVED,
        Filing.record_changes.is_not(None),
    )
    with services.uow() as uow:
        total = uow.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        filings = uow.session.scalars(
            query.order_by(Filing.decided_at.desc(), Filing.id.desc()).offset((page - 1) * page_size).limit(page_size)
        ).all()
        items = [
            HistoryEntry(
                filing_id=f.id,
                reference=filing_reference(f.id, f.created_at),
                business=f.business,
                business_label=BUSINESSES[f.business].label if f.business in BUSINESSES else f.business,
                decided_at=f.decided_at,
                changes=list(f.record_changes or []),
            )
            for f in filings
        ]
    return Page(items, total, page, page_size)


def type_label(enterprise_type: str | None) -> str | None:
    if enterprise_type is not None and enterprise_type in EnterpriseType.__members__.values():
        return ENTERPRISE_TYPE_LABELS[EnterpriseType(enterprise_type)]
    return None
