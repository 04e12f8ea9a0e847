"""mini-program: WeChat users, identity verifications, invitations, subscription quotas

Revision ID: 0002_miniapp
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_miniapp"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "key_values",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "wechat_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("openid", sa.String(length=128), nullable=False),
        sa.Column("unionid", sa.String(length=128), nullable=True),
        sa.Column("session_key_sealed", sa.Text(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("openid"),
        sa.UniqueConstraint("person_id"),
    )
    op.create_index("ix_wechat_users_unionid", "wechat_users", ["unionid"])
    op.create_table(
        "identity_verifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("wechat_user_id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("out_seq_no", sa.String(length=32), nullable=False),
        sa.Column("verify_id", sa.String(length=256), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("id_number_sealed", sa.Text(), nullable=False),
        sa.Column("id_number_index", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("result_code", sa.Integer(), nullable=True),
        sa.Column("result_detail", sa.String(length=200), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"]),
        sa.ForeignKeyConstraint(["wechat_user_id"], ["wechat_users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("out_seq_no"),
        sa.UniqueConstraint("verify_id"),
    )
    op.create_index("ix_identity_verifications_wechat_user_id", "identity_verifications", ["wechat_user_id"])
    op.create_index("ix_identity_verifications_id_number_index", "identity_verifications", ["id_number_index"])
    op.create_table(
        "employment_invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("note", sa.String(length=100), nullable=True),
        sa.Column("created_by", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepted_by_person_id", sa.Integer(), nullable=True),
        sa.Column("employment_id", sa.Integer(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["accepted_by_person_id"], ["persons.id"]),
        sa.ForeignKeyConstraint(["employment_id"], ["employments.id"]),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprises.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_index("ix_employment_invitations_enterprise_id", "employment_invitations", ["enterprise_id"])
    op.create_table(
        "subscription_quotas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("wechat_user_id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.String(length=128), nullable=False),
        sa.Column("remaining", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["wechat_user_id"], ["wechat_users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("wechat_user_id", "template_id"),
    )
    op.create_index("ix_subscription_quotas_wechat_user_id", "subscription_quotas", ["wechat_user_id"])
    op.add_column("employments", sa.Column("ended_by", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("employments") as batch_op:
        batch_op.drop_column("ended_by")
    op.drop_index("ix_subscription_quotas_wechat_user_id", table_name="subscription_quotas")
    op.drop_table("subscription_quotas")
    op.drop_index("ix_employment_invitations_enterprise_id", table_name="employment_invitations")
    op.drop_table("employment_invitations")
    op.drop_index("ix_identity_verifications_id_number_index", table_name="identity_verifications")
    op.drop_index("ix_identity_verifications_wechat_user_id", table_name="identity_verifications")
    op.drop_table("identity_verifications")
    op.drop_index("ix_wechat_users_unionid", table_name="wechat_users")
    op.drop_table("wechat_users")
    op.drop_table("key_values")
