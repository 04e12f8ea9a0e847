"""certificate sync keeps its retry baseline per person (sync_baselines), written batch by batch

Revision ID: 0014_bigdata
Revises: 0011_filing_fields

The first attempt of a certificate sync used to store what every person held, as one JSON value on
the job row, before it started: memory and row size grew with the number of persons. Now each batch
of persons writes what it held in the same transaction as its new certificates; a retry compares a
batch with those rows when they exist (the batch was written) and with what is held when not (it was
not). The rows go when the job finishes.

On PostgreSQL the register's GIN indexes (0010_perf) stop using a pending list (``fastupdate``): with
it, every search also reads the unsorted list of entries not yet merged into the index (up to 4 MB,
merged only by VACUUM or autovacuum), which made a long-name search at 90,000 entries cost 10–14 ms
instead of well under one. The register is written at approvals and read by everyone.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_bigdata"
down_revision: str | None = "0011_filing_fields"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REGISTER_GIN_INDEXES = (
    "ix_public_register_name_grams",
    "ix_public_register_qualification_grams",
    "ix_public_register_name_trgm",
    "ix_public_register_qualification_names_trgm",
)


def upgrade() -> None:
    op.create_table(
        "sync_baselines",
        sa.Column(
            "job_id",
            sa.String(length=36),
            sa.ForeignKey("background_jobs.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("person_id", sa.Integer(), primary_key=True),
        sa.Column("held", sa.JSON(), nullable=False),
    )

    if op.get_bind().dialect.name == "postgresql":
        for index in REGISTER_GIN_INDEXES:
            op.execute(f"ALTER INDEX {index} SET (fastupdate = off)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for index in REGISTER_GIN_INDEXES:
            op.execute(f"ALTER INDEX {index} RESET (fastupdate)")
    op.drop_table("sync_baselines")
