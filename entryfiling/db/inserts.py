"""Statements that write many rows, or rows of several tables, in one round trip, on PostgreSQL and SQLite alike."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import BindParameter, Table, bindparam, insert, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from entryfiling.db.driver_reads import DriverRead


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


# The rows written as one statement at most: a use case's few (its audit rows, a session, a register
# entry). A job's batch of hundreds goes as one INSERT per table, as executemany, which has no limit
# on parameters (a statement has, 65,535) and compiles no statement per number of rows.
_AT_ONCE_ROWS = 16


class Upsert(NamedTuple):
    """A row to insert into ``table``, or to update the row whose ``key`` it names (but for the
    ``insert_only`` columns): ``upsert_row``'s arguments, kept for ``insert_together``."""

    table: Table
    row: dict[str, Any]
    key: str
    insert_only: tuple[str, ...] = ()


def insert_together(
    session: Session, rows_by_table: dict[Table, list[dict[str, Any]]], upserts: Sequence[Upsert] = ()
) -> None:
    """Insert rows of several tables, and upsert rows, that nothing reads back inside the
    transaction (a use case's audit rows, a login's session, an approval's register entry): one
    statement on PostgreSQL, each table's rows one multi-row ``VALUES`` in their order (their ids
    keep it) and each part a data-modifying CTE, in the caller's transaction. A multi-row
    ``VALUES`` has no cache key, so SQLAlchemy would compile it on every call: the statement is
    compiled once per shape (tables, columns, numbers of rows) and run on the driver
    (``DriverRead.one_joining``). SQLite has no such CTE and no round trip to save (it runs in this
    process): there, and for more than ``_AT_ONCE_ROWS`` rows, one INSERT per table, one upsert per
    row."""
    tables = [(table, rows) for table, rows in rows_by_table.items() if rows]
    if session.autoflush:
        session.flush()  # as session.execute would first: rows these name may still be pending
    connection = session.connection()
    few = sum(len(rows) for _table, rows in tables) + len(upserts) <= _AT_ONCE_ROWS
    if connection.dialect.name != "postgresql" or not few:
        for table, rows in tables:
            session.execute(insert(table), rows)
        for upsert in upserts:
            upsert_row(session, upsert.table, upsert.row, upsert.key, insert_only=upsert.insert_only)
        return
    if not tables and not upserts:
        return
    params: dict[str, Any] = {}
    inserted = []
    for n, (table, rows) in enumerate(tables):
        columns = tuple(rows[0])
        if any(tuple(row) != columns for row in rows):
            raise ValueError(f"rows for {table.name} name different columns")
        inserted.append((table, columns, len(rows)))
        params |= bound_values(f"i{n}_", rows)
    upserted = []
    for n, upsert in enumerate(upserts):
        upserted.append((upsert.table, tuple(upsert.row), upsert.key, upsert.insert_only))
        params |= bound_values(f"u{n}_", [upsert.row])
    _together(tuple(inserted), tuple(upserted)).one_joining(connection, params)


def bound_rows(prefix: str, table: Table, columns: Sequence[str], count: int) -> list[dict[str, BindParameter[Any]]]:
    """``count`` rows of ``columns`` for a multi-row ``VALUES`` whose values come at execution: bound
    parameters ``<prefix><row>_<column>``, typed as the table's columns (``bound_values`` names them)."""
    return [
        {column: bindparam(f"{prefix}{m}_{column}", type_=table.c[column].type) for column in columns}
        for m in range(count)
    ]


def bound_values(prefix: str, rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The values of ``rows`` under the names ``bound_rows`` gave their parameters."""
    return {f"{prefix}{m}_{column}": value for m, row in enumerate(rows) for column, value in row.items()}


@lru_cache(maxsize=128)
def _together(
    inserted: tuple[tuple[Table, tuple[str, ...], int], ...],
    upserted: tuple[tuple[Table, tuple[str, ...], str, tuple[str, ...]], ...],
) -> DriverRead:
    """The statement for these rows, with bound parameters ``i<table>_<row>_<column>`` and
    ``u<upsert>_<column>``, built and compiled once per shape."""
    statement = select(literal(1))
    for n, (table, columns, count) in enumerate(inserted):
        rows = bound_rows(f"i{n}_", table, columns, count)
        statement = statement.add_cte(insert(table).values(rows).cte(f"inserted_{n}"))
    for n, (table, columns, key, insert_only) in enumerate(upserted):
        (row,) = bound_rows(f"u{n}_", table, columns, 1)
        upsert = _upsert("postgresql", table, key, columns, insert_only).values(row)
        statement = statement.add_cte(upsert.cte(f"upserted_{n}"))
    return DriverRead(statement)


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
