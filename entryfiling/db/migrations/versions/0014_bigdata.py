"""certificate sync keeps its retry baseline per person (sync_baselines), written batch by batch

Revision ID: 0014_bigdata
Revises: 0011_filing_fields

The first attempt of a certificate sync used to store what every person held, as one JSON value on
the job row, before it started: memory and row size grew with the number of persons. Now each batch
of persons writes what it held in the same transaction as its new certificates; a retry compares a
batch with those rows when they exist (the batch was written) and with what is held when not (it was
not). The rows go when the job finishes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_bigdata"
down_revision: str | None = "0011_filing_fields"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


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


def downgrade() -> None:
    op.drop_table("sync_baselines")
