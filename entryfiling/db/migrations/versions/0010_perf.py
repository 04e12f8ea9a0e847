"""indexes the public register searches by (PostgreSQL: pg_trgm GIN for substring search)

Revision ID: 0010_perf
Revises: 0005_notifications

Name and qualification search are ``LIKE '%…%'``, which no B-tree serves. On PostgreSQL a trigram
GIN index answers them without walking the table. SQLite (the embedded default) keeps its scan:
its register is small. USCC (unique) and enterprise type already have B-trees.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010_perf"
down_revision: str | None = "0005_notifications"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRIGRAM_INDEXES = {
    "ix_public_register_name_trgm": "name",
    "ix_public_register_qualification_names_trgm": "qualification_names",
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in TRIGRAM_INDEXES.items():
        op.create_index(
            name,
            "public_register",
            [column],
            postgresql_using="gin",
            postgresql_ops={column: "gin_trgm_ops"},
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in TRIGRAM_INDEXES:
        op.drop_index(name, table_name="public_register")
