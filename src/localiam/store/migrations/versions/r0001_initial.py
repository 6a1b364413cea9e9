"""Initial schema: accounts and every IAM table.

Revision ID: 0001
Revises: (none)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create every table, index and constraint of the first schema."""
    op.create_table(
        "accounts",
        sa.Column("id", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("alias", sa.String(length=63), nullable=True),
        sa.Column("password_policy", sa.JSON(), nullable=True),
        sa.Column("credential_report", sa.LargeBinary(), nullable=True),
        sa.Column("credential_report_generated_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        sa.UniqueConstraint("alias", name=op.f("uq_accounts_alias")),
    )
    op.create_table(
        "audit_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=128), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("account_id", sa.String(length=12), nullable=True),
        sa.Column("principal_arn", sa.String(length=2048), nullable=True),
        sa.Column("resource", sa.String(length=2048), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("error_code", sa.String(length=64), nullable=True),
        sa.Column("source_ip", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.create_index(
        "ix_audit_events_account_time", "audit_events", ["account_id", "time"], unique=False
    )
    op.create_table(
        "groups",
        sa.Column("group_id", sa.String(length=128), nullable=False),
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("path", sa.String(length=512), nullable=False),
        sa.Column("arn", sa.String(length=2048), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "name_lower",
            sa.String(length=128),
            sa.Computed("lower(name)", persisted=True),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_groups_account_id"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("group_id", name=op.f("pk_groups")),
        sa.UniqueConstraint("arn", name=op.f("uq_groups_arn")),
    )
    op.create_index("uq_groups_account_name", "groups", ["account_id", "name_lower"], unique=True)
    op.create_table(
        "inline_policies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("principal_type", sa.String(length=16), nullable=False),
        sa.Column("principal_id", sa.String(length=128), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_inline_policies_account_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inline_policies")),
        sa.UniqueConstraint(
            "principal_type",
            "principal_id",
            "name",
            name=op.f("uq_inline_policies_principal_type_principal_id_name"),
        ),
    )
    op.create_table(
        "instance_profiles",
        sa.Column("instance_profile_id", sa.String(length=128), nullable=False),
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("path", sa.String(length=512), nullable=False),
        sa.Column("arn", sa.String(length=2048), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "name_lower",
            sa.String(length=128),
            sa.Computed("lower(name)", persisted=True),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_instance_profiles_account_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("instance_profile_id", name=op.f("pk_instance_profiles")),
        sa.UniqueConstraint("arn", name=op.f("uq_instance_profiles_arn")),
    )
    op.create_index(
        "uq_instance_profiles_account_name",
        "instance_profiles",
        ["account_id", "name_lower"],
        unique=True,
    )
    op.create_table(
        "managed_policies",
        sa.Column("policy_id", sa.String(length=128), nullable=False),
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("path", sa.String(length=512), nullable=False),
        sa.Column("arn", sa.String(length=2048), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("default_version_id", sa.String(length=16), nullable=False),
        sa.Column("last_version_number", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=True),
        sa.Column(
            "name_lower",
            sa.String(length=128),
            sa.Computed("lower(name)", persisted=True),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_managed_policies_account_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("policy_id", name=op.f("pk_managed_policies")),
        sa.UniqueConstraint("arn", name=op.f("uq_managed_policies_arn")),
    )
    op.create_index(
        "uq_managed_policies_account_name",
        "managed_policies",
        ["account_id", "name_lower"],
        unique=True,
    )
    op.create_table(
        "oidc_providers",
        sa.Column("arn", sa.String(length=2048), nullable=False),
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("url", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("client_ids", sa.JSON(), nullable=False),
        sa.Column("thumbprints", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_oidc_providers_account_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("arn", name=op.f("pk_oidc_providers")),
    )
    op.create_index("ix_oidc_providers_account", "oidc_providers", ["account_id"], unique=False)
    op.create_table(
        "policy_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("policy_arn", sa.String(length=2048), nullable=False),
        sa.Column("principal_type", sa.String(length=16), nullable=False),
        sa.Column("principal_id", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_policy_attachments_account_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_attachments")),
        sa.UniqueConstraint(
            "principal_type",
            "principal_id",
            "policy_arn",
            name=op.f("uq_policy_attachments_principal_type_principal_id_policy_arn"),
        ),
    )
    op.create_index(
        "ix_policy_attachments_account_policy",
        "policy_attachments",
        ["account_id", "policy_arn"],
        unique=False,
    )
    op.create_table(
        "roles",
        sa.Column("role_id", sa.String(length=128), nullable=False),
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("path", sa.String(length=512), nullable=False),
        sa.Column("arn", sa.String(length=2048), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("assume_role_policy", sa.Text(), nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=True),
        sa.Column("max_session_duration", sa.Integer(), nullable=False),
        sa.Column("permissions_boundary_arn", sa.String(length=2048), nullable=True),
        sa.Column("role_last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("role_last_used_region", sa.String(length=32), nullable=True),
        sa.Column(
            "name_lower",
            sa.String(length=64),
            sa.Computed("lower(name)", persisted=True),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_roles_account_id"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("role_id", name=op.f("pk_roles")),
        sa.UniqueConstraint("arn", name=op.f("uq_roles_arn")),
    )
    op.create_index("uq_roles_account_name", "roles", ["account_id", "name_lower"], unique=True)
    op.create_table(
        "saml_providers",
        sa.Column("arn", sa.String(length=2048), nullable=False),
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("metadata_document", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "name_lower",
            sa.String(length=128),
            sa.Computed("lower(name)", persisted=True),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_saml_providers_account_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("arn", name=op.f("pk_saml_providers")),
    )
    op.create_index(
        "uq_saml_providers_account_name",
        "saml_providers",
        ["account_id", "name_lower"],
        unique=True,
    )
    op.create_table(
        "server_certificates",
        sa.Column("server_certificate_id", sa.String(length=128), nullable=False),
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("path", sa.String(length=512), nullable=False),
        sa.Column("arn", sa.String(length=2048), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("private_key_encrypted", sa.Text(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("certificate_chain", sa.Text(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "name_lower",
            sa.String(length=128),
            sa.Computed("lower(name)", persisted=True),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_server_certificates_account_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("server_certificate_id", name=op.f("pk_server_certificates")),
        sa.UniqueConstraint("arn", name=op.f("uq_server_certificates_arn")),
    )
    op.create_index(
        "uq_server_certificates_account_name",
        "server_certificates",
        ["account_id", "name_lower"],
        unique=True,
    )
    op.create_table(
        "tags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("resource_arn", sa.String(length=2048), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("value", sa.String(length=256), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_tags_account_id"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tags")),
        sa.UniqueConstraint("resource_arn", "key", name=op.f("uq_tags_resource_arn_key")),
    )
    op.create_index("ix_tags_resource_position", "tags", ["resource_arn", "position"], unique=False)
    op.create_table(
        "users",
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("path", sa.String(length=512), nullable=False),
        sa.Column("arn", sa.String(length=2048), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("permissions_boundary_arn", sa.String(length=2048), nullable=True),
        sa.Column("password_last_used", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "name_lower",
            sa.String(length=64),
            sa.Computed("lower(name)", persisted=True),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_users_account_id"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_users")),
        sa.UniqueConstraint("arn", name=op.f("uq_users_arn")),
    )
    op.create_index("uq_users_account_name", "users", ["account_id", "name_lower"], unique=True)
    op.create_table(
        "access_keys",
        sa.Column("access_key_id", sa.String(length=128), nullable=False),
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=True),
        sa.Column("secret_encrypted", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_service", sa.String(length=64), nullable=True),
        sa.Column("last_used_region", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_access_keys_account_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.user_id"], name=op.f("fk_access_keys_user_id"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("access_key_id", name=op.f("pk_access_keys")),
    )
    op.create_index(
        "ix_access_keys_account_user", "access_keys", ["account_id", "user_id"], unique=False
    )
    op.create_table(
        "group_memberships",
        sa.Column("group_id", sa.String(length=128), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.group_id"],
            name=op.f("fk_group_memberships_group_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.user_id"],
            name=op.f("fk_group_memberships_user_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("group_id", "user_id", name=op.f("pk_group_memberships")),
    )
    op.create_index("ix_group_memberships_user", "group_memberships", ["user_id"], unique=False)
    op.create_table(
        "instance_profile_roles",
        sa.Column("instance_profile_id", sa.String(length=128), nullable=False),
        sa.Column("role_id", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_profile_id"],
            ["instance_profiles.instance_profile_id"],
            name=op.f("fk_instance_profile_roles_instance_profile_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["role_id"],
            ["roles.role_id"],
            name=op.f("fk_instance_profile_roles_role_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "instance_profile_id", "role_id", name=op.f("pk_instance_profile_roles")
        ),
    )
    op.create_index(
        "ix_instance_profile_roles_role", "instance_profile_roles", ["role_id"], unique=False
    )
    op.create_table(
        "login_profiles",
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("password_reset_required", sa.Boolean(), nullable=False),
        sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("previous_password_hashes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_login_profiles_account_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.user_id"],
            name=op.f("fk_login_profiles_user_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_login_profiles")),
    )
    op.create_table(
        "mfa_devices",
        sa.Column("serial_number", sa.String(length=256), nullable=False),
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=226), nullable=False),
        sa.Column("path", sa.String(length=512), nullable=False),
        sa.Column("seed_encrypted", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=True),
        sa.Column("enabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_time_step", sa.Integer(), nullable=True),
        sa.Column(
            "name_lower",
            sa.String(length=226),
            sa.Computed("lower(name)", persisted=True),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_mfa_devices_account_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.user_id"], name=op.f("fk_mfa_devices_user_id"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("serial_number", name=op.f("pk_mfa_devices")),
    )
    op.create_index("ix_mfa_devices_user", "mfa_devices", ["user_id"], unique=False)
    op.create_index(
        "uq_mfa_devices_account_name", "mfa_devices", ["account_id", "name_lower"], unique=True
    )
    op.create_table(
        "policy_versions",
        sa.Column("policy_id", sa.String(length=128), nullable=False),
        sa.Column("version_id", sa.String(length=16), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["policy_id"],
            ["managed_policies.policy_id"],
            name=op.f("fk_policy_versions_policy_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("policy_id", "version_id", name=op.f("pk_policy_versions")),
    )
    op.create_table(
        "signing_certificates",
        sa.Column("certificate_id", sa.String(length=128), nullable=False),
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_signing_certificates_account_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.user_id"],
            name=op.f("fk_signing_certificates_user_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("certificate_id", name=op.f("pk_signing_certificates")),
    )
    op.create_index(
        "ix_signing_certificates_account_user",
        "signing_certificates",
        ["account_id", "user_id"],
        unique=False,
    )
    op.create_table(
        "ssh_public_keys",
        sa.Column("ssh_public_key_id", sa.String(length=128), nullable=False),
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.String(length=48), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_ssh_public_keys_account_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.user_id"],
            name=op.f("fk_ssh_public_keys_user_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("ssh_public_key_id", name=op.f("pk_ssh_public_keys")),
        sa.UniqueConstraint(
            "user_id", "fingerprint", name=op.f("uq_ssh_public_keys_user_id_fingerprint")
        ),
    )


def downgrade() -> None:
    """Drop everything `upgrade` created."""
    op.drop_table("ssh_public_keys")
    op.drop_index("ix_signing_certificates_account_user", table_name="signing_certificates")
    op.drop_table("signing_certificates")
    op.drop_table("policy_versions")
    op.drop_index("uq_mfa_devices_account_name", table_name="mfa_devices")
    op.drop_index("ix_mfa_devices_user", table_name="mfa_devices")
    op.drop_table("mfa_devices")
    op.drop_table("login_profiles")
    op.drop_index("ix_instance_profile_roles_role", table_name="instance_profile_roles")
    op.drop_table("instance_profile_roles")
    op.drop_index("ix_group_memberships_user", table_name="group_memberships")
    op.drop_table("group_memberships")
    op.drop_index("ix_access_keys_account_user", table_name="access_keys")
    op.drop_table("access_keys")
    op.drop_index("uq_users_account_name", table_name="users")
    op.drop_table("users")
    op.drop_index("ix_tags_resource_position", table_name="tags")
    op.drop_table("tags")
    op.drop_index("uq_server_certificates_account_name", table_name="server_certificates")
    op.drop_table("server_certificates")
    op.drop_index("uq_saml_providers_account_name", table_name="saml_providers")
    op.drop_table("saml_providers")
    op.drop_index("uq_roles_account_name", table_name="roles")
    op.drop_table("roles")
    op.drop_index("ix_policy_attachments_account_policy", table_name="policy_attachments")
    op.drop_table("policy_attachments")
    op.drop_index("ix_oidc_providers_account", table_name="oidc_providers")
    op.drop_table("oidc_providers")
    op.drop_index("uq_managed_policies_account_name", table_name="managed_policies")
    op.drop_table("managed_policies")
    op.drop_index("uq_instance_profiles_account_name", table_name="instance_profiles")
    op.drop_table("instance_profiles")
    op.drop_table("inline_policies")
    op.drop_index("uq_groups_account_name", table_name="groups")
    op.drop_table("groups")
    op.drop_index("ix_audit_events_account_time", table_name="audit_events")
    op.drop_table("audit_events")
    op.drop_table("accounts")
