"""The submit path's lookups are served by indexes, on SQLite and on PostgreSQL alike."""

from __future__ import annotations

import pytest
from sqlalchemy.dialects import postgresql, sqlite

from handlers.verification import EXCLUSIVE_ROLES, holders_of_roles


@pytest.mark.parametrize("record_key", sorted(EXCLUSIVE_ROLES))
def test_who_holds_a_role_elsewhere_is_looked_up_by_index(services, record_key):
    with services.engine.connect() as connection:
        dialect = connection.dialect.name
        query = holders_of_roles(dialect, (record_key,)).params(person_0="7", enterprise=1)
        sql = str(
            query.compile(
                dialect=postgresql.dialect() if dialect == "postgresql" else sqlite.dialect(),
                compile_kwargs={"literal_binds": True},
            )
        )
        if dialect == "postgresql":
            connection.exec_driver_sql("SET enable_seqscan = off")  # a test database is too small to index
            plan = " ".join(row[0] for row in connection.exec_driver_sql("EXPLAIN " + sql))
        else:
            plan = " ".join(str(row[-1]) for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
    assert f"ix_enterprises_filed_{record_key}" in plan, plan
