"""A Core SELECT run on the PostgreSQL driver's own connection: for the one statement every
authenticated request runs (the session check), and the two every mini-program login runs (the lock
check, and the login's writes: a SELECT whose data-modifying CTEs write the user, its session and
its audit row, one statement and so one transaction by itself, ``Services.one_statement``).

Hand-written on purpose, and only for those: SQLAlchemy's Connection costs about 120 µs of CPU around
a statement (its pool checkout with the isolation level switched and reset, the execution
context, the result wrapper, the events), psycopg alone 30–60 µs for the same statement
(measured side by side on PostgreSQL 15). On a kept records page that difference is a quarter of
the request. The statement is still built with Core and compiled by SQLAlchemy once per dialect;
results go through the columns' own types; errors come out as SQLAlchemy's (so an outage is still
the 503 of ``entryfiling/http/outages.py``); and the statement is announced to the engine's
``before_cursor_execute`` listeners, so whatever counts or watches statements still sees it.
Anything other than PostgreSQL runs it through an ordinary Core connection.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Engine, Select
from sqlalchemy.exc import DBAPIError


class DriverRead:
    """One SELECT, compiled once per engine's dialect; ``one_or_none`` returns the row as a tuple."""

    def __init__(self, statement: Select[Any]) -> None:
        self._statement = statement
        self._compiled: dict[str, tuple[str, dict[str, Any], Sequence[Callable[[Any], Any] | None]]] = {}

    def one_or_none(self, engine: Engine, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """The row, or None. ``engine`` runs statements outside a transaction (AUTOCOMMIT), and
        ``params`` are plain values (strings, numbers): no bind processing is applied to them."""
        if engine.dialect.name != "postgresql":
            with engine.connect() as connection:
                row = connection.execute(self._statement, dict(params)).one_or_none()
            return tuple(row) if row is not None else None
        sql, fixed, processors = self._compile(engine)
        arguments = {**fixed, **params}
        engine.dispatch.before_cursor_execute(None, None, sql, arguments, None, False)
        try:
            pooled = engine.raw_connection()
        except engine.dialect.loaded_dbapi.Error as error:  # the pool's connect is not wrapped by SQLAlchemy
            raise DBAPIError.instance(sql, arguments, error, engine.dialect.loaded_dbapi.Error) from error
        try:
            driver = pooled.driver_connection
            assert driver is not None
            # Outside a transaction, as Services.read_connection: no BEGIN before, no ROLLBACK after.
            driver.autocommit = True
            try:
                values = driver.execute(sql, arguments).fetchone()
            finally:
                if not driver.closed:
                    driver.autocommit = False  # the pool's other users expect transactions
        except engine.dialect.loaded_dbapi.Error as error:
            gone = engine.dialect.is_disconnect(error, pooled.dbapi_connection, None)
            if gone:
                pooled.invalidate(error)
            raise DBAPIError.instance(
                sql, arguments, error, engine.dialect.loaded_dbapi.Error, connection_invalidated=gone
            ) from error
        finally:
            pooled.close()
        if values is None:
            return None
        return tuple(
            value if process is None else process(value) for value, process in zip(values, processors, strict=True)
        )

    def _compile(self, engine: Engine) -> tuple[str, dict[str, Any], Sequence[Callable[[Any], Any] | None]]:
        key = engine.dialect.name
        if key not in self._compiled:
            compiled = self._statement.compile(dialect=engine.dialect)
            processors = [
                column.type.dialect_impl(engine.dialect).result_processor(engine.dialect, None)
                for column in self._statement.selected_columns
            ]
            # Literal values of the statement (e.g. a fixed scope) bound once; the caller's join them.
            self._compiled[key] = (compiled.string, dict(compiled.params), processors)
        return self._compiled[key]
