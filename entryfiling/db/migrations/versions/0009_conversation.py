"""conversation state per draft; the photo pages a signed letter PDF was assembled from

Revision ID: 0009_conversation
Revises: 0006_security
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_conversation"
down_revision: str | None = "0006_security"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "filing_conversations",
        sa.Column("filing_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["filing_id"], ["filings.id"], name="fk_filing_conversations_filing_id", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("filing_id"),
    )
    with op.batch_alter_table("attachments") as batch:
        batch.add_column(sa.Column("source_pages", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("attachments") as batch:
        batch.drop_column("source_pages")
    op.drop_table("filing_conversations")
