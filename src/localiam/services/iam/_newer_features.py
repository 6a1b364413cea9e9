"""IAM's newer operations: centralized root access for an organization's member accounts,
outbound identity federation, account properties, delegation requests and role templates
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_Operations.html).

- Centralized root access (ListOrganizationsFeatures, Enable/Disable
  OrganizationsRootCredentialsManagement, Enable/Disable OrganizationsRootSessions) needs the
  caller's account in an organization (`OrganizationNotFoundException`) with all features
  (`OrganizationNotInAllFeaturesModeException`) and trusted access for `iam.amazonaws.com`
  (`ServiceAccessNotEnabledException`), and the caller in its management account:
  `CallerIsNotManagementAccountException` for Enable*, and
  `AccountNotManagementOrDelegatedAdministratorException` for the others (localiam has no
  delegated administrators). Enabling or disabling is idempotent; every operation answers the
  organization's id and its enabled features
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-enable-root-access.html).
  `RootSessions` is what lets the management account call sts:AssumeRoot.
- Outbound identity federation (Enable/Disable OutboundWebIdentityFederation,
  GetOutboundWebIdentityFederationInfo) is an account flag. Enabling it the first time gives the
  account its issuer URL, `https://<uuid>.tokens.sts.global.api.aws` as AWS's are; the URL stays
  the account's when the feature is disabled and enabled again. Enabling twice is
  `FeatureEnabled`; disabling, or reading, a disabled feature is `FeatureDisabled`.
- Delegation requests are created only by AWS partners onboarded with registered policy templates
  (CreateDelegationRequest), which localiam has none of: creating one is `NotImplemented`, so no
  request ever exists, listings are empty, and every request id is `NoSuchEntity`.
- Account properties, role templates (AcquireRole, GetRoleTemplateVersion) and the summaries an
  LLM writes (GetHumanReadableSummary, for a delegation request) are `NotImplemented`, each with
  its reason.
"""

from __future__ import annotations

from typing import Any

from localiam.protocol import ServiceError, load_service_model
from localiam.services.iam._account import account_row
from localiam.services.iam._context import Handler, IamContext
from localiam.services.iam._errors import invalid_input
from localiam.store import Session
from localiam.store.models import OrgAccount, Organization

#: The host under which AWS puts each account's outbound identity federation issuer.
ISSUER_DOMAIN = "tokens.sts.global.api.aws"


def not_implemented(operation: str, reason: str) -> ServiceError:
    """`NotImplemented` (501, a fault of localiam, not of the caller) with the reason."""
    return ServiceError(
        "NotImplemented", f"localiam does not implement iam:{operation} yet: {reason}", 501, False
    )


def _model_error(code: str, message: str) -> ServiceError:
    return ServiceError.from_model(load_service_model("iam"), code, message)


# -- centralized root access -------------------------------------------------------------------

#: The features of centralized root access, in the order AWS's API reference lists them.
ROOT_ACCESS_FEATURES = ("RootCredentialsManagement", "RootSessions")
#: The service principal whose trusted access centralized root access needs.
IAM_SERVICE_PRINCIPAL = "iam.amazonaws.com"


def trusted_access(org: Organization) -> bool:
    """Whether the organization gave IAM trusted access (organizations:EnableAWSServiceAccess)."""
    return any(p.get("ServicePrincipal") == IAM_SERVICE_PRINCIPAL for p in org.service_principals)


def enabled_features(org: Organization) -> list[str]:
    """The centralized root access features the organization has enabled, in AWS's order."""
    return [f for f in ROOT_ACCESS_FEATURES if f in org.root_access_features]


def organization_of(session: Session, account_id: str) -> Organization | None:
    """The organization `account_id` belongs to (as its management account or a member)."""
    member = session.get(OrgAccount, account_id)
    return None if member is None else session.get(Organization, member.org_id)


def _root_access_org(ctx: IamContext, *, enabling: bool) -> Organization:
    """The caller's organization, once every prerequisite of centralized root access holds, in
    the order the IAM API reference's errors name them; the messages are the model's."""
    org = organization_of(ctx.session, ctx.account_id)
    if org is None:
        raise _model_error(
            "OrganizationNotFoundException",
            f"The request was rejected because no organization is associated with your account "
            f"{ctx.account_id}.",
        )
    if org.feature_set != "ALL":
        raise _model_error(
            "OrganizationNotInAllFeaturesModeException",
            "The request was rejected because your organization does not have All features "
            "enabled.",
        )
    if not trusted_access(org):
        raise _model_error(
            "ServiceAccessNotEnabledException",
            "The request was rejected because trusted access is not enabled for IAM in "
            "Organizations.",
        )
    if org.management_account_id != ctx.account_id:
        if enabling:
            raise _model_error(
                "CallerIsNotManagementAccountException",
                "The request was rejected because the account making the request is not the "
                "management account for the organization.",
            )
        raise _model_error(
            "AccountNotManagementOrDelegatedAdministratorException",
            "The request was rejected because the account making the request is not the "
            "management account or delegated administrator account for centralized root access.",
        )
    return org


def _features_shape(org: Organization) -> dict[str, Any]:
    return {"OrganizationId": org.id, "EnabledFeatures": enabled_features(org)}


