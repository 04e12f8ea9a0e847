"""Serialising writers of one enterprise across processes, on PostgreSQL and SQLite alike."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from entryfiling.db.models import Enterprise


def lock_enterprise(session: Session, enterprise_id: int) -> Enterprise | None:
    """Hold the enterprise's lock until this transaction ends; read only after calling this.

    PostgreSQL locks the row (``SELECT … FOR UPDATE``), reading the enterprise with it: it is
    returned (None on SQLite), so a use case that needs it does not ask again; later statements
    see what the previous holder committed. SQLite has no row locks and ignores FOR UPDATE: a
    no-op UPDATE takes the database's write lock instead (waiting through busy_timeout), and
    because the driver opens the transaction at that first write, every later read sees the
    latest committed state, so a racing request never works from a stale snapshot (StaleDataError
    at commit).
    """
    if session.get_bind().dialect.name == "sqlite":
        no_op = update(Enterprise).where(Enterprise.id == enterprise_id).values(id=Enterprise.id)
        session.execute(no_op.execution_options(synchronize_session=False))
        return None
    return session.scalar(select(Enterprise).where(Enterprise.id == enterprise_id).with_for_update())
