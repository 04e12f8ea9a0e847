"""indexes the public register searches by (PostgreSQL: pg_trgm and character-pair GIN indexes)

Revision ID: 0010_perf
Revises: 0009_conversation

Name and qualification search are ``LIKE '%…%'``, which no B-tree serves. On PostgreSQL a trigram
GIN index (pg_trgm) answers them for three characters and more. pg_trgm extracts no trigram from a
shorter pattern, and two characters (建设, 市政) is the usual Chinese query: for those a GIN index over
the single characters and character pairs of the text (stored columns from ``register_grams``)
narrows the rows before ``strpos`` checks them. SQLite (the embedded default) keeps its scan: its register is small.
Type-filtered pages walk (enterprise_type, name, enterprise_id); USCC is unique already.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010_perf"
down_revision: str | None = "0009_conversation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRIGRAM_INDEXES = {
    "ix_public_register_name_trgm": "name",
    "ix_public_register_qualification_names_trgm": "qualification_names",
}


GRAMS_FUNCTION = """
CREATE OR REPLACE FUNCTION register_grams(value text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT gram), '{}')
    FROM (
        SELECT substr(lower(value), i, 1) AS gram FROM generate_series(1, length(value)) AS i
        UNION ALL
        SELECT substr(lower(value), i, 2) FROM generate_series(1, length(value) - 1) AS i
    ) AS grams
$$
"""
# Stored, so a query compares arrays instead of computing the pairs of every row it rechecks. These
# columns exist on PostgreSQL only and are not mapped: the ORM never reads or writes them.
GRAM_COLUMNS = {"name_grams": "name", "qualification_grams": "qualification_names"}


def upgrade() -> None:
    op.create_index("ix_public_register_type_name", "public_register", ["enterprise_type", "name", "enterprise_id"])
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(GRAMS_FUNCTION)
    for gram_column, column in GRAM_COLUMNS.items():
        op.execute(
            f"ALTER TABLE public_register ADD COLUMN {gram_column} text[] "
            f"GENERATED ALWAYS AS (register_grams({column})) STORED"
        )
        op.execute(f"CREATE INDEX ix_public_register_{gram_column} ON public_register USING gin ({gram_column})")
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
    if op.get_bind().dialect.name == "postgresql":
        for name in TRIGRAM_INDEXES:
            op.drop_index(name, table_name="public_register")
        for gram_column in GRAM_COLUMNS:
            op.execute(f"ALTER TABLE public_register DROP COLUMN {gram_column}")  # drops its index too
        op.execute("DROP FUNCTION register_grams(text)")
    op.drop_index("ix_public_register_type_name", table_name="public_register")
