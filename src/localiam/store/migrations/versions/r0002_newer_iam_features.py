"""Newer IAM features: service-specific credentials, access report jobs, and account settings
(the STS global endpoint token version, outbound identity federation).

Revision ID: 0002
Revises: 0001

The account columns are added in place (`ALTER TABLE ... ADD COLUMN`), never by rebuilding the
table: on SQLite a rebuild drops `accounts`, and with foreign keys on that would delete every row
the account scopes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Add the two tables and the account settings; existing accounts get AWS's defaults."""
    op.add_column(
        "accounts",
        sa.Column(
            "sts_global_endpoint_token_version",
            sa.String(length=16),
            server_default="v1Token",
            nullable=False,
        ),
    )
    op.add_column(
        "accounts",
        sa.Column(
            "outbound_web_identity_federation",
            sa.Boolean(),
            server_default=sa.false(),
            nullable=False,
        ),
    )
    op.add_column(
        "accounts",
        sa.Column("outbound_web_identity_issuer", sa.String(length=255), nullable=True),
    )
    op.create_table(
        "service_specific_credentials",
        sa.Column("credential_id", sa.String(length=128), nullable=False),
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("service_name", sa.String(length=128), nullable=False),
        sa.Column("service_user_name", sa.String(length=200), nullable=False),
        sa.Column("secret_encrypted", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_service_specific_credentials_account_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.user_id"],
            name=op.f("fk_service_specific_credentials_user_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("credential_id", name=op.f("pk_service_specific_credentials")),
    )
    op.create_index(
        "ix_service_specific_credentials_user_service",
        "service_specific_credentials",
        ["user_id", "service_name"],
        unique=False,
    )
    op.create_table(
        "access_report_jobs",
        sa.Column("job_id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=2048), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("granularity", sa.String(length=16), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_access_report_jobs_account_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("job_id", name=op.f("pk_access_report_jobs")),
    )


def downgrade() -> None:
    """Drop everything `upgrade` added (the account settings are lost)."""
    op.drop_table("access_report_jobs")
    op.drop_index(
        "ix_service_specific_credentials_user_service", table_name="service_specific_credentials"
    )
    op.drop_table("service_specific_credentials")
    op.drop_column("accounts", "outbound_web_identity_issuer")
    op.drop_column("accounts", "outbound_web_identity_federation")
    op.drop_column("accounts", "sts_global_endpoint_token_version")
