"""Temporary credentials issued by STS: an `ASIA…` key, its secret and session token (both
encrypted), who the session is, what limits it, and when it ends."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from localiam.store.models._base import ACCOUNT_ID, Base


class StsSession(Base):
    """One set of temporary credentials.

    `kind` is `assumed-role` (AssumeRole), `federated-user` (GetFederationToken) or
    `session-token` (GetSessionToken, the user's or root's own permissions). `session_policies`
    holds the inline session policy text and `policy_arns` the managed session policies; `tags` the
    session tags (`[{"Key":..., "Value":...}]`), `transitive_tag_keys` those that pass on through
    role chaining. `mfa_at` is when an MFA code was checked for this session (or the session it was
    made from).
    """

    __tablename__ = "sts_sessions"
    __table_args__ = (Index("ix_sts_sessions_account_expires", "account_id", "expires_at"),)

    access_key_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(12), ForeignKey(ACCOUNT_ID, ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    secret_encrypted: Mapped[str] = mapped_column(Text, repr=False)
    token_encrypted: Mapped[str] = mapped_column(Text, repr=False)
    principal_arn: Mapped[str] = mapped_column(String(2048))
    issued_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    role_id: Mapped[str | None] = mapped_column(String(128), default=None)
    user_id: Mapped[str | None] = mapped_column(String(128), default=None)
    session_name: Mapped[str | None] = mapped_column(String(64), default=None)
    source_identity: Mapped[str | None] = mapped_column(String(64), default=None)
    session_policy: Mapped[str | None] = mapped_column(Text, default=None, repr=False)
    policy_arns: Mapped[list[str]] = mapped_column(JSON, default_factory=list)
    tags: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default_factory=list)
    transitive_tag_keys: Mapped[list[str]] = mapped_column(JSON, default_factory=list)
    mfa_at: Mapped[datetime | None] = mapped_column(default=None)
    chained: Mapped[bool] = mapped_column(default=False)
    #: Context keys the credential carries into every request, for sessions handed out by the
    #: instance metadata service (ec2:SourceInstanceARN, aws:EC2InstanceSourceVPC, ...).
    request_context: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
