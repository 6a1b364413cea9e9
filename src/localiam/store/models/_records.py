"""Tags on IAM resources, the audit log of requests, and access report jobs."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from localiam.store.models._base import ACCOUNT_ID, Base, string_enum


class Tag(Base):
    """A tag on the IAM resource named by `resource_arn`; `position` keeps the caller's order.

    Keys are unique per resource as stored (exact case); the service layer applies IAM's
    case rules. A resource renamed or moved to another path must have its tags' ARN updated.
    """

    __tablename__ = "tags"
    __table_args__ = (
        UniqueConstraint("resource_arn", "key"),
        Index("ix_tags_resource_position", "resource_arn", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, init=False)
    account_id: Mapped[str] = mapped_column(String(12), ForeignKey(ACCOUNT_ID, ondelete="CASCADE"))
    resource_arn: Mapped[str] = mapped_column(String(2048))
    key: Mapped[str] = mapped_column(String(128))
    value: Mapped[str] = mapped_column(String(256))
    position: Mapped[int]


class AuditEvent(Base):
    """One authorized (or refused) request, as the server logs it.

    Not tied to an account row: a request may fail before its account is known, and the log
    outlives what it describes. `decision` is `allowed`, `explicitDeny` or `implicitDeny`.
    """

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_account_time", "account_id", "time"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, init=False
    )
    time: Mapped[datetime]
    request_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(128))
    decision: Mapped[str] = mapped_column(String(16))
    account_id: Mapped[str | None] = mapped_column(String(12), default=None)
    principal_arn: Mapped[str | None] = mapped_column(String(2048), default=None)
    resource: Mapped[str | None] = mapped_column(String(2048), default=None)
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    error_code: Mapped[str | None] = mapped_column(String(64), default=None)
    source_ip: Mapped[str | None] = mapped_column(String(64), default=None)
    user_agent: Mapped[str | None] = mapped_column(Text, default=None)
    #: The authorization questions a data-plane request was mapped to: for each, the action,
    #: resource, resource account and the service condition keys (`localiam events` shows them).
    checks: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, default=None)


class ReportKind(enum.StrEnum):
    """What an access report job reports on."""

    #: GenerateServiceLastAccessedDetails: a user, group, role or managed policy.
    SERVICE_LAST_ACCESSED = "ServiceAccess"
    #: GenerateOrganizationsAccessReport: an entity of an organization.
    ORGANIZATIONS = "Organizations"


class AccessReportJob(Base):
    """A job of GenerateServiceLastAccessedDetails or GenerateOrganizationsAccessReport.

    `subject` is the reported entity's ARN, or for an Organizations report the entity path.
    `granularity` (`SERVICE_LEVEL` or `ACTION_LEVEL`) is None for an Organizations report.
    A report is computed when read, from the audit events up to `created_at`.
    """

    __tablename__ = "access_report_jobs"

    job_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(12), ForeignKey(ACCOUNT_ID, ondelete="CASCADE"))
    kind: Mapped[ReportKind] = mapped_column(string_enum(ReportKind))
    subject: Mapped[str] = mapped_column(String(2048))
    created_at: Mapped[datetime]
    granularity: Mapped[str | None] = mapped_column(String(16), default=None)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)
