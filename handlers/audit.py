"""The security audit log: searched by regulators, pruned after the retention period, never edited.

Rows are written by the use cases (state changes, logins with their result) and by the HTTP
layers (denied requests). Nothing here changes a row; the database refuses UPDATE outright.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import delete, func, select

from entryfiling.db.models import AuditEvent
from entryfiling.domain.filing import CHINA_TIME
from handlers.pages import Page
from handlers.services import Actor, Services


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor_type: str
    actor_id: str
    actor_name: str
    enterprise_id: int | None
    event: str
    object: str
    result: str
    source_address: str | None
    details: dict[str, Any]


@dataclass(frozen=True)
class AuditQuery:
    """Every filter is optional; text filters match exactly except ``object``, which matches a prefix."""

    event: str | None = None
    result: str | None = None
    actor_type: str | None = None
    actor_id: str | None = None
    object: str | None = None
    enterprise_id: int | None = None
    source_address: str | None = None
    date_from: date | None = None
    date_to: date | None = None


def search(services: Services, regulator: Actor, query: AuditQuery, page: int, page_size: int) -> Page[AuditEntry]:
    """Newest first. Reading the audit log is itself audited (who looked, with which filters)."""
    conditions = []
    for column, value in (
        (AuditEvent.action, query.event),
        (AuditEvent.result, query.result),
        (AuditEvent.actor_type, query.actor_type),
        (AuditEvent.actor_id, query.actor_id),
        (AuditEvent.enterprise_id, query.enterprise_id),
        (AuditEvent.source_address, query.source_address),
    ):
        if value is not None:
            conditions.append(column == value)
    if query.object:
        escaped = query.object.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conditions.append(AuditEvent.target.like(f"{escaped}%", escape="\\"))
    if query.date_from:
        conditions.append(AuditEvent.at >= datetime.combine(query.date_from, time.min, CHINA_TIME))
    if query.date_to:
        conditions.append(AuditEvent.at < datetime.combine(query.date_to + timedelta(days=1), time.min, CHINA_TIME))
    now = services.now()
    with services.uow() as uow:
        total = uow.session.scalar(select(func.count()).select_from(AuditEvent).where(*conditions)) or 0
        rows = uow.session.scalars(
            select(AuditEvent)
            .where(*conditions)
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
            .offset((page - 1) * page_size)
            .limit(page_size)
        ).all()
        items = [_entry(row) for row in rows]
        filters = {k: str(v) for k, v in vars(query).items() if v is not None}
        uow.audit(regulator, "audit_searched", "audit_events", now, {"filters": filters, "page": page})
        uow.commit()
    return Page(items, total, page, page_size)


def _entry(row: AuditEvent) -> AuditEntry:
    return AuditEntry(
        row.id,
        row.at,
        row.actor_type,
        row.actor_id,
        row.actor_name,
        row.enterprise_id,
        row.action,
        row.target,
        row.result,
        row.source_address,
        row.details or {},
    )


def prune(services: Services) -> int:
    """Delete the rows older than AUDIT_RETENTION_DAYS; how many went. The prune itself is audited."""
    now = services.now()
    cutoff = now - timedelta(days=services.settings.audit_retention_days)
    with services.uow() as uow:
        removed = uow.session.execute(delete(AuditEvent).where(AuditEvent.at < cutoff)).rowcount  # type: ignore[attr-defined]
        system = Actor("system", "system", "审计日志保留期清理")
        uow.audit(system, "audit_pruned", "audit_events", now, {"removed": removed, "before": cutoff.isoformat()})
        uow.commit()
    return int(removed or 0)
