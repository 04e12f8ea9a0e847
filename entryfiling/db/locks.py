"""Serialising writers of one enterprise across processes, on PostgreSQL and SQLite alike."""

from __future__ import annotations

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from entryfiling.db.models import Enterprise

# Built once, the id bound at execution (every submit and approval takes the lock).
_LOCKED_ENTERPRISE = select(Enterprise).where(Enterprise.id == bindparam("eid")).with_for_update()
_TAKE_WRITE_LOCK = (
    update(Enterprise)
    .where(Enterprise.id == bindparam("eid"))
    .values(id=Enterprise.id)
    .execution_options(synchronize_session=False)
)


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
        session.execute(_TAKE_WRITE_LOCK, {"eid": enterprise_id})
        return None
    return session.scalar(_LOCKED_ENTERPRISE, {"eid": enterprise_id})
