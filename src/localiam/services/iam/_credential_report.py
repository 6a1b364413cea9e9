"""The credential report: GenerateCredentialReport, GetCredentialReport
(https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html).

A report is generated at once (there is no background task) and kept on the account. As in
AWS, a report younger than four hours is not regenerated: GenerateCredentialReport answers
`COMPLETE`; an older one, or none, is generated anew and the answer is `STARTED`. Past four
hours GetCredentialReport answers `ReportExpired`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from localiam.protocol import ServiceError
from localiam.services.iam._context import Handler, IamContext
from localiam.services.iam._password_policy import account_policy
from localiam.store import select
from localiam.store.models import (
    AccessKey,
    Account,
    KeyStatus,
    LoginProfile,
    MfaDevice,
    SigningCertificate,
    User,
)

#: The report's columns, in AWS's order.
COLUMNS = (
    "user",
    "arn",
    "user_creation_time",
    "password_enabled",
    "password_last_used",
    "password_last_changed",
    "password_next_rotation",
    "mfa_active",
    "access_key_1_active",
    "access_key_1_last_rotated",
    "access_key_1_last_used_date",
    "access_key_1_last_used_region",
    "access_key_1_last_used_service",
    "access_key_2_active",
    "access_key_2_last_rotated",
    "access_key_2_last_used_date",
    "access_key_2_last_used_region",
    "access_key_2_last_used_service",
    "cert_1_active",
    "cert_1_last_rotated",
    "cert_2_active",
    "cert_2_last_rotated",
)

#: How long a report is current: no new one is generated within it, and it expires after it.
REPORT_LIFETIME = timedelta(hours=4)

NOT_APPLICABLE = "N/A"
NOT_SUPPORTED = "not_supported"
NO_INFORMATION = "no_information"


def _time(value: datetime) -> str:
    """ISO 8601 to the second with a numeric offset, as the report writes dates:
    `2025-01-02T03:04:05+00:00`."""
    return value.isoformat(timespec="seconds")


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _key_columns(keys: Sequence[AccessKey]) -> list[str]:
    out: list[str] = []
    for index in range(2):
        if index >= len(keys):
            out += ["false", NOT_APPLICABLE, NOT_APPLICABLE, NOT_APPLICABLE, NOT_APPLICABLE]
            continue
        key = keys[index]
        used = key.last_used_at
        out += [
            _flag(key.status is KeyStatus.ACTIVE),
            _time(key.created_at),
            NOT_APPLICABLE if used is None else _time(used),
            key.last_used_region or NOT_APPLICABLE,
            key.last_used_service or NOT_APPLICABLE,
        ]
    return out


def _cert_columns(certs: Sequence[SigningCertificate]) -> list[str]:
    out: list[str] = []
    for index in range(2):
        if index >= len(certs):
            out += ["false", NOT_APPLICABLE]
            continue
        cert = certs[index]
        out += [_flag(cert.status is KeyStatus.ACTIVE), _time(cert.uploaded_at)]
    return out


def _password_columns(
    user: User, profile: LoginProfile | None, max_age_days: int | None
) -> list[str]:
    if profile is None:
        return ["false", NOT_APPLICABLE, NOT_APPLICABLE, NOT_APPLICABLE]
    changed = profile.password_changed_at or profile.created_at
    used = user.password_last_used
    rotation = (
        NOT_APPLICABLE if max_age_days is None else _time(changed + timedelta(days=max_age_days))
    )
    return ["true", NO_INFORMATION if used is None else _time(used), _time(changed), rotation]


def _by_owner(rows: Iterable[Any]) -> dict[str | None, list[Any]]:
    grouped: dict[str | None, list[Any]] = {}
    for row in rows:
        grouped.setdefault(row.user_id, []).append(row)
    return grouped


def build_report(ctx: IamContext, account: Account) -> bytes:
    """The report's CSV bytes: a header, the root user's row, then one row per user by name."""
    s = ctx.session
    acct = ctx.account_id
    keys = _by_owner(
        s.scalars(
            select(AccessKey).where(AccessKey.account_id == acct).order_by(AccessKey.created_at)
        )
    )
    certs = _by_owner(
        s.scalars(
            select(SigningCertificate)
            .where(SigningCertificate.account_id == acct)
            .order_by(SigningCertificate.uploaded_at)
        )
    )
    with_mfa = {
        d.user_id
        for d in s.scalars(
            select(MfaDevice).where(MfaDevice.account_id == acct, MfaDevice.enabled_at.is_not(None))
        )
    }
    profiles = {
        p.user_id: p for p in s.scalars(select(LoginProfile).where(LoginProfile.account_id == acct))
    }
    policy = account_policy(ctx)
    max_age = None if policy is None else policy.max_age_days

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerow(
        [
            "<root_account>",
            f"arn:aws:iam::{acct}:root",
            _time(account.created_at),
            NOT_SUPPORTED,
            NO_INFORMATION,
            NOT_SUPPORTED,
            NOT_SUPPORTED,
            _flag(None in with_mfa),
            *_key_columns(keys.get(None, [])),
            *_cert_columns(certs.get(None, [])),
        ]
    )
    users = s.scalars(select(User).where(User.account_id == acct).order_by(User.name_lower))
    for user in users:
        writer.writerow(
            [
                user.name,
                user.arn,
                _time(user.created_at),
                *_password_columns(user, profiles.get(user.user_id), max_age),
                _flag(user.user_id in with_mfa),
                *_key_columns(keys.get(user.user_id, [])),
                *_cert_columns(certs.get(user.user_id, [])),
            ]
        )
    return buffer.getvalue().encode("utf-8")


def _account(ctx: IamContext) -> Account:
    account = ctx.session.get(Account, ctx.account_id)
    if account is None:  # the server creates the account before any request reaches here
        raise ServiceError("NoSuchEntity", f"The account {ctx.account_id} cannot be found.", 404)
    return account


def _current(account: Account, now: datetime) -> bool:
    generated = account.credential_report_generated_at
    return (
        account.credential_report is not None
        and generated is not None
        and now - generated < REPORT_LIFETIME
    )


def generate_credential_report(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    account = _account(ctx)
    if _current(account, ctx.now):
        return {"State": "COMPLETE"}
    account.credential_report = build_report(ctx, account)
    account.credential_report_generated_at = ctx.now
    return {
        "State": "STARTED",
        "Description": "No report exists. Starting a new report generation task",
    }


def get_credential_report(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    account = _account(ctx)
    if account.credential_report is None or account.credential_report_generated_at is None:
        raise ServiceError(
            "ReportNotPresent",
            "Credential report does not exist. Use GenerateCredentialReport to generate a "
            "credential report.",
            410,
        )
    if not _current(account, ctx.now):
        raise ServiceError(
            "ReportExpired",
            "The request was rejected because the most recent credential report has expired. "
            "To generate a new credential report, use GenerateCredentialReport.",
            410,
        )
    return {
        "Content": account.credential_report,
        "ReportFormat": "text/csv",
        "GeneratedTime": account.credential_report_generated_at,
    }


HANDLERS: dict[str, Handler] = {
    "GenerateCredentialReport": generate_credential_report,
    "GetCredentialReport": get_credential_report,
}
