"""the database counts every change of what a filing answer shows (answer_versions)

Revision ID: 0015_answer_versions
Revises: 0013_sessions

The records list and the filing detail are kept rendered per enterprise and data version
(entryfiling/http/answer_cache.py). The version is moved here, by triggers, in the same transaction
as every INSERT, UPDATE or DELETE of a row those answers show: filings, their attachments and
events (scope: the filing's enterprise) and persons (scope 0: a filing may show any person it
chose, employed by the enterprise or not). Triggers are the one place: no write path (ORM, Core,
jobs, the review API, a script) can change a shown row without moving the version.

A separate table rather than a column of ``enterprises``: submit locks the enterprise row
(``SELECT … FOR UPDATE``) and then writes the filing, while a section save writes the filing and
would then wait for the enterprise row — a deadlock. On PostgreSQL the triggers are deferred
constraint triggers: the bump runs at COMMIT, after every other lock the transaction takes, so the
version row is always the last lock and no two writers can wait on each other through it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_answer_versions"
down_revision: str | None = "0013_sessions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The scope of the persons' version (enterprise ids start at 1).
PERSONS_SCOPE = 0
#: Rows of a filing that its detail shows (their enterprise is their filing's); the persons' shown columns.
FILING_CHILDREN = ("attachments", "filing_events")
PERSON_COLUMNS = ("name", "id_number_sealed")

POSTGRESQL_FUNCTION = f"""
CREATE FUNCTION bump_answer_version() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    scopes integer[];
BEGIN
    IF TG_TABLE_NAME = 'persons' THEN
        scopes := ARRAY[{PERSONS_SCOPE}];
    ELSIF TG_TABLE_NAME = 'filings' THEN
        IF TG_OP = 'INSERT' THEN scopes := ARRAY[NEW.enterprise_id];
        ELSIF TG_OP = 'DELETE' THEN scopes := ARRAY[OLD.enterprise_id];
        ELSE scopes := ARRAY[OLD.enterprise_id, NEW.enterprise_id];
        END IF;
    ELSE
        -- attachments, filing_events: their filing's enterprise (a filing deleted with them bumped its own)
        IF TG_OP = 'INSERT' THEN
            SELECT array_agg(enterprise_id) INTO scopes FROM filings WHERE id = NEW.filing_id;
        ELSIF TG_OP = 'DELETE' THEN
            SELECT array_agg(enterprise_id) INTO scopes FROM filings WHERE id = OLD.filing_id;
        ELSE
            SELECT array_agg(enterprise_id) INTO scopes FROM filings WHERE id IN (OLD.filing_id, NEW.filing_id);
        END IF;
    END IF;
    INSERT INTO answer_versions (scope, version)
    SELECT DISTINCT s, 1 FROM unnest(scopes) AS s WHERE s IS NOT NULL
    ON CONFLICT (scope) DO UPDATE SET version = answer_versions.version + 1;
    RETURN NULL;
END
$$
"""


def _postgresql_triggers() -> list[str]:
    deferred = "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"
    changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in PERSON_COLUMNS)
    statements = [
        f"CREATE CONSTRAINT TRIGGER answer_version AFTER INSERT OR UPDATE OR DELETE ON {table} "
        f"{deferred} EXECUTE FUNCTION bump_answer_version()"
        for table in ("filings", *FILING_CHILDREN)
    ]
    statements += [
        f"CREATE CONSTRAINT TRIGGER answer_version AFTER INSERT OR DELETE ON persons {deferred} "
        "EXECUTE FUNCTION bump_answer_version()",
        f"CREATE CONSTRAINT TRIGGER answer_version_update AFTER UPDATE ON persons {deferred} "
        f"WHEN ({changed}) EXECUTE FUNCTION bump_answer_version()",
    ]
    return statements


def _bump_sqlite(scope_select: str) -> str:
    # The WHERE clause is required before ON CONFLICT in INSERT … SELECT (SQLite's parsing ambiguity).
    return (
        f"INSERT INTO answer_versions (scope, version) {scope_select} "
        "ON CONFLICT (scope) DO UPDATE SET version = version + 1;"
    )


def _sqlite_triggers() -> list[str]:
    def trigger(name: str, event: str, table: str, body: list[str], when: str = "") -> str:
        return f"CREATE TRIGGER {name} AFTER {event} ON {table} {when} BEGIN {' '.join(body)} END"

    def enterprise_of(row: str) -> str:
        return f"SELECT enterprise_id, 1 FROM filings WHERE id = {row}.filing_id"

    new_enterprise = _bump_sqlite("SELECT NEW.enterprise_id, 1 WHERE true")
    statements = [
        trigger("answer_version_filings_insert", "INSERT", "filings", [new_enterprise]),
        trigger(
            "answer_version_filings_delete",
            "DELETE",
            "filings",
            [_bump_sqlite("SELECT OLD.enterprise_id, 1 WHERE true")],
        ),
        trigger(
            "answer_version_filings_update",
            "UPDATE",
            "filings",
            [
                new_enterprise,
                _bump_sqlite("SELECT OLD.enterprise_id, 1 WHERE OLD.enterprise_id IS NOT NEW.enterprise_id"),
            ],
        ),
    ]
    for table in FILING_CHILDREN:
        statements += [
            trigger(f"answer_version_{table}_insert", "INSERT", table, [_bump_sqlite(enterprise_of("NEW"))]),
            trigger(f"answer_version_{table}_delete", "DELETE", table, [_bump_sqlite(enterprise_of("OLD"))]),
            trigger(
                f"answer_version_{table}_update",
                "UPDATE",
                table,
                [
                    _bump_sqlite(enterprise_of("NEW")),
                    _bump_sqlite(f"{enterprise_of('OLD')} AND OLD.filing_id IS NOT NEW.filing_id"),
                ],
            ),
        ]
    persons = _bump_sqlite(f"SELECT {PERSONS_SCOPE}, 1 WHERE true")
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in PERSON_COLUMNS)
    statements += [
        trigger("answer_version_persons_insert", "INSERT", "persons", [persons]),
        trigger("answer_version_persons_delete", "DELETE", "persons", [persons]),
        trigger("answer_version_persons_update", "UPDATE", "persons", [persons], f"WHEN {changed}"),
    ]
    return statements


def upgrade() -> None:
    op.create_table(
        "answer_versions",
        sa.Column("scope", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRESQL_FUNCTION)
        for statement in _postgresql_triggers():
            op.execute(statement)
    else:
        for statement in _sqlite_triggers():
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in ("filings", *FILING_CHILDREN, "persons"):
            op.execute(f"DROP TRIGGER IF EXISTS answer_version ON {table}")
        op.execute("DROP TRIGGER IF EXISTS answer_version_update ON persons")
        op.execute("DROP FUNCTION IF EXISTS bump_answer_version()")
    else:
        for table in ("filings", *FILING_CHILDREN, "persons"):
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS answer_version_{table}_{event}")
    op.drop_table("answer_versions")
