"""Credentials: access keys, console passwords, MFA devices, SSH keys, certificates and
service-specific credentials."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from localiam.store.models._base import (
    ACCOUNT_ID,
    Base,
    KeyStatus,
    lower_name,
    name_index,
    string_enum,
)


class AccessKey(Base):
    """A long-term access key (`AKIA…`) of a user, or of the account's root user (`user_id` None).

    The secret is stored encrypted (`Secrets.encrypt`), never in clear.
    """

    __tablename__ = "access_keys"
    __table_args__ = (Index("ix_access_keys_account_user", "account_id", "user_id"),)

    access_key_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(12), ForeignKey(ACCOUNT_ID, ondelete="CASCADE"))
    user_id: Mapped[str | None] = mapped_column(
        String(128), ForeignKey("users.user_id", ondelete="CASCADE")
    )
    secret_encrypted: Mapped[str] = mapped_column(Text, repr=False)
    created_at: Mapped[datetime]
    status: Mapped[KeyStatus] = mapped_column(string_enum(KeyStatus), default=KeyStatus.ACTIVE)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)
    last_used_service: Mapped[str | None] = mapped_column(String(64), default=None)
    last_used_region: Mapped[str | None] = mapped_column(String(32), default=None)


class LoginProfile(Base):
    """A user's console password, as an argon2 hash (`hash_password`)."""

    __tablename__ = "login_profiles"

    user_id: Mapped[str] = mapped_column(
        String(128), ForeignKey("users.user_id", ondelete="CASCADE"), primary_key=True
    )
    account_id: Mapped[str] = mapped_column(String(12), ForeignKey(ACCOUNT_ID, ondelete="CASCADE"))
    password_hash: Mapped[str] = mapped_column(Text, repr=False)
    created_at: Mapped[datetime]
    password_reset_required: Mapped[bool] = mapped_column(default=False)
    #: When the password was last set (credential report, `MaxPasswordAge`); None: at creation.
    password_changed_at: Mapped[datetime | None] = mapped_column(default=None)
    #: Hashes of earlier passwords, newest first, for `PasswordReusePrevention`. A JSON column:
    #: assign a new list to change it (in-place changes are not tracked).
    previous_password_hashes: Mapped[list[str]] = mapped_column(
        JSON, default_factory=list, repr=False
    )


class MfaDevice(Base):
    """A virtual MFA device, named by its serial number (`arn:aws:iam::<account>:mfa/<path><name>`).

    Assignment: `enabled_at` None means unassigned; set with `user_id` None means the root user.
    `last_time_step` is the RFC 6238 time step of the last code accepted, so a code is never
    accepted twice.
    """

    __tablename__ = "mfa_devices"
    __table_args__ = (
        name_index("mfa_devices"),
        Index("ix_mfa_devices_user", "user_id"),
    )

    serial_number: Mapped[str] = mapped_column(String(256), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(12), ForeignKey(ACCOUNT_ID, ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(226))
    path: Mapped[str] = mapped_column(String(512))
    seed_encrypted: Mapped[str] = mapped_column(Text, repr=False)
    created_at: Mapped[datetime]
    user_id: Mapped[str | None] = mapped_column(
        String(128), ForeignKey("users.user_id", ondelete="SET NULL"), default=None
    )
    enabled_at: Mapped[datetime | None] = mapped_column(default=None)
    last_time_step: Mapped[int | None] = mapped_column(default=None)
    name_lower: Mapped[str] = mapped_column(String(226), lower_name(), init=False, repr=False)


class SshPublicKey(Base):
    """An SSH public key (`APKA…`) a user uploaded for CodeCommit."""

    __tablename__ = "ssh_public_keys"
    __table_args__ = (UniqueConstraint("user_id", "fingerprint"),)

    ssh_public_key_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(12), ForeignKey(ACCOUNT_ID, ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(
        String(128), ForeignKey("users.user_id", ondelete="CASCADE")
    )
    body: Mapped[str] = mapped_column(Text, repr=False)
    fingerprint: Mapped[str] = mapped_column(String(48))
    uploaded_at: Mapped[datetime]
    status: Mapped[KeyStatus] = mapped_column(string_enum(KeyStatus), default=KeyStatus.ACTIVE)


class SigningCertificate(Base):
    """An X.509 signing certificate of a user, or of the root user (`user_id` None)."""

    __tablename__ = "signing_certificates"
    __table_args__ = (Index("ix_signing_certificates_account_user", "account_id", "user_id"),)

    certificate_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(12), ForeignKey(ACCOUNT_ID, ondelete="CASCADE"))
    user_id: Mapped[str | None] = mapped_column(
        String(128), ForeignKey("users.user_id", ondelete="CASCADE")
    )
    body: Mapped[str] = mapped_column(Text, repr=False)
    uploaded_at: Mapped[datetime]
    status: Mapped[KeyStatus] = mapped_column(string_enum(KeyStatus), default=KeyStatus.ACTIVE)


class ServerCertificate(Base):
    """A server certificate (`ASCA…`) with its chain; the private key is stored encrypted."""

    __tablename__ = "server_certificates"
    __table_args__ = (name_index("server_certificates"),)

    server_certificate_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(12), ForeignKey(ACCOUNT_ID, ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(128))
    path: Mapped[str] = mapped_column(String(512))
    arn: Mapped[str] = mapped_column(String(2048), unique=True)
    body: Mapped[str] = mapped_column(Text, repr=False)
    private_key_encrypted: Mapped[str] = mapped_column(Text, repr=False)
    uploaded_at: Mapped[datetime]
    certificate_chain: Mapped[str | None] = mapped_column(Text, default=None, repr=False)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    name_lower: Mapped[str] = mapped_column(String(128), lower_name(), init=False, repr=False)


class ServiceSpecificCredential(Base):
    """A user's credential for one service (`ACCA…`): a user name and password (CodeCommit,
    Amazon Keyspaces) or an API key, an alias and a secret (Amazon Bedrock, CloudWatch Logs).

    `service_user_name` is the ServiceUserName of a password, or the ServiceCredentialAlias of an
    API key; the password or the API key's secret is stored encrypted (`Secrets.encrypt`). A user
    has at most two per service: the service layer counts them.
    """

    __tablename__ = "service_specific_credentials"
    __table_args__ = (
        Index("ix_service_specific_credentials_user_service", "user_id", "service_name"),
    )

    credential_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(12), ForeignKey(ACCOUNT_ID, ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(
        String(128), ForeignKey("users.user_id", ondelete="CASCADE")
    )
    service_name: Mapped[str] = mapped_column(String(128))
    service_user_name: Mapped[str] = mapped_column(String(200))
    secret_encrypted: Mapped[str] = mapped_column(Text, repr=False)
    created_at: Mapped[datetime]
    status: Mapped[KeyStatus] = mapped_column(string_enum(KeyStatus), default=KeyStatus.ACTIVE)
    #: When an API key made with CredentialAgeDays stops working; None: never.
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
