"""One INSERT of many rows that skips those whose unique key exists, on PostgreSQL and SQLite alike."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, insert
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


def insert_together(session: Session, rows_by_table: dict[Table, list[dict[str, Any]]]) -> None:
    """Insert rows of several tables that nothing reads back inside the transaction (a use case's
    audit rows, a login's session) in one round trip on PostgreSQL: each table but the last as a
    data-modifying CTE (``WITH s AS (INSERT …) INSERT …``). SQLite has no such CTE and no round
    trip to save (it runs in this process), so there it is one INSERT per table. One table alone is
    one INSERT of its rows on both."""
    tables = [(table, rows) for table, rows in rows_by_table.items() if rows]
    if len(tables) == 1 or session.get_bind().dialect.name == "sqlite":
        for table, rows in tables:
            session.execute(insert(table), rows)
        return
    *others, (last, last_rows) = tables
    statement = insert(last).values(last_rows)
    for n, (table, rows) in enumerate(others):
        statement = statement.add_cte(insert(table).values(rows).cte(f"rows_{n}"))
    session.execute(statement)
