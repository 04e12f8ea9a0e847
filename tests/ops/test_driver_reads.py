"""The session check's driver-level read: the same row as Core, seen by statement listeners, an
outage still SQLAlchemy's error, and the pooled connection handed back as it was taken."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import bindparam, create_engine, event, literal, select
from sqlalchemy.exc import OperationalError

from entryfiling.db.driver_reads import DriverRead
from entryfiling.db.models import AuthSession

_SESSION = select(
    AuthSession.audience, AuthSession.last_seen_at, AuthSession.revoked_at, literal(7).label("fixed")
).where(AuthSession.id == bindparam("sid"))


@pytest.fixture
def session_row(services):
    now = datetime.now(UTC).replace(microsecond=0)
    with services.uow() as uow:
        uow.session.add(
            AuthSession(
                id="s-1", audience="a", subject="1", created_at=now, last_seen_at=now, expires_at=now + timedelta(1)
            )
        )
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
    event.listen(services.engine, "before_cursor_execute", record)
    try:
        services.read_row(DriverRead(_SESSION), {"sid": "s-1"})
    finally:
        event.remove(services.engine, "before_cursor_execute", record)
    assert len(seen) == 1 and "auth_sessions" in seen[0]


def test_the_pooled_connection_goes_back_transactional(services, session_row):
    """A read outside a transaction must not leave its connection so for the next unit of work."""
    read = DriverRead(_SESSION)
    for _ in range(3):
        services.read_row(read, {"sid": "s-1"})
    with services.uow() as uow:
        uow.session.add(
            AuthSession(
                id="s-2",
                audience="a",
                subject="2",
                created_at=session_row,
                last_seen_at=session_row,
                expires_at=session_row,
            )
        )
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
