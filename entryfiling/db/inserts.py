"""One INSERT of many rows that skips those whose unique key exists, on PostgreSQL and SQLite alike."""

from __future__ import annotations

from collections.abc import Sequence
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
