"""Statements that write many rows, or rows of several tables, in one round trip, on PostgreSQL and SQLite alike."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Table, bindparam, insert
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
    audit row, a login's session) in one round trip on PostgreSQL when each table has one row:
    each but the last as a data-modifying CTE (``WITH rows_0 AS (INSERT …) INSERT …``). Otherwise
    one INSERT per table, its rows in order (PostgreSQL runs the parts of a WITH in no set order,
    so two rows of one table could take their ids the other way round; a multi-row ``VALUES`` would
    keep the order but has no cache key, and compiling it on every commit costs what the round trip
    saves). SQLite has no such CTE and no round trip to save (it runs in this process)."""
    tables = [(table, rows) for table, rows in rows_by_table.items() if rows]
    single = all(len(rows) == 1 for _table, rows in tables)
    if len(tables) == 1 or not single or session.get_bind().dialect.name == "sqlite":
        for table, rows in tables:
            session.execute(insert(table), rows)
        return
    shape = tuple((table, tuple(rows[0])) for table, rows in tables)
    params = {f"r{n}_{column}": value for n, (_table, rows) in enumerate(tables) for column, value in rows[0].items()}
    session.execute(_together(shape), params)


@lru_cache(maxsize=64)
def _together(shape: tuple[tuple[Table, tuple[str, ...]], ...]) -> Any:
    """The statement for one row of each of these tables with these columns, with bound parameters
    ``r<n>_<column>``: built once per shape, so SQLAlchemy keeps its compiled form."""
    inserts = [
        insert(table).values({column: bindparam(f"r{n}_{column}") for column in columns})
        for n, (table, columns) in enumerate(shape)
    ]
    *others, statement = inserts
    for n, other in enumerate(others):
        statement = statement.add_cte(other.cte(f"rows_{n}"))
    return statement


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
