"""Policies: customer managed policies and their versions, attachments, inline policies."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from localiam.store.models._base import (
    ACCOUNT_ID,
    Base,
    PrincipalType,
    lower_name,
    name_index,
    string_enum,
)


class ManagedPolicy(Base):
    """A customer managed policy (unique id `ANPA…`). AWS managed policies are not stored."""

    __tablename__ = "managed_policies"
    __table_args__ = (name_index("managed_policies"),)

    policy_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(12), ForeignKey(ACCOUNT_ID, ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(128))
    path: Mapped[str] = mapped_column(String(512))
    arn: Mapped[str] = mapped_column(String(2048), unique=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    default_version_id: Mapped[str] = mapped_column(String(16), default="v1")
    #: The number in the id of the newest version ever created: `v{n+1}` comes next, as in AWS,
    #: which does not reuse the ids of deleted versions.
    last_version_number: Mapped[int] = mapped_column(default=1)
    description: Mapped[str | None] = mapped_column(String(1000), default=None)
    name_lower: Mapped[str] = mapped_column(String(128), lower_name(), init=False, repr=False)
    versions: Mapped[list[PolicyVersion]] = relationship(
        back_populates="policy",
        cascade="all, delete-orphan",
        passive_deletes=True,
        default_factory=list,
        repr=False,
    )


class PolicyVersion(Base):
    """A version (`v1`, `v2`, …) of a customer managed policy; one per policy is the default."""

    __tablename__ = "policy_versions"

    policy_id: Mapped[str] = mapped_column(
        String(128),
        ForeignKey("managed_policies.policy_id", ondelete="CASCADE"),
        primary_key=True,
    )
    version_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    #: The policy document as the JSON text the caller gave.
    document: Mapped[str] = mapped_column(Text, repr=False)
    is_default: Mapped[bool]
    created_at: Mapped[datetime]
    policy: Mapped[ManagedPolicy] = relationship(back_populates="versions", init=False, repr=False)


class PolicyAttachment(Base):
    """A managed policy attached to a user, group or role.

    `policy_arn` is not a foreign key: it may name an AWS managed policy, which is not stored.
    `principal_id` is the user, group or role's unique id, per `principal_type`.
    """

    __tablename__ = "policy_attachments"
    __table_args__ = (
        UniqueConstraint("principal_type", "principal_id", "policy_arn"),
        Index("ix_policy_attachments_account_policy", "account_id", "policy_arn"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, init=False)
    account_id: Mapped[str] = mapped_column(String(12), ForeignKey(ACCOUNT_ID, ondelete="CASCADE"))
    policy_arn: Mapped[str] = mapped_column(String(2048))
    principal_type: Mapped[PrincipalType] = mapped_column(string_enum(PrincipalType))
    principal_id: Mapped[str] = mapped_column(String(128))


class InlinePolicy(Base):
    """A policy embedded in one user, group or role, named uniquely within it."""

    __tablename__ = "inline_policies"
    __table_args__ = (UniqueConstraint("principal_type", "principal_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True, init=False)
    account_id: Mapped[str] = mapped_column(String(12), ForeignKey(ACCOUNT_ID, ondelete="CASCADE"))
    principal_type: Mapped[PrincipalType] = mapped_column(string_enum(PrincipalType))
    principal_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(128))
    #: The policy document as the JSON text the caller gave.
    document: Mapped[str] = mapped_column(Text, repr=False)
