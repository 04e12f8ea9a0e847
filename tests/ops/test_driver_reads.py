"""The session check's driver-level read: the same row as Core, seen by statement listeners, an
outage still SQLAlchemy's error, and the pooled connection handed back as it was taken."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import JSON, Integer, String, bindparam, cast, create_engine, func, literal, select, update
from sqlalchemy.exc import DBAPIError, OperationalError, StatementError

from entryfiling.db.driver_reads import DriverRead
from entryfiling.db.models import AuthSession, UTCDateTime

_SESSION = select(
    AuthSession.audience, AuthSession.last_seen_at, AuthSession.revoked_at, literal(7).label("fixed")
).where(AuthSession.id == bindparam("sid"))


def _auth_session(sid: str, audience: str, subject: str, at: datetime, expires_at: datetime) -> AuthSession:
    return AuthSession(
        id=sid, audience=audience, subject=subject, created_at=at, last_seen_at=at, expires_at=expires_at
    )


@pytest.fixture
def session_row(services):
    now = datetime.now(UTC).replace(microsecond=0)
    with services.uow() as uow:
        uow.session.add(_auth_session("s-1", "a", "1", now, now + timedelta(1)))
        uow.commit()
    return now


def test_the_row_is_the_one_core_reads_with_its_types(services, session_row):
    read = DriverRead(_SESSION)
    row = services.read_row(read, {"sid": "s-1"})
    with services.read_connection() as connection:
        expected = tuple(connection.execute(_SESSION, {"sid": "s-1"}).one())
    assert row == expected == ("a", session_row, None, 7)
    assert row is not None and row[1].tzinfo is not None
    assert services.read_row(read, {"sid": "nobody"}) is None


def test_statement_listeners_see_it(services, session_row):
    seen: list[str] = []
    record = lambda _c, _cur, statement, *_a: seen.append(statement)  # noqa: E731
    with services.listening("before_cursor_execute", record):
        services.read_row(DriverRead(_SESSION), {"sid": "s-1"})
    assert len(seen) == 1 and "auth_sessions" in seen[0]


def test_the_pooled_connection_goes_back_transactional(services, session_row):
    """A read outside a transaction must not leave its connection so for the next unit of work."""
    read = DriverRead(_SESSION)
    for _ in range(3):
        services.read_row(read, {"sid": "s-1"})
    with services.uow() as uow:
        uow.session.add(_auth_session("s-2", "a", "2", session_row, session_row))
        uow.session.flush()
        uow.session.rollback()
    assert services.read_row(read, {"sid": "s-2"}) is None


def test_an_unreachable_database_is_sqlalchemys_operational_error():
    """So the outage handler answers 503, as for any other statement."""
    engine = create_engine(
        "postgresql+psycopg://nobody@127.0.0.1:9/none", connect_args={"connect_timeout": 1}
    ).execution_options(isolation_level="AUTOCOMMIT")
    with pytest.raises(OperationalError):
        DriverRead(_SESSION).one_or_none(engine, {"sid": "s-1"})


_TYPED = select(
    bindparam("document", type_=JSON).label("document"),
    bindparam("at", type_=UTCDateTime()).label("at"),
)


def test_parameters_go_through_their_types_as_sqlalchemy_passes_them(services):
    """A JSON document and a datetime at +08:00, as a save binds them; a naive one is refused, as
    UTCDateTime refuses it through SQLAlchemy."""
    read = DriverRead(_TYPED)
    at = datetime(2026, 12, 1, 16, 30, tzinfo=timezone(timedelta(hours=8)))
    row = services.read_row(read, {"document": {"名称": "新疆建设", "行": [1, 2]}, "at": at})
    assert row == ({"名称": "新疆建设", "行": [1, 2]}, datetime(2026, 12, 1, 8, 30, tzinfo=UTC))
    assert row is not None and row[1].utcoffset() == timedelta(0)
    with pytest.raises(StatementError, match="naive"):
        services.read_row(read, {"document": {}, "at": datetime(2026, 12, 1, 8, 30)})


def test_one_on_reads_on_the_connection_held(services, session_row):
    read = DriverRead(_SESSION)
    seen: list[str] = []
    record = lambda _c, _cur, statement, *_a: seen.append(statement)  # noqa: E731
    with services.listening("before_cursor_execute", record), services.read_connection() as connection:
        row = read.one_on(connection, {"sid": "s-1"})
        missing = read.one_on(connection, {"sid": "nobody"})
        expected = tuple(connection.execute(_SESSION, {"sid": "s-1"}).one())
    assert row == expected and missing is None
    assert len(seen) == 3
    assert read.names == ("audience", "last_seen_at", "revoked_at", "fixed")


def test_one_on_refuses_a_connection_inside_a_transaction(services, session_row):
    """Its statements are their own transactions: run inside one they would commit with it, unseen."""
    if services.engine.dialect.name != "postgresql":
        pytest.skip("the driver path is PostgreSQL's")
    with services.engine.connect() as connection, pytest.raises(RuntimeError):
        DriverRead(_SESSION).one_on(connection, {"sid": "s-1"})


def test_one_joining_writes_with_the_callers_transaction_and_refuses_to_run_alone(services, session_row):
    """Its writes belong with the caller's others: rolled back with them, and never run outside a
    transaction, where they would commit alone."""
    if services.engine.dialect.name != "postgresql":
        pytest.skip("the driver path is PostgreSQL's")
    revoked = (
        update(AuthSession)
        .where(AuthSession.id == bindparam("sid"))
        .values(revoked_at=bindparam("at", type_=UTCDateTime()))
        .returning(AuthSession.id)
        .cte("revoked")
    )
    write = DriverRead(select(func.count()).select_from(revoked))
    with services.engine.connect() as connection:
        with connection.begin() as transaction:
            assert write.one_joining(connection, {"sid": "s-1", "at": session_row}) == (1,)
            assert connection.execute(select(AuthSession.revoked_at)).scalar_one() == session_row
            transaction.rollback()
        assert connection.execute(select(AuthSession.revoked_at)).scalar_one() is None
        connection.rollback()
    with services.read_connection() as connection, pytest.raises(RuntimeError):
        write.one_joining(connection, {"sid": "s-1", "at": session_row})
    with services.read_connection() as connection:
        assert connection.execute(select(AuthSession.revoked_at)).scalar_one() is None


def test_all_on_reads_every_row_as_core_does(services, session_row):
    with services.uow() as uow:
        uow.session.add(_auth_session("s-2", "b", "2", session_row, session_row + timedelta(1)))
        uow.commit()
    every = select(AuthSession.id, AuthSession.last_seen_at).order_by(AuthSession.id)
    with services.read_connection() as connection:
        rows = DriverRead(every).all_on(connection, {})
        none = DriverRead(every.where(AuthSession.id == bindparam("sid"))).all_on(connection, {"sid": "nobody"})
        expected = [tuple(row) for row in connection.execute(every)]
    assert rows == expected == [("s-1", session_row), ("s-2", session_row)]
    assert none == []


def test_a_pooled_connection_keeps_one_cursor_that_outlives_a_failed_statement(services, session_row):
    """Every statement on a pooled connection runs on the cursor kept with it (a cursor per statement
    was a tenth of a session check); a statement that fails leaves it fit for the next, and a
    connection that is replaced brings a cursor of its own."""
    if services.engine.dialect.name != "postgresql":
        pytest.skip("the driver path is PostgreSQL's")
    read = DriverRead(_SESSION)
    failing = DriverRead(select(cast(bindparam("digits", type_=String), Integer).label("number")))
    with services.read_connection() as connection:
        assert read.one_on(connection, {"sid": "s-1"}) is not None
        kept = connection.connection.info["entryfiling.kept_cursor"]
        assert read.one_on(connection, {"sid": "nobody"}) is None
        with pytest.raises(DBAPIError, match="invalid input syntax"):
            failing.one_on(connection, {"digits": "十二"})
        assert failing.one_on(connection, {"digits": "12"}) == (12,)
        assert read.one_on(connection, {"sid": "s-1"}) is not None
        assert connection.connection.info["entryfiling.kept_cursor"] is kept
        assert read.all_on(connection, {"sid": "s-1"}) == [read.one_on(connection, {"sid": "s-1"})]
        connection.invalidate()
    with services.read_connection() as connection:
        assert read.one_on(connection, {"sid": "s-1"}) is not None
        assert connection.connection.info["entryfiling.kept_cursor"] is not kept
    # The session check takes its connection from the pool without a Core connection: same cursor.
    assert services.read_row(read, {"sid": "s-1"}) is not None
    assert services.read_row(read, {"sid": "nobody"}) is None
