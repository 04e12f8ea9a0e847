"""Editing a draft (section save, guided answer): its reads and its one write, on one connection.

The hottest writes of a deadline rush. They run SQLAlchemy Core statements built once at import: the
draft is read as rows (no ORM load, identity map or lazy load of its attachments and events) and
saved by one conditional UPDATE, where the ORM loaded the filing, lazy-loaded its children and
flushed it back. Reads run outside a transaction, as every read view does; the write is atomic on
its own (below), so a save is a handful of round trips, not BEGIN … COMMIT around them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, Engine, bindparam, cast, insert, select, update
from sqlalchemy.orm import Session

from entryfiling import messages as msg
from entryfiling.db.driver_reads import DriverRead
from entryfiling.db.models import Attachment, AuditEvent, Filing, FilingConversation
from entryfiling.db.repositories import FilingReads, StoredFiling
from entryfiling.domain.errors import NotFound
from entryfiling.domain.filing import FilingStatus

_DRAFT_COLUMNS = (
    Filing.id,
    Filing.enterprise_id,
    Filing.business,
    Filing.enterprise_type,
    Filing.status,
    Filing.version,
    Filing.sections,
)
# A draft with its attachments' ids and kinds (one row per attachment, joined) and what the guided
# flows remember of it: the only read of a guided answer.
_DRAFT_WITH_REMEMBERED = (
    select(*_DRAFT_COLUMNS, Attachment.id.label("attachment_id"), Attachment.kind, FilingConversation.state)
    .outerjoin(Attachment, Attachment.filing_id == Filing.id)
    .outerjoin(FilingConversation, FilingConversation.filing_id == Filing.id)
    .where(Filing.id == bindparam("filing_id"), Filing.enterprise_id == bindparam("enterprise_id"))
)
# Optimistic concurrency in the statement itself: the row is written only if it is still the
# enterprise's draft at the version the save was checked against (If-Match), so a change committed
# in between (another save, an upload, a submit: each moves the version) leaves it untouched and the
# save gets its 412. The version moves as the ORM's version counter moves it, so both kinds of
# writer check each other.
_SAVE_SECTIONS = (
    update(Filing)
    .where(
        Filing.id == bindparam("saved_id"),
        Filing.enterprise_id == bindparam("owner_id"),
        Filing.version == bindparam("read_version"),
        Filing.status == FilingStatus.DRAFT.value,
    )
    .values(
        sections=bindparam("new_sections", type_=Filing.sections.type),
        updated_at=bindparam("saved_at", type_=Filing.updated_at.type),
        version=Filing.version + 1,
    )
    .returning(Filing.version)
)
_AUDIT_COLUMNS = (
    AuditEvent.result,
    AuditEvent.source_address,
    AuditEvent.at,
    AuditEvent.actor_type,
    AuditEvent.actor_id,
    AuditEvent.actor_name,
    AuditEvent.enterprise_id,
    AuditEvent.action,
    AuditEvent.target,
    AuditEvent.details,
)


def _saved_and_audited() -> Any:
    """PostgreSQL: the UPDATE and its audit row as one statement (a data-modifying CTE is atomic by
    itself): ``WITH saved AS (UPDATE … RETURNING version), audited AS (INSERT INTO audit_events …
    SELECT … FROM saved) SELECT version FROM saved``. The audit row is written exactly when the
    UPDATE wrote the filing (one row of ``saved``), never otherwise."""
    saved = _SAVE_SECTIONS.cte("saved")
    audit_values = select(
        *(cast(bindparam(f"audit_{column.key}", type_=column.type), column.type) for column in _AUDIT_COLUMNS)
    ).select_from(saved)
    audited = insert(AuditEvent).from_select([column.key for column in _AUDIT_COLUMNS], audit_values).cte("audited")
    return select(saved.c.version).add_cte(audited)


# On the driver's connection (``DriverRead.one_on``), as the session check.
_SAVE_SECTIONS_AUDITED = DriverRead(_saved_and_audited())


class AttachmentKind(NamedTuple):
    id: str
    kind: str


@dataclass(frozen=True, slots=True)
class StoredDraft:
    """What editing a draft reads of it: its content and which attachments of which kinds it holds."""

    id: int
    enterprise_id: int
    business: str
    enterprise_type: str
    status: str
    version: int
    sections: dict[str, Any]
    attachments: list[AttachmentKind]


def read_draft_with_remembered(
    connection: Connection, enterprise_id: int | None, filing_id: int
) -> tuple[StoredDraft, Any]:
    """The enterprise's filing as editing reads it, and what the guided flows remember of it (the
    stored state, ``None`` before the first), in one statement; another's filing is not found."""
    rows = connection.execute(_DRAFT_WITH_REMEMBERED, {"filing_id": filing_id, "enterprise_id": enterprise_id}).all()
    if not rows:
        raise NotFound(msg.FILING_NOT_FOUND)
    first = rows[0]
    attachments = [AttachmentKind(row.attachment_id, row.kind) for row in rows if row.attachment_id is not None]
    draft = StoredDraft(
        first.id,
        first.enterprise_id,
        first.business,
        first.enterprise_type,
        first.status,
        first.version,
        first.sections,
        attachments,
    )
    return draft, first.state


