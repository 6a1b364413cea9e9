"""IAM identities: users, groups (and membership), roles, instance profiles."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from localiam.store.models._base import ACCOUNT_ID, Base, lower_name, name_index


class User(Base):
    """An IAM user (unique id `AIDA…`). Its name is unique in the account, ignoring case."""

    __tablename__ = "users"
    __table_args__ = (name_index("users"),)

    user_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(12), ForeignKey(ACCOUNT_ID, ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(String(512))
    arn: Mapped[str] = mapped_column(String(2048), unique=True)
    created_at: Mapped[datetime]
    permissions_boundary_arn: Mapped[str | None] = mapped_column(String(2048), default=None)
    password_last_used: Mapped[datetime | None] = mapped_column(default=None)
    name_lower: Mapped[str] = mapped_column(String(64), lower_name(), init=False, repr=False)
    groups: Mapped[list[Group]] = relationship(
        secondary="group_memberships",
        back_populates="members",
        default_factory=list,
        repr=False,
    )


class Group(Base):
    """An IAM group (unique id `AGPA…`)."""

    __tablename__ = "groups"
    __table_args__ = (name_index("groups"),)

    group_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(12), ForeignKey(ACCOUNT_ID, ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(128))
    path: Mapped[str] = mapped_column(String(512))
    arn: Mapped[str] = mapped_column(String(2048), unique=True)
    created_at: Mapped[datetime]
    name_lower: Mapped[str] = mapped_column(String(128), lower_name(), init=False, repr=False)
    members: Mapped[list[User]] = relationship(
        secondary="group_memberships",
        back_populates="groups",
        default_factory=list,
        repr=False,
    )


class GroupMembership(Base):
    """A user's membership of a group (the association table behind `User.groups`)."""

    __tablename__ = "group_memberships"
    __table_args__ = (Index("ix_group_memberships_user", "user_id"),)

    group_id: Mapped[str] = mapped_column(
        String(128), ForeignKey("groups.group_id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(
        String(128), ForeignKey("users.user_id", ondelete="CASCADE"), primary_key=True
    )


class Role(Base):
    """An IAM role (unique id `AROA…`) and its trust policy."""

    __tablename__ = "roles"
    __table_args__ = (name_index("roles"),)

    role_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(12), ForeignKey(ACCOUNT_ID, ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(String(512))
    arn: Mapped[str] = mapped_column(String(2048), unique=True)
    created_at: Mapped[datetime]
    #: The trust policy, as the JSON text the caller gave.
    assume_role_policy: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(String(1000), default=None)
    #: Seconds (3600 to 43200).
    max_session_duration: Mapped[int] = mapped_column(default=3600)
    permissions_boundary_arn: Mapped[str | None] = mapped_column(String(2048), default=None)
    role_last_used_at: Mapped[datetime | None] = mapped_column(default=None)
    role_last_used_region: Mapped[str | None] = mapped_column(String(32), default=None)
    name_lower: Mapped[str] = mapped_column(String(64), lower_name(), init=False, repr=False)
    instance_profiles: Mapped[list[InstanceProfile]] = relationship(
        secondary="instance_profile_roles",
        back_populates="roles",
        default_factory=list,
        repr=False,
    )


class InstanceProfile(Base):
    """An instance profile (unique id `AIPA…`): the container EC2 passes a role through."""

    __tablename__ = "instance_profiles"
    __table_args__ = (name_index("instance_profiles"),)

    instance_profile_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(12), ForeignKey(ACCOUNT_ID, ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(128))
    path: Mapped[str] = mapped_column(String(512))
    arn: Mapped[str] = mapped_column(String(2048), unique=True)
    created_at: Mapped[datetime]
    name_lower: Mapped[str] = mapped_column(String(128), lower_name(), init=False, repr=False)
    roles: Mapped[list[Role]] = relationship(
        secondary="instance_profile_roles",
        back_populates="instance_profiles",
        default_factory=list,
        repr=False,
    )


class InstanceProfileRole(Base):
    """A role in an instance profile (AWS allows one; the table does not limit it)."""

    __tablename__ = "instance_profile_roles"
    __table_args__ = (Index("ix_instance_profile_roles_role", "role_id"),)

    instance_profile_id: Mapped[str] = mapped_column(
        String(128),
        ForeignKey("instance_profiles.instance_profile_id", ondelete="CASCADE"),
        primary_key=True,
    )
    role_id: Mapped[str] = mapped_column(
        String(128), ForeignKey("roles.role_id", ondelete="CASCADE"), primary_key=True
    )
