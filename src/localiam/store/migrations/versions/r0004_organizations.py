"""AWS Organizations: organizations, their roots and OUs, member accounts, policies and their
attachments, and CreateAccount requests; the authorization checks of data-plane audit events; the context keys of instance-profile
sessions.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def _org_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["org_id"], ["organizations.id"], name=op.f(f"fk_{table}_org_id"), ondelete="CASCADE"
    )


def upgrade() -> None:
    """Add the Organizations tables, and the data-plane checks of audit events."""
    op.add_column("audit_events", sa.Column("checks", sa.JSON(), nullable=True))
    op.add_column("sts_sessions", sa.Column("request_context", sa.JSON(), nullable=True))
    op.create_table(
        "organizations",
        sa.Column("id", sa.String(length=34), nullable=False),
        sa.Column("arn", sa.String(length=256), nullable=False),
        sa.Column("management_account_id", sa.String(length=12), nullable=False),
        sa.Column("feature_set", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("service_principals", sa.JSON(), nullable=False),
        sa.Column("root_access_features", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["management_account_id"],
            ["accounts.id"],
            name=op.f("fk_organizations_management_account_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organizations")),
        sa.UniqueConstraint(
            "management_account_id", name=op.f("uq_organizations_management_account_id")
        ),
    )
    op.create_table(
        "org_units",
        sa.Column("id", sa.String(length=68), nullable=False),
        sa.Column("org_id", sa.String(length=34), nullable=False),
        sa.Column("parent_id", sa.String(length=68), nullable=True),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("arn", sa.String(length=256), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("policy_types", sa.JSON(), nullable=False),
        _org_fk("org_units"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_org_units")),
        sa.UniqueConstraint(
            "org_id", "parent_id", "name", name=op.f("uq_org_units_org_id_parent_id_name")
        ),
    )
    op.create_index("ix_org_units_parent", "org_units", ["parent_id"], unique=False)
    op.create_table(
        "org_accounts",
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("org_id", sa.String(length=34), nullable=False),
        sa.Column("parent_id", sa.String(length=68), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("email", sa.String(length=64), nullable=False),
        sa.Column("arn", sa.String(length=256), nullable=False),
        sa.Column("joined_method", sa.String(length=16), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_org_accounts_account_id"),
            ondelete="CASCADE",
        ),
        _org_fk("org_accounts"),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_org_accounts")),
    )
    op.create_index("ix_org_accounts_parent", "org_accounts", ["parent_id"], unique=False)
    op.create_index("ix_org_accounts_org_email", "org_accounts", ["org_id", "email"], unique=False)
    op.create_table(
        "org_policies",
        sa.Column("id", sa.String(length=130), nullable=False),
        sa.Column("org_id", sa.String(length=34), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("description", sa.String(length=512), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("arn", sa.String(length=256), nullable=False),
        _org_fk("org_policies"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_org_policies")),
        sa.UniqueConstraint(
            "org_id", "type", "name", name=op.f("uq_org_policies_org_id_type_name")
        ),
    )
    op.create_table(
        "org_policy_attachments",
        sa.Column("policy_id", sa.String(length=130), nullable=False),
        sa.Column("target_id", sa.String(length=68), nullable=False),
        sa.Column("org_id", sa.String(length=34), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        _org_fk("org_policy_attachments"),
        sa.PrimaryKeyConstraint("policy_id", "target_id", name=op.f("pk_org_policy_attachments")),
    )
    op.create_index(
        "ix_org_policy_attachments_target", "org_policy_attachments", ["target_id"], unique=False
    )
    op.create_table(
        "org_create_account_requests",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("org_id", sa.String(length=34), nullable=False),
        sa.Column("account_name", sa.String(length=50), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("account_id", sa.String(length=12), nullable=True),
        sa.Column("failure_reason", sa.String(length=64), nullable=True),
        _org_fk("org_create_account_requests"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_org_create_account_requests")),
    )


def downgrade() -> None:
    """Drop the Organizations tables (every account leaves its organization)."""
    op.drop_table("org_create_account_requests")
    op.drop_index("ix_org_policy_attachments_target", table_name="org_policy_attachments")
    op.drop_table("org_policy_attachments")
    op.drop_table("org_policies")
    op.drop_index("ix_org_accounts_org_email", table_name="org_accounts")
    op.drop_index("ix_org_accounts_parent", table_name="org_accounts")
    op.drop_table("org_accounts")
    op.drop_index("ix_org_units_parent", table_name="org_units")
    op.drop_table("org_units")
    op.drop_table("organizations")
    op.drop_column("audit_events", "checks")
    op.drop_column("sts_sessions", "request_context")
