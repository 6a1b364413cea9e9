"""AWS Organizations: an organization, its tree of roots and OUs, member accounts, the
customer-managed SCPs and RCPs, where policies are attached, and CreateAccount requests.

AWS's own policies (FullAWSAccess, RCPFullAWSAccess) have no row: they are the same in every
organization, so attachments name them by id (`p-FullAWSAccess`) and the service knows them.
Deleting an organization deletes everything it scopes (foreign keys cascade).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from localiam.store.models._base import ACCOUNT_ID, Base

ORGANIZATION_ID = "organizations.id"


class Organization(Base):
    """An organization (`o-…`), owned by its management account (one organization per account).

    `service_principals` lists the services given trusted access (EnableAWSServiceAccess), as
    `{"ServicePrincipal": ..., "DateEnabled": iso}` objects.
    """

    __tablename__ = "organizations"

    id: Mapped[str] = mapped_column(String(34), primary_key=True)
    arn: Mapped[str] = mapped_column(String(256))
    management_account_id: Mapped[str] = mapped_column(
        String(12), ForeignKey(ACCOUNT_ID, ondelete="CASCADE"), unique=True
    )
    feature_set: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    service_principals: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default_factory=list)
    #: IAM's centralized root access features enabled for the organization
    #: (`RootCredentialsManagement`, `RootSessions`).
    root_access_features: Mapped[list[str]] = mapped_column(JSON, default_factory=list)


class OrgUnit(Base):
    """A node of the organization's tree: its root (`r-…`, no parent, named `Root`) or an
    organizational unit (`ou-…`). OU names are unique among siblings.

    `policy_types` (roots only) holds the policy types enabled in the root, as
    `{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}` objects.
    """

    __tablename__ = "org_units"
    __table_args__ = (
        UniqueConstraint("org_id", "parent_id", "name"),
        Index("ix_org_units_parent", "parent_id"),
    )

    id: Mapped[str] = mapped_column(String(68), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(34), ForeignKey(ORGANIZATION_ID, ondelete="CASCADE"))
    parent_id: Mapped[str | None] = mapped_column(String(68))
    name: Mapped[str] = mapped_column(String(128))
    arn: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime]
    policy_types: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default_factory=list)


class OrgAccount(Base):
    """An account's membership of an organization: its place in the tree (`parent_id`), the
    name and email it was created or joined with, how it joined (`CREATED`, `INVITED`) and its
    status (`ACTIVE`, `SUSPENDED`, `PENDING_CLOSURE`)."""

    __tablename__ = "org_accounts"
    __table_args__ = (
        Index("ix_org_accounts_parent", "parent_id"),
        Index("ix_org_accounts_org_email", "org_id", "email"),
    )

    account_id: Mapped[str] = mapped_column(
        String(12), ForeignKey(ACCOUNT_ID, ondelete="CASCADE"), primary_key=True
    )
    org_id: Mapped[str] = mapped_column(String(34), ForeignKey(ORGANIZATION_ID, ondelete="CASCADE"))
    parent_id: Mapped[str] = mapped_column(String(68))
    name: Mapped[str] = mapped_column(String(50))
    email: Mapped[str] = mapped_column(String(64))
    arn: Mapped[str] = mapped_column(String(256))
    joined_method: Mapped[str] = mapped_column(String(16))
    joined_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="ACTIVE")


class OrgPolicy(Base):
    """A customer-managed policy of the organization (`p-…`): an SCP, an RCP, or another
    policy type, with its JSON text as given."""

    __tablename__ = "org_policies"
    __table_args__ = (UniqueConstraint("org_id", "type", "name"),)

    id: Mapped[str] = mapped_column(String(130), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(34), ForeignKey(ORGANIZATION_ID, ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(128))
    description: Mapped[str] = mapped_column(String(512))
    content: Mapped[str] = mapped_column(Text, repr=False)
    arn: Mapped[str] = mapped_column(String(256))


class OrgPolicyAttachment(Base):
    """Policy `policy_id` attached to target `target_id` (a root, an OU or an account id);
    `position` keeps the order of attaching."""

    __tablename__ = "org_policy_attachments"
    __table_args__ = (Index("ix_org_policy_attachments_target", "target_id"),)

    policy_id: Mapped[str] = mapped_column(String(130), primary_key=True)
    target_id: Mapped[str] = mapped_column(String(68), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(34), ForeignKey(ORGANIZATION_ID, ondelete="CASCADE"))
    position: Mapped[int]


class CreateAccountRequest(Base):
    """One CreateAccount request (`car-…`) and its outcome: `state` IN_PROGRESS, SUCCEEDED or
    FAILED (with AWS's `failure_reason`, such as EMAIL_ALREADY_EXISTS)."""

    __tablename__ = "org_create_account_requests"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(34), ForeignKey(ORGANIZATION_ID, ondelete="CASCADE"))
    account_name: Mapped[str] = mapped_column(String(50))
    state: Mapped[str] = mapped_column(String(16))
    requested_at: Mapped[datetime]
    completed_at: Mapped[datetime | None] = mapped_column(default=None)
    account_id: Mapped[str | None] = mapped_column(String(12), default=None)
    failure_reason: Mapped[str | None] = mapped_column(String(64), default=None)
