"""indexes the submit path's lookups: who holds a responsible role in another filed enterprise

Revision ID: 0013_sessions
Revises: 0014_bigdata

Approval checks that a chosen 进疆负责人 / 进疆技术负责人 holds that role for no other filed enterprise,
by the person id inside each enterprise's filed record (JSON). Without an index that is a walk over
every filed enterprise on every submit (50 ms at 100,000 enterprises). These expression indexes are
on exactly the expression the query writes (entryfiling.db.json_paths, written out here as it was
when this ran), on both dialects; a test checks that the query is served by them.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013_sessions"
down_revision: str | None = "0014_bigdata"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The record parts of handlers.verification.EXCLUSIVE_ROLES, as they were when this ran.
ROLES = ("responsible_person", "technical_person")


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for role in ROLES:
        if dialect == "postgresql":
            expression = f"(filed_record -> '{role}' ->> 'person')"
        else:
            expression = f"CAST(json_extract(filed_record, '$.{role}.person') AS TEXT)"
        op.execute(f"CREATE INDEX ix_enterprises_filed_{role} ON enterprises (({expression}))")


def downgrade() -> None:
    for role in ROLES:
        op.execute(f"DROP INDEX ix_enterprises_filed_{role}")
