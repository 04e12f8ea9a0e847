"""change history, copied filings and the public register

Revision ID: 0004_history
Revises: 0003_registry
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_history"
down_revision: str | None = "0003_registry"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("filings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("record_changes", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("copied_from_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_filings_copied_from_id", "filings", ["copied_from_id"], ["id"])

    op.create_table(
        "public_register",
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("enterprise_type", sa.String(length=32), nullable=True),
        sa.Column("qualification_names", sa.Text(), nullable=False),
        sa.Column("entry", sa.JSON(), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("publicity_until", sa.Date(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprises.id"]),
        sa.PrimaryKeyConstraint("enterprise_id"),
        sa.UniqueConstraint("uscc"),
    )
    with op.batch_alter_table("public_register", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_public_register_name"), ["name"], unique=False)
        batch_op.create_index(batch_op.f("ix_public_register_enterprise_type"), ["enterprise_type"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("public_register", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_public_register_enterprise_type"))
        batch_op.drop_index(batch_op.f("ix_public_register_name"))
    op.drop_table("public_register")
    with op.batch_alter_table("filings", schema=None) as batch_op:
        batch_op.drop_constraint("fk_filings_copied_from_id", type_="foreignkey")
        batch_op.drop_column("copied_from_id")
        batch_op.drop_column("record_changes")
