"""One INSERT of many rows that skips those whose unique key exists, on PostgreSQL and SQLite alike."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_new_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]], key: str) -> list[int]:
    """Insert ``rows`` in one statement, leaving out each whose ``key`` is already taken; the ids of
    the rows inserted. ``INSERT … ON CONFLICT DO NOTHING RETURNING id`` both dialects speak, where the
    ORM way (a savepoint and a flush per row, catching the IntegrityError) is three round trips a row.
    """
    if not rows:
        return []
    dialect = sqlite if session.get_bind().dialect.name == "sqlite" else postgresql
    statement = dialect.insert(table).values(list(rows)).on_conflict_do_nothing(index_elements=[key])
    return list(session.scalars(statement.returning(table.c.id)))


def upsert_row(
    session: Session, table: Table, row: dict[str, Any], key: str, *, insert_only: Sequence[str] = ()
) -> None:
    """Insert ``row``, or update the row whose ``key`` it names (but for the ``insert_only`` columns):
    ``INSERT … ON CONFLICT (key) DO UPDATE`` in one statement on both dialects, where reading the row
    first to decide was a round trip more."""
    statement = _upsert(session.get_bind().dialect.name, table, key, tuple(row), tuple(insert_only))
    session.execute(statement, row)


@lru_cache(maxsize=64)
def _upsert(dialect_name: str, table: Table, key: str, columns: tuple[str, ...], insert_only: tuple[str, ...]) -> Any:
    """Built once per shape, values bound at execution: constructing the statement per call was
    most of its cost."""
    dialect = sqlite if dialect_name == "sqlite" else postgresql
    statement = dialect.insert(table)
    changed = {c: statement.excluded[c] for c in columns if c != key and c not in insert_only}
    return statement.on_conflict_do_update(index_elements=[key], set_=changed)
