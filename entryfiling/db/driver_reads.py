"""A Core SELECT run on the PostgreSQL driver's own connection: for the one statement every
authenticated request runs (the session check), and the two every mini-program login runs (the lock
check, and the login's writes: a SELECT whose data-modifying CTEs write the user, its session and
its audit row, one statement and so one transaction by itself, ``Services.one_statement``).

Hand-written on purpose, and only for those: SQLAlchemy's Connection costs about 120 µs of CPU around
a statement (its pool checkout with the isolation level switched and reset, the execution
context, the result wrapper, the events), psycopg alone 30–60 µs for the same statement
(measured side by side on PostgreSQL 15). On a kept records page that difference is a quarter of
the request. The statement is still built with Core and compiled by SQLAlchemy once per dialect;
parameters and results go through the binds' and columns' own types, as SQLAlchemy would pass them;
errors come out as SQLAlchemy's (so an outage is still the 503 of ``entryfiling/http/outages.py``);
and the statement is announced to the engine's ``before_cursor_execute`` listeners, so whatever
counts or watches statements still sees it. Anything other than PostgreSQL runs it through an
ordinary Core connection.

A draft edit (section save, guided answer) runs its read and its write this way too, on the Core
connection it already holds (``one_on``): under load those two statements through SQLAlchemy's
Connection were a fifth of a save worker's CPU (py-spy), a little more than half of it
SQLAlchemy's own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from sqlalchemy import Connection, Dialect, Engine, Select
from sqlalchemy.exc import DBAPIError, StatementError

_Processor = Callable[[Any], Any]
_KEPT_CURSOR = "entryfiling.kept_cursor"


class _Compiled(NamedTuple):
    sql: str
    fixed: dict[str, Any]  # the statement's own literal values, already processed
    binds: dict[str, _Processor]  # the caller's parameters that their type converts
    results: Sequence[_Processor | None]


class DriverRead:
    """One SELECT, compiled once per engine's dialect; ``one_or_none`` returns the row as a tuple."""

    def __init__(self, statement: Select[*tuple[Any, ...]]) -> None:
        self._statement = statement
        self.names = tuple(statement.selected_columns.keys())
        self._compiled: dict[str, _Compiled] = {}

    def one_or_none(self, engine: Engine, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """The row, or None. ``engine`` runs statements outside a transaction (AUTOCOMMIT)."""
        if engine.dialect.name != "postgresql":
            with engine.connect() as connection:
                row = connection.execute(self._statement, dict(params)).one_or_none()
            return tuple(row) if row is not None else None
        compiled = self._compile(engine.dialect)
        arguments = self._arguments(compiled, params)
        engine.dispatch.before_cursor_execute(None, None, compiled.sql, arguments, None, False)
        sql, processors = compiled.sql, compiled.results
        try:
            pooled = engine.raw_connection()
        except engine.dialect.loaded_dbapi.Error as error:  # the pool's connect is not wrapped by SQLAlchemy
            raise DBAPIError.instance(sql, arguments, error, engine.dialect.loaded_dbapi.Error) from error
        try:
            driver = pooled.driver_connection
            assert driver is not None
            # Outside a transaction, as Services.read_connection: no BEGIN before, no ROLLBACK after.
            # A connection of a pool kept in AUTOCOMMIT is left so; one of a transactional pool is
            # switched for the statement and back.
            switched = not driver.autocommit
            if switched:
                driver.autocommit = True
            try:
                values = _cursor(driver, pooled.info).execute(sql, arguments).fetchone()
            finally:
                if switched and not driver.closed:
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
        return _processed(values, processors)

    def one_on(self, connection: Connection, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """``one_or_none`` on a Core connection already open outside a transaction (AUTOCOMMIT, as
        ``Services.read_connection``), on its driver connection: no checkout of another."""
        if connection.dialect.name != "postgresql":
            row = connection.execute(self._statement, dict(params)).one_or_none()
            return tuple(row) if row is not None else None
        values, processors = self._on(connection, params, many=False)
        return _processed(values, processors)

    def one_joining(self, connection: Connection, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """``one_on`` on a connection inside a transaction the caller opened and ends: the statement
        joins it (a write whose data-modifying CTEs belong with the caller's other writes)."""
        if connection.dialect.name != "postgresql":
            row = connection.execute(self._statement, dict(params)).one_or_none()
            return tuple(row) if row is not None else None
        values, processors = self._on(connection, params, many=False, joining=True)
        return _processed(values, processors)

    def all_on(self, connection: Connection, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Every row, as ``one_on`` reads one."""
        if connection.dialect.name != "postgresql":
            return [tuple(row) for row in connection.execute(self._statement, dict(params))]
        rows, processors = self._on(connection, params, many=True)
        return [row for values in rows if (row := _processed(values, processors)) is not None]

    def _on(
        self, connection: Connection, params: Mapping[str, Any], *, many: bool, joining: bool = False
    ) -> tuple[Any, Sequence[Any]]:
        compiled = self._compile(connection.dialect)
        arguments = self._arguments(compiled, params)
        connection.dispatch.before_cursor_execute(connection, None, compiled.sql, arguments, None, False)
        driver = connection.connection.driver_connection
        if joining:
            if driver is None or driver.autocommit or not connection.in_transaction():
                # Its writes belong with the caller's: outside a transaction they would commit alone.
                raise RuntimeError("DriverRead.one_joining needs a connection inside a transaction")
        elif driver is None or not driver.autocommit:
            # A statement meant to be its own transaction must not join (or open) one unseen.
            raise RuntimeError("DriverRead needs a connection outside a transaction (AUTOCOMMIT)")
        error_class = connection.dialect.loaded_dbapi.Error
        try:
            cursor = _cursor(driver, connection.connection.info).execute(compiled.sql, arguments)
            fetched = cursor.fetchall() if many else cursor.fetchone()
        except error_class as error:
            gone = connection.dialect.is_disconnect(error, driver, None)
            if gone:
                connection.invalidate(error)
            raise DBAPIError.instance(
                compiled.sql, arguments, error, error_class, connection_invalidated=gone
            ) from error
        return fetched, compiled.results

    def _arguments(self, compiled: _Compiled, params: Mapping[str, Any]) -> dict[str, Any]:
        arguments = {**compiled.fixed, **params}
        for name, process in compiled.binds.items():
            if name in params:
                try:
                    arguments[name] = process(params[name])
                except Exception as error:  # as SQLAlchemy reports a value its type refuses
                    raise StatementError(str(error), compiled.sql, params, error) from error
        return arguments

    def _compile(self, dialect: Dialect) -> _Compiled:
        key = dialect.name
        if key not in self._compiled:
            compiled = self._statement.compile(dialect=dialect)
            binds: dict[str, _Processor] = {}
            for name, bind in compiled.binds.items():
                process = bind.type.dialect_impl(dialect).bind_processor(dialect)
                if process is not None:
                    binds[name] = process
            # Literal values of the statement (e.g. a fixed scope) bound once; the caller's join them.
            fixed = {name: binds[name](value) if name in binds else value for name, value in compiled.params.items()}
            results = [
                column.type.dialect_impl(dialect).result_processor(dialect, None)
                for column in self._statement.selected_columns
            ]
            self._compiled[key] = _Compiled(compiled.string, fixed, binds, results)
        return self._compiled[key]


def _cursor(driver: Any, info: dict[str, Any]) -> Any:
    """The cursor kept with a driver connection (in its pool entry's ``info``, which lives and dies
    with it), made on its first statement. ``driver.execute`` makes a cursor per statement, and with
    it a loader per result column: ≈ 15 µs of CPU for a ten-column row on psycopg 3.3, a tenth of a
    session check. A pooled connection serves one thread at a time, and each statement here fetches
    its rows before the next runs, so one cursor per connection is enough."""
    cursor = info.get(_KEPT_CURSOR)
    if cursor is None or cursor.closed or cursor.connection is not driver:
        cursor = info[_KEPT_CURSOR] = driver.cursor()
    return cursor


def _processed(values: Sequence[Any] | None, processors: Sequence[_Processor | None]) -> tuple[Any, ...] | None:
    if values is None:
        return None
    return tuple(
        value if process is None else process(value) for value, process in zip(values, processors, strict=True)
    )