def list_organizations_features(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    return _features_shape(_root_access_org(ctx, enabling=False))


def _switch(feature: str, on: bool) -> Handler:
    """Enable (`on`) or disable one feature; doing it twice changes nothing."""

    def handler(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
        org = _root_access_org(ctx, enabling=on)
        others = [f for f in org.root_access_features if f != feature]
        # A new list, so that the JSON column sees the change.
        org.root_access_features = [*others, feature] if on else others
        return _features_shape(org)

    return handler


# -- outbound identity federation --------------------------------------------------------------


def _feature_disabled(ctx: IamContext) -> ServiceError:
    return _model_error(
        "FeatureDisabled",
        f"Outbound identity federation is disabled for your account {ctx.account_id}.",
    )


def enable_outbound_web_identity_federation(
    ctx: IamContext, params: dict[str, Any]
) -> dict[str, Any]:
    account = account_row(ctx)
    if account.outbound_web_identity_federation:
        raise _model_error(
            "FeatureEnabled",
            f"Outbound identity federation is already enabled for your account {ctx.account_id}.",
        )
    if account.outbound_web_identity_issuer is None:
        account.outbound_web_identity_issuer = f"https://{ctx.ids.new_request_id()}.{ISSUER_DOMAIN}"
    account.outbound_web_identity_federation = True
    return {"IssuerIdentifier": account.outbound_web_identity_issuer}


def disable_outbound_web_identity_federation(
    ctx: IamContext, params: dict[str, Any]
) -> dict[str, Any]:
    account = account_row(ctx)
    if not account.outbound_web_identity_federation:
        raise _feature_disabled(ctx)
    account.outbound_web_identity_federation = False
    return {}


def get_outbound_web_identity_federation_info(
    ctx: IamContext, params: dict[str, Any]
) -> dict[str, Any]:
    account = account_row(ctx)
    if not account.outbound_web_identity_federation or not account.outbound_web_identity_issuer:
        raise _feature_disabled(ctx)
    return {"IssuerIdentifier": account.outbound_web_identity_issuer, "JwtVendingEnabled": True}


# -- delegation requests -----------------------------------------------------------------------


def _no_delegation_request(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    """Get, Associate, Update, Accept, Reject and SendDelegationToken: no request exists."""
    request_id = params["DelegationRequestId"]
    raise ServiceError(
        "NoSuchEntity", f"The delegation request with id {request_id} cannot be found.", 404
    )


def create_delegation_request(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    raise not_implemented(
        "CreateDelegationRequest",
        "only AWS partners onboarded with registered policy templates may create delegation "
        "requests, and localiam has no partners nor templates.",
    )


def list_delegation_requests(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    # The output shape spells this member `isTruncated`.
    return {"DelegationRequests": [], "isTruncated": False}


def get_human_readable_summary(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    """Only delegation requests can be summarized, and none exists."""
    arn = params["EntityArn"]
    parts = arn.split(":", 5)
    resource = parts[5] if len(parts) == 6 and parts[0] == "arn" and parts[2] == "iam" else ""
    kind, _, request_id = resource.partition("/")
    if kind != "delegation-request" or not request_id:
        raise invalid_input(
            f"Invalid entity ARN {arn}: only delegation-request entities can be summarized."
        )
    return _no_delegation_request(ctx, {"DelegationRequestId": request_id})


# -- not implemented, with the reason ----------------------------------------------------------


def _refuse(operation: str, reason: str) -> Handler:
    def handler(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
        raise not_implemented(operation, reason)

    return handler


_NO_PROPERTIES = (
    "the IAM API reference names no account property nor its type (only the "
    "`Namespace/PropertyName` form of keys), so localiam cannot tell which AWS accepts."
)
_NO_TEMPLATES = "role templates are published by AWS services, and localiam ships none."


HANDLERS: dict[str, Handler] = {
    "ListOrganizationsFeatures": list_organizations_features,
    "EnableOrganizationsRootCredentialsManagement": _switch("RootCredentialsManagement", True),
    "DisableOrganizationsRootCredentialsManagement": _switch("RootCredentialsManagement", False),
    "EnableOrganizationsRootSessions": _switch("RootSessions", True),
    "DisableOrganizationsRootSessions": _switch("RootSessions", False),
    "EnableOutboundWebIdentityFederation": enable_outbound_web_identity_federation,
    "DisableOutboundWebIdentityFederation": disable_outbound_web_identity_federation,
    "GetOutboundWebIdentityFederationInfo": get_outbound_web_identity_federation_info,
    "GetAccountProperties": _refuse("GetAccountProperties", _NO_PROPERTIES),
    "PutAccountProperties": _refuse("PutAccountProperties", _NO_PROPERTIES),
    "CreateDelegationRequest": create_delegation_request,
    "ListDelegationRequests": list_delegation_requests,
    "GetDelegationRequest": _no_delegation_request,
    "AssociateDelegationRequest": _no_delegation_request,
    "UpdateDelegationRequest": _no_delegation_request,
    "AcceptDelegationRequest": _no_delegation_request,
    "RejectDelegationRequest": _no_delegation_request,
    "SendDelegationToken": _no_delegation_request,
    "GetHumanReadableSummary": get_human_readable_summary,
    "AcquireRole": _refuse("AcquireRole", _NO_TEMPLATES),
    "GetRoleTemplateVersion": _refuse("GetRoleTemplateVersion", _NO_TEMPLATES),
}
