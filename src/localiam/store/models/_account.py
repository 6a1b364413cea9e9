"""The account: the scope of every other row."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, LargeBinary, String, false
from sqlalchemy.orm import Mapped, mapped_column

from localiam.store.models._base import Base


class Account(Base):
    """An AWS account (12-digit id), with its account-wide IAM settings.

    Deleting an account deletes every row scoped by it (foreign keys cascade).
    """

    __tablename__ = "accounts"

    id: Mapped[str] = mapped_column(String(12), primary_key=True)
    created_at: Mapped[datetime]
    alias: Mapped[str | None] = mapped_column(String(63), unique=True, default=None)
    #: The `PasswordPolicy` shape of GetAccountPasswordPolicy; None when the account has none.
    password_policy: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    #: The CSV bytes of the last GenerateCredentialReport.
    credential_report: Mapped[bytes | None] = mapped_column(LargeBinary, default=None, repr=False)
    credential_report_generated_at: Mapped[datetime | None] = mapped_column(default=None)
    #: The session tokens STS's global endpoint issues (SetSecurityTokenServicePreferences):
    #: `v1Token` (AWS's default) or `v2Token`.
    sts_global_endpoint_token_version: Mapped[str] = mapped_column(
        String(16), default="v1Token", server_default="v1Token"
    )
    #: Whether outbound identity federation (GetWebIdentityToken) is enabled.
    outbound_web_identity_federation: Mapped[bool] = mapped_column(
        default=False, server_default=false()
    )
    #: The account's issuer URL for outbound identity federation, made when the feature is first
    #: enabled and kept when it is disabled; None until then.
    outbound_web_identity_issuer: Mapped[str | None] = mapped_column(String(255), default=None)
