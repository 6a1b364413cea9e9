"""Service-specific credentials: CreateServiceSpecificCredential, ListServiceSpecificCredentials,
ResetServiceSpecificCredential, UpdateServiceSpecificCredential, DeleteServiceSpecificCredential
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateServiceSpecificCredential.html).

A credential belongs to one IAM user and works with one service only. Each supported service
issues one of two kinds (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_service-specific-creds.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_api_keys_for_aws_services.html):

- a user name and password, for CodeCommit (Git credentials) and Amazon Keyspaces: the
  ServiceUserName `<user>-at-<account id>` and a generated ServicePassword;
- a long-term API key, for Amazon Bedrock and CloudWatch Logs: the ServiceCredentialAlias
  `<user>-at-<account id>` and a ServiceCredentialSecret, expiring after `CredentialAgeDays` when
  given (a Bedrock key begins `ABSK`).

The password or secret is shown by Create and Reset only; it is stored encrypted. A user has at
most two credentials per service. Past its ExpirationDate a credential is listed as `Expired`.
"""

from __future__ import annotations

import base64
import enum
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any

from localiam.protocol import ServiceError
from localiam.services.iam._context import Handler, IamContext
from localiam.services.iam._errors import invalid_input, limit_exceeded
from localiam.services.iam._lookup import get_user_row, target_user_name
from localiam.services.iam._policy_docs import page_of
from localiam.store import func, select
from localiam.store.models import KeyStatus, ServiceSpecificCredential, User

#: Credentials per user and service (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
MAX_PER_SERVICE = 2


class CredentialKind(enum.Enum):
    """What a service's credentials consist of."""

    PASSWORD = "a user name and password"
    API_KEY = "an API key"


#: The services that accept service-specific credentials, and the kind each issues.
SUPPORTED_SERVICES = MappingProxyType(
    {
        "codecommit.amazonaws.com": CredentialKind.PASSWORD,
        "cassandra.amazonaws.com": CredentialKind.PASSWORD,
        "bedrock.amazonaws.com": CredentialKind.API_KEY,
        "logs.amazonaws.com": CredentialKind.API_KEY,
    }
)

#: How the API keys of a service begin (Amazon Bedrock's long-term keys: `ABSK`).
_SECRET_PREFIXES = MappingProxyType({"bedrock.amazonaws.com": "ABSK"})


def kind_of(service: str) -> CredentialKind:
    """The kind of credential `service` issues; `NotSupportedService` if it issues none."""
    kind = SUPPORTED_SERVICES.get(service)
    if kind is None:
        raise ServiceError(
            "NotSupportedService",
            f"The service {service} does not support service-specific credentials.",
            404,
        )
    return kind


def random_text(ctx: IamContext, size: int = 32) -> str:
    """`size` random bytes, base64 encoded: 44 characters for 32 bytes, as AWS's service
    passwords. The bytes come from the injected id generator, whose secret access keys are
    30 random bytes each."""
    raw = b""
    while len(raw) < size:
        raw += base64.b64decode(ctx.ids.new_secret_access_key())
    return base64.b64encode(raw[:size]).decode("ascii")


def _new_secret(ctx: IamContext, row: ServiceSpecificCredential) -> str:
    """A new password, or a new API key (the alias and a random part, base64 encoded)."""
    secret = random_text(ctx)
    if kind_of(row.service_name) is CredentialKind.PASSWORD:
        return secret
    key = base64.b64encode(f"{row.service_user_name}:{secret}".encode()).decode("ascii")
    return _SECRET_PREFIXES.get(row.service_name, "") + key


def _status(row: ServiceSpecificCredential, now: datetime) -> str:
    if row.expires_at is not None and row.expires_at <= now:
        return "Expired"
    return str(row.status)


def metadata_shape(row: ServiceSpecificCredential, user_name: str, now: datetime) -> dict[str, Any]:
    """The credential as ListServiceSpecificCredentials shows it (no password, no secret)."""
    out: dict[str, Any] = {
        "UserName": user_name,
        "Status": _status(row, now),
        "CreateDate": row.created_at,
        "ServiceSpecificCredentialId": row.credential_id,
        "ServiceName": row.service_name,
    }
    if kind_of(row.service_name) is CredentialKind.PASSWORD:
        out["ServiceUserName"] = row.service_user_name
    else:
        out["ServiceCredentialAlias"] = row.service_user_name
    if row.expires_at is not None:
        out["ExpirationDate"] = row.expires_at
    return out


def _with_secret(
    row: ServiceSpecificCredential, user_name: str, secret: str, now: datetime
) -> dict[str, Any]:
    out = metadata_shape(row, user_name, now)
    if kind_of(row.service_name) is CredentialKind.PASSWORD:
        out["ServicePassword"] = secret
    else:
        out["ServiceCredentialSecret"] = secret
    return {"ServiceSpecificCredential": out}


