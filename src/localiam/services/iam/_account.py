"""The account: CreateAccountAlias, DeleteAccountAlias, ListAccountAliases, GetAccountSummary.

An account has at most one alias, unique across accounts; creating a new one replaces the
old (https://docs.aws.amazon.com/signin/latest/userguide/CreateAccountAlias.html). The summary
reports every key of the `summaryKeyType` enum, with the default quotas of
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html.
"""

from __future__ import annotations

from typing import Any

from localiam.protocol import ServiceError
from localiam.services.iam._context import Handler, IamContext
from localiam.store import func, select
from localiam.store.models import (
    AccessKey,
    Account,
    Group,
    InstanceProfile,
    ManagedPolicy,
    MfaDevice,
    OpenIdConnectProvider,
    PolicyAttachment,
    Role,
    SamlProvider,
    ServerCertificate,
    SigningCertificate,
    User,
)

#: The quotas GetAccountSummary reports: AWS's defaults for a new account.
QUOTAS: dict[str, int] = {
    "UsersQuota": 5000,
    "GroupsQuota": 300,
    "RolesQuota": 1000,
    "PoliciesQuota": 1500,
    "InstanceProfilesQuota": 1000,
    "ServerCertificatesQuota": 20,
    "UserPolicySizeQuota": 2048,
    "GroupPolicySizeQuota": 5120,
    "RolePolicySizeQuota": 10240,
    "PolicySizeQuota": 6144,
    "AssumeRolePolicySizeQuota": 2048,
    "GroupsPerUserQuota": 10,
    "SigningCertificatesPerUserQuota": 2,
    "AccessKeysPerUserQuota": 2,
    "AttachedPoliciesPerGroupQuota": 10,
    "AttachedPoliciesPerRoleQuota": 10,
    "AttachedPoliciesPerUserQuota": 10,
    "VersionsPerPolicyQuota": 5,
    "PolicyVersionsInUseQuota": 10000,
}

#: GetAccountSummary's GlobalEndpointTokenVersion for each SetSecurityTokenServicePreferences
#: value (https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountSummary.html).
GLOBAL_ENDPOINT_TOKEN_VERSIONS = {"v1Token": 1, "v2Token": 2}


def account_row(ctx: IamContext) -> Account:
    """The caller's account, with its account-wide settings."""
    account = ctx.session.get(Account, ctx.account_id)
    if account is None:  # the server creates the account before any request reaches here
        raise ServiceError("NoSuchEntity", f"The account {ctx.account_id} cannot be found.", 404)
    return account


def create_account_alias(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    alias = params["AccountAlias"]
    holder = ctx.session.scalars(select(Account).where(Account.alias == alias)).first()
    if holder is not None and holder.id != ctx.account_id:
        raise ServiceError("EntityAlreadyExists", f"The account alias {alias} already exists.", 409)
    account_row(ctx).alias = alias
    return {}


def delete_account_alias(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    alias = params["AccountAlias"]
    account = account_row(ctx)
    if account.alias != alias:
        raise ServiceError("NoSuchEntity", f"The account alias {alias} cannot be found.", 404)
    account.alias = None
    return {}


def list_account_aliases(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    alias = account_row(ctx).alias
    return {"AccountAliases": [] if alias is None else [alias], "IsTruncated": False}


def _count(ctx: IamContext, model: Any, *conditions: Any) -> int:
    query = select(func.count()).select_from(model).where(model.account_id == ctx.account_id)
    for condition in conditions:
        query = query.where(condition)
    return int(ctx.session.scalar(query) or 0)


def get_account_summary(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    """Usage counts, the root user's credentials present (1 or 0), and the quotas."""
    root_mfa = _count(
        ctx, MfaDevice, MfaDevice.user_id.is_(None), MfaDevice.enabled_at.is_not(None)
    )
    root_keys = _count(ctx, AccessKey, AccessKey.user_id.is_(None))
    root_certs = _count(ctx, SigningCertificate, SigningCertificate.user_id.is_(None))
    summary: dict[str, int] = {
        "Users": _count(ctx, User),
        "Groups": _count(ctx, Group),
        "Roles": _count(ctx, Role),
        "Policies": _count(ctx, ManagedPolicy),
        "InstanceProfiles": _count(ctx, InstanceProfile),
        "ServerCertificates": _count(ctx, ServerCertificate),
        "Providers": _count(ctx, SamlProvider) + _count(ctx, OpenIdConnectProvider),
        "MFADevices": _count(ctx, MfaDevice),
        "MFADevicesInUse": _count(ctx, MfaDevice, MfaDevice.enabled_at.is_not(None)),
        "PolicyVersionsInUse": _count(ctx, PolicyAttachment),
        "AccountMFAEnabled": int(root_mfa > 0),
        "AccountAccessKeysPresent": int(root_keys > 0),
        "AccountSigningCertificatesPresent": int(root_certs > 0),
        # The root user of a localiam account has no console password.
        "AccountPasswordPresent": 0,
        "GlobalEndpointTokenVersion": GLOBAL_ENDPOINT_TOKEN_VERSIONS.get(
            account_row(ctx).sts_global_endpoint_token_version, 1
        ),
        **QUOTAS,
    }
    return {"SummaryMap": summary}


HANDLERS: dict[str, Handler] = {
    "CreateAccountAlias": create_account_alias,
    "DeleteAccountAlias": delete_account_alias,
    "ListAccountAliases": list_account_aliases,
    "GetAccountSummary": get_account_summary,
}