class DraftEditor:
    """The reads and the save of one draft edit, on a connection outside a transaction.

    The save is atomic either way: on PostgreSQL one statement writes the filing and its audit row;
    SQLite has no data-modifying CTE, so there the UPDATE and the audit INSERT run in one short
    transaction of their own. Reading outside the write's transaction is safe because the UPDATE
    checks the version read: whatever changed the draft in between also moved its version."""

    def __init__(self, connection: Connection, engine: Engine) -> None:
        self.connection = connection
        self._engine = engine
        self._session: Session | None = None
        self._in_one_statement = connection.dialect.name == "postgresql"

    def stored(self, enterprise_id: int | None, filing_id: int) -> StoredFiling:
        """The enterprise's filing as a view shows it, read as the detail reads it (one statement on
        PostgreSQL, two on SQLite): a section save checks it and answers with it."""
        return FilingReads(self.connection).of_enterprise(enterprise_id, filing_id)

    def draft_with_remembered(self, enterprise_id: int | None, filing_id: int) -> tuple[StoredDraft, Any]:
        return read_draft_with_remembered(self.connection, enterprise_id, filing_id)

    def session(self) -> Session:
        """An ORM session on this connection, for the few reads written for the ORM (the facts of
        chosen persons); made only when a save chooses persons."""
        if self._session is None:
            self._session = Session(bind=self.connection)
        return self._session

    def save_sections(
        self,
        enterprise_id: int,
        filing_id: int,
        read_version: int,
        sections: dict[str, Any],
        at: datetime,
        audit: dict[str, Any],
    ) -> int | None:
        """Write a draft's sections, with ``audit`` (``uow.audit_row``), if it is still the draft read
        at ``read_version``: its new version, or ``None`` when it has moved on since (nothing written)."""
        parameters = {
            "saved_id": filing_id,
            "owner_id": enterprise_id,
            "read_version": read_version,
            "new_sections": sections,
            "saved_at": at,
        }
        version: int | None
        if self._in_one_statement:
            audited = {f"audit_{key}": value for key, value in audit.items()}
            row = _SAVE_SECTIONS_AUDITED.one_on(self.connection, {**parameters, **audited})
            return None if row is None else int(row[0])
        with self._engine.begin() as transaction:
            version = transaction.execute(_SAVE_SECTIONS, parameters).scalar_one_or_none()
            if version is not None:
                transaction.execute(insert(AuditEvent), audit)
        return version

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
        self.connection.close()


@contextmanager
def editing(read_connection: Connection, engine: Engine) -> Iterator[DraftEditor]:
    """A ``DraftEditor`` on ``read_connection`` (outside a transaction), closed after use."""
    editor = DraftEditor(read_connection, engine)
    try:
        yield editor
    finally:
        editor.close()