def _not_found(credential_id: str) -> ServiceError:
    return ServiceError(
        "NoSuchEntity",
        f"The Service Specific Credential with id {credential_id} cannot be found.",
        404,
    )


def create_service_specific_credential(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    user = get_user_row(ctx, params["UserName"])
    service = params["ServiceName"]
    kind = kind_of(service)
    age = params.get("CredentialAgeDays")
    if age is not None and kind is not CredentialKind.API_KEY:
        raise invalid_input(
            f"CredentialAgeDays applies to API keys only; {service} issues {kind.value}."
        )
    held = ctx.session.scalar(
        select(func.count())
        .select_from(ServiceSpecificCredential)
        .where(
            ServiceSpecificCredential.user_id == user.user_id,
            ServiceSpecificCredential.service_name == service,
        )
    )
    if int(held or 0) >= MAX_PER_SERVICE:
        raise limit_exceeded(
            f"Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: "
            f"{MAX_PER_SERVICE}"
        )
    row = ServiceSpecificCredential(
        credential_id=ctx.ids.new_unique_id("ACCA"),
        account_id=ctx.account_id,
        user_id=user.user_id,
        service_name=service,
        service_user_name=f"{user.name}-at-{ctx.account_id}",
        secret_encrypted="",
        created_at=ctx.now,
        expires_at=None if age is None else ctx.now + timedelta(days=int(age)),
    )
    secret = _new_secret(ctx, row)
    row.secret_encrypted = ctx.secrets.encrypt(secret)
    ctx.session.add(row)
    return _with_secret(row, user.name, secret, ctx.now)


def list_service_specific_credentials(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    """One user's credentials (the caller's when UserName is left out; the root user has none),
    or with AllUsers every user's; optionally of one service only."""
    all_users = bool(params.get("AllUsers"))
    if all_users and params.get("UserName") is not None:
        raise invalid_input("AllUsers cannot be specified together with UserName.")
    service = params.get("ServiceName")
    if service is not None:
        kind_of(service)
    query = (
        select(ServiceSpecificCredential, User.name, User.name_lower)
        .join(User, User.user_id == ServiceSpecificCredential.user_id)
        .where(ServiceSpecificCredential.account_id == ctx.account_id)
    )
    if service is not None:
        query = query.where(ServiceSpecificCredential.service_name == service)
    if not all_users:
        name = target_user_name(ctx, params.get("UserName"))
        if name is None:
            return {"ServiceSpecificCredentials": [], "IsTruncated": False}
        query = query.where(User.user_id == get_user_row(ctx, name).user_id)
    found = [(row, user, lower) for row, user, lower in ctx.session.execute(query)]

    def order(item: tuple[ServiceSpecificCredential, str, str]) -> str:
        row, _, name_lower = item
        return f"{name_lower}\0{row.created_at.isoformat()}\0{row.credential_id}"

    page = page_of(found, order, params)
    return {
        "ServiceSpecificCredentials": [
            metadata_shape(row, name, ctx.now) for row, name, _ in page.items
        ],
        **page.fields(),
    }


def _find(ctx: IamContext, params: dict[str, Any]) -> tuple[ServiceSpecificCredential, str]:
    """The credential of the named user (or of the calling user), and that user's name."""
    credential_id = params["ServiceSpecificCredentialId"]
    name = target_user_name(ctx, params.get("UserName"))
    if name is None:  # the root user has no service-specific credentials
        raise _not_found(credential_id)
    user = get_user_row(ctx, name)
    row = ctx.session.get(ServiceSpecificCredential, credential_id)
    if row is None or row.user_id != user.user_id:
        raise _not_found(credential_id)
    return row, user.name


def reset_service_specific_credential(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    """A new password (or API key secret); the old one stops working at once."""
    row, user_name = _find(ctx, params)
    secret = _new_secret(ctx, row)
    row.secret_encrypted = ctx.secrets.encrypt(secret)
    return _with_secret(row, user_name, secret, ctx.now)


def update_service_specific_credential(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    status = params["Status"]
    if status not in (KeyStatus.ACTIVE.value, KeyStatus.INACTIVE.value):
        # The model's enum also lists Expired, which only time gives a credential.
        raise invalid_input(f"Invalid status {status}: set a credential Active or Inactive.")
    row, _ = _find(ctx, params)
    row.status = KeyStatus(status)
    return {}


def delete_service_specific_credential(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    row, _ = _find(ctx, params)
    ctx.session.delete(row)
    return {}


HANDLERS: dict[str, Handler] = {
    "CreateServiceSpecificCredential": create_service_specific_credential,
    "ListServiceSpecificCredentials": list_service_specific_credentials,
    "ResetServiceSpecificCredential": reset_service_specific_credential,
    "UpdateServiceSpecificCredential": update_service_specific_credential,
    "DeleteServiceSpecificCredential": delete_service_specific_credential,
}
