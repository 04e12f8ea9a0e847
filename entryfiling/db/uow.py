"""Unit of work: one session and one transaction per use case, plus the audit trail."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from types import TracebackType
from typing import Any, cast

from sqlalchemy import ColumnElement, Insert, Table, bindparam, insert, literal, select
from sqlalchemy.orm import Session, sessionmaker

from entryfiling.db.inserts import Upsert, insert_together
from entryfiling.db.models import AuditEvent
from entryfiling.db.repositories import FilingRepository

_AUDIT_EVENTS = cast(Table, AuditEvent.__table__)

#: The client address of the request being served (set by the HTTP layers; none in jobs), so every
#: audit row says where it came from without each use case passing it along.
SOURCE_ADDRESS: ContextVar[str | None] = ContextVar("source_address", default=None)


class UnitOfWork:
    session: Session
    filings: FilingRepository

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory

    def __enter__(self) -> UnitOfWork:
        self.session = self._session_factory()
        self.filings = FilingRepository(self.session)
        self._after_commit: list[Callable[[], None]] = []
        self._audits: list[dict[str, Any]] = []
        self._inserts: dict[Table, list[dict[str, Any]]] = {}
        self._upserts: list[Upsert] = []
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is not None:
            self.session.rollback()
        self.session.close()

    def commit(self) -> None:
        if self._audits:
            # The use case's audit rows, all in one INSERT just before the commit: nothing reads them
            # inside the transaction, and objects flushed one by one cost a unit-of-work pass, a
            # RETURNING of ids nobody uses and, for two rows, a round trip more. On the table, not the
            # entity: the ORM's bulk INSERT would still ask for the ids back.
            self._inserts.setdefault(_AUDIT_EVENTS, []).extend(self._audits)
            self._audits = []
        if self._inserts or self._upserts:
            # With the rows queued by insert_at_commit and upsert_at_commit: one statement on PostgreSQL.
            inserts, upserts, self._inserts, self._upserts = self._inserts, self._upserts, {}, []
            insert_together(self.session, inserts, upserts)
        self.session.commit()
        hooks, self._after_commit = self._after_commit, []
        for hook in hooks:
            hook()

    def rollback(self) -> None:
        self.session.rollback()
        self._after_commit = []
        self._audits = []
        self._inserts = {}
        self._upserts = []

    def insert_at_commit(self, table: Table, row: dict[str, Any]) -> None:
        """Insert ``row`` into ``table`` at ``commit``, together with the audit rows: for a row that
        nothing reads inside the transaction (a login's session), which then costs no round trip
        of its own. Dropped with the rest on a rollback."""
        self._inserts.setdefault(table, []).append(row)

    def upsert_at_commit(self, table: Table, row: dict[str, Any], key: str, insert_only: tuple[str, ...] = ()) -> None:
        """``inserts.upsert_row`` at ``commit``, together with the audit rows, for a row nothing reads
        inside the transaction (an approval's register entry). Dropped with the rest on a rollback."""
        self._upserts.append(Upsert(table, row, key, insert_only))

    def after_commit(self, hook: Callable[[], None]) -> None:
        """Run ``hook`` once this transaction is committed (never if it is rolled back): what must
        only happen when the change is durable, such as handing an outbox row to the job queue."""
        self._after_commit.append(hook)

    def audit(
        self,
        actor: Any,
        action: str,
        target: str,
        at: Any,
        details: dict[str, Any] | None = None,
        enterprise_id: int | None = None,
        result: str = "success",
    ) -> None:
        """Record a state change in the same transaction as the change itself (written at ``commit``)."""
        self._audits.append(audit_row(actor, action, target, at, details, enterprise_id, result))


def audit_row(
    actor: Any,
    action: str,
    target: str,
    at: Any,
    details: dict[str, Any] | None = None,
    enterprise_id: int | None = None,
    result: str = "success",
) -> dict[str, Any]:
    """An audit row's values, for ``UnitOfWork.audit`` and for a write that records its own (a draft's save)."""
    return {
        "result": result,
        "source_address": SOURCE_ADDRESS.get(),
        "at": at,
        "actor_type": actor.kind,
        "actor_id": actor.id,
        "actor_name": actor.name,
        "enterprise_id": enterprise_id if enterprise_id is not None else actor.enterprise_id,
        "action": action,
        "target": target,
        "details": details or {},
    }


def audit_insert(actor: Any, action: str, target: ColumnElement[str], at: Any, details: ColumnElement[Any]) -> Insert:
    """``INSERT INTO audit_events … SELECT`` of the one audit row ``audit_row`` describes, where the
    actor's kind, id and name, the target and the details are expressions of the statement this is
    part of (a data-modifying CTE beside the write it audits, whose values it names); the source
    address is bound as ``audit_source_address`` (``audit_params``). Built once, not per request."""
    row = audit_row(actor, action, "", at) | {
        "target": target,
        "details": details,
        "source_address": bindparam("audit_source_address", type_=_AUDIT_EVENTS.c.source_address.type),
    }
    values = [
        value if isinstance(value, ColumnElement) else literal(value, _AUDIT_EVENTS.c[column].type)
        for column, value in row.items()
    ]
    return insert(_AUDIT_EVENTS).from_select(list(row), select(*values))


def audit_params() -> dict[str, Any]:
    """What ``audit_insert``'s statement binds besides the caller's own values."""
    return {"audit_source_address": SOURCE_ADDRESS.get()}
