"""Syncs from the national registry: 一键同步人员注册证书 and 同步资质.

The HTTP layer starts them (a job record, then the dispatcher); a job runs them. Both are
idempotent: a second run with the registry unchanged changes nothing, and a retry after a killed
attempt completes the work and reports against what the first attempt saw (the job's baseline).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from entryfiling import messages as msg
from entryfiling.db.models import Filing
from entryfiling.domain.businesses import Business
from entryfiling.domain.errors import Conflict, NotApplicable, NotFound, ValidationFailed
from entryfiling.domain.fields import RegistrySync, Section
from entryfiling.domain.filing import STATUS_LABELS, FilingStatus, require_draft
from handlers import jobs
from handlers.filings.common import business_of, load_filing
from handlers.services import SYSTEM, Actor, Services

CERTIFICATES = "sync_certificates"
QUALIFICATIONS = "sync_qualifications"
KIND_OF_SYNC = {"certificates": CERTIFICATES, "qualifications": QUALIFICATIONS}
KINDS = frozenset(KIND_OF_SYNC.values())
MAX_WRITE_ATTEMPTS = 5

# ---------------------------------------------------------------------------- starting


def synced_section(business: Business, kind: str | None) -> Section:
    sections = [s for s in business.sections if s.sync and (kind is None or KIND_OF_SYNC[s.sync.kind] == kind)]
    if not sections:
        raise NotApplicable(msg.SYNC_NOT_FOR_BUSINESS.format(business=business.label))
    return sections[0]


def start_filing_sync(services: Services, actor: Actor, filing_id: int, kind: str | None = None) -> jobs.Started:
    """The sync button of a filing: the business declares which registry data fills which section."""
    with services.uow() as uow:
        filing = load_filing(uow, actor, filing_id)
        section = synced_section(business_of(filing), kind)
        require_draft(filing.status)
    assert section.sync is not None
    return jobs.start_job(services, actor, KIND_OF_SYNC[section.sync.kind], filing_id=filing_id)


def start_enterprise_sync(services: Services, actor: Actor, kind: str) -> jobs.Started:
    """Sync outside any filing: refresh the enterprise's synced certificates, or list offered qualifications."""
    return jobs.start_job(services, actor, kind)


# ---------------------------------------------------------------------------- shared helpers


def fingerprint(values: Any) -> str:
    return json.dumps(values, sort_keys=True, ensure_ascii=False)


def draft_for_sync(session: Session, context: jobs.JobContext) -> tuple[Filing, Section, RegistrySync] | None:
    """The filing the job fills, checked to still be a draft of a business with that sync."""
    if context.filing_id is None:
        return None
    filing = session.get(Filing, context.filing_id)
    if filing is None or filing.enterprise_id != context.enterprise_id:
        raise NotFound(msg.FILING_NOT_FOUND)
    if filing.status != FilingStatus.DRAFT:
        raise Conflict(msg.SYNC_FILING_NOT_DRAFT.format(status=STATUS_LABELS[FilingStatus(filing.status)]))
    section = synced_section(business_of(filing), context.kind)
    assert section.sync is not None
    return filing, section, section.sync


RowsFrom = Callable[[list[dict[str, Any]]], list[dict[str, Any]]]


def write_table(services: Services, context: jobs.JobContext, rows_from: RowsFrom) -> bool:
    """Put the synced rows into the draft's table; unchanged rows write nothing (no version bump).

    ``rows_from`` turns the table's current rows into the new ones. A user saving the same draft
    meanwhile bumps its version; the write is then redone on the fresh rows, a bounded number of
    times, so a merge never drops the user's edit.
    """
    for _ in range(MAX_WRITE_ATTEMPTS):
        now = services.now()
        with services.uow() as uow:
            found = draft_for_sync(uow.session, context)
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


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        text = msg.BUSINESS_UNKNOWN.format(business=kind, options="、".join(KINDS))
        raise ValidationFailed.on("kind", text)
    return kind
