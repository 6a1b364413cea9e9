"""STS temporary credentials.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Add the `sts_sessions` table."""
    op.create_table(
        "sts_sessions",
        sa.Column("access_key_id", sa.String(length=128), nullable=False),
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("secret_encrypted", sa.Text(), nullable=False),
        sa.Column("token_encrypted", sa.Text(), nullable=False),
        sa.Column("principal_arn", sa.String(length=2048), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("role_id", sa.String(length=128), nullable=True),
        sa.Column("user_id", sa.String(length=128), nullable=True),
        sa.Column("session_name", sa.String(length=64), nullable=True),
        sa.Column("source_identity", sa.String(length=64), nullable=True),
        sa.Column("session_policy", sa.Text(), nullable=True),
        sa.Column("policy_arns", sa.JSON(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("transitive_tag_keys", sa.JSON(), nullable=False),
        sa.Column("mfa_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("chained", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_sts_sessions_account_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("access_key_id", name=op.f("pk_sts_sessions")),
    )
    op.create_index(
        "ix_sts_sessions_account_expires",
        "sts_sessions",
        ["account_id", "expires_at"],
        unique=False,
    )


def downgrade() -> None:
    """Drop the sessions (every temporary credential stops working)."""
    op.drop_index("ix_sts_sessions_account_expires", table_name="sts_sessions")
    op.drop_table("sts_sessions")
