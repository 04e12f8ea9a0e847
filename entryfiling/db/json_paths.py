"""A value inside a JSON column at a fixed path, written exactly as an expression index of it is.

SQLAlchemy's ``column[("a", "b")]`` sends the path as a bound parameter, which no expression index
can serve (the planner sees a parameter, not the path the index was built on). The paths here are
fixed names from our own declarations, never user input, so they are written into the SQL as
literals, in the form the indexes of migration 0013 use: as text on both dialects, so one Python
value compares the same way on PostgreSQL and SQLite.
"""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, String, literal_column

_NAME = re.compile(r"[a-z_][a-z0-9_]*")


def json_text(dialect: str, table: str, column: str, *keys: str) -> ColumnElement[str]:
    """``table.column`` at ``keys`` as text (NULL where the path is absent), in ``dialect``'s SQL."""
    if not keys or not all(_NAME.fullmatch(k) for k in (table, column, *keys)):
        raise ValueError(f"not a plain JSON path: {table}.{column} {keys}")
    return literal_column(json_text_sql(dialect, f"{table}.{column}", *keys), String())


def json_text_sql(dialect: str, column: str, *keys: str) -> str:
    """The SQL of the expression (also what the migration indexes, with the bare column name)."""
    if dialect == "postgresql":
        *inner, last = keys
        return "(" + column + "".join(f" -> '{k}'" for k in inner) + f" ->> '{last}')"
    return f"CAST(json_extract({column}, '$.{'.'.join(keys)}') AS TEXT)"
