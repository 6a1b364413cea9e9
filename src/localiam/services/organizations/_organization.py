"""The organization itself: create, describe, delete; its root; policy types; trusted access
(https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreateOrganization.html and
the pages of the other operations)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from localiam.services.organizations._call import OrgCall, Spec, page
from localiam.services.organizations._errors import (
    already_in_organization,
    constraint,
    invalid_input,
    not_found,
    root_not_found,
)
from localiam.services.organizations._names import (
    FULL_ACCESS,
    SCP,
    account_arn,
    organization_arn,
    root_arn,
)
from localiam.services.organizations._targets import (
    attach,
    every_target,
    management_email,
    management_name,
    policies_of_type,
)
from localiam.store import select
from localiam.store.models import Account, OrgAccount, Organization, OrgPolicyAttachment, OrgUnit

#: The policy types the API knows; SCPs and RCPs are enforced, the others only stored.
POLICY_TYPES = (
    "SERVICE_CONTROL_POLICY",
    "RESOURCE_CONTROL_POLICY",
    "TAG_POLICY",
    "BACKUP_POLICY",
    "AISERVICES_OPT_OUT_POLICY",
    "CHATBOT_POLICY",
    "DECLARATIVE_POLICY_EC2",
    "SECURITYHUB_POLICY",
    "INSPECTOR_POLICY",
    "UPGRADE_ROLLOUT_POLICY",
    "BEDROCK_POLICY",
    "S3_POLICY",
    "NETWORK_SECURITY_DIRECTOR_POLICY",
)


def organization_shape(call: OrgCall, org: Organization) -> dict[str, Any]:
    management = org.management_account_id
    member = call.session.get(OrgAccount, management)
    root = call.root()
    return {
        "Id": org.id,
        "Arn": org.arn,
        "FeatureSet": org.feature_set,
        "MasterAccountArn": account_arn(management, org.id, management),
        "MasterAccountId": management,
        "MasterAccountEmail": member.email if member is not None else management_email(management),
        "AvailablePolicyTypes": [dict(t) for t in root.policy_types],
    }


def root_shape(root: OrgUnit) -> dict[str, Any]:
    return {
        "Id": root.id,
        "Arn": root.arn,
        "Name": root.name,
        "PolicyTypes": [dict(t) for t in root.policy_types],
    }


def create_organization(call: OrgCall) -> dict[str, Any]:
    if call.org is not None:
        raise already_in_organization()
    account = call.account_id
    feature_set = call.params.get("FeatureSet", "ALL")
    org_id = call.ids.organization()
    org = Organization(
        id=org_id,
        arn=organization_arn(account, org_id),
        management_account_id=account,
        feature_set=feature_set,
        created_at=call.now,
    )
    call.session.add(org)
    call.session.flush()  # rows of other tables refer to it (no ORM relationships order them)
    root_id = call.ids.root()
    root = OrgUnit(
        id=root_id,
        org_id=org_id,
        parent_id=None,
        name="Root",
        arn=root_arn(account, org_id, root_id),
        created_at=call.now,
        # With all features, SCPs are enabled in the root from the start.
        policy_types=[{"Type": SCP, "Status": "ENABLED"}] if feature_set == "ALL" else [],
    )
    call.session.add(root)
    call.session.flush()
    alias = call.session.get(Account, account)
    call.session.add(
        OrgAccount(
            account_id=account,
            org_id=org_id,
            parent_id=root_id,
            name=management_name(alias.alias if alias is not None else None, account),
            email=management_email(account),
            arn=account_arn(account, org_id, account),
            joined_method="CREATED",
            joined_at=call.now,
        )
    )
    call.session.flush()
    call.org = org
    if feature_set == "ALL":
        for target in (root_id, account):
            attach(call, FULL_ACCESS[SCP], target)
    return {"Organization": organization_shape(call, org)}


def describe_organization(call: OrgCall) -> dict[str, Any]:
    return {"Organization": organization_shape(call, call.organization())}


def delete_organization(call: OrgCall) -> dict[str, Any]:
    org = call.organization()
    others = call.session.scalars(
        select(OrgAccount).where(
            OrgAccount.org_id == org.id, OrgAccount.account_id != org.management_account_id
        )
    ).first()
    if others is not None:
        raise not_found(
            "OrganizationNotEmptyException",
            "The organization isn't empty. To delete an organization, you must first remove "
            "all accounts except the management account.",
        )
    call.session.delete(org)
    call.session.flush()
    return {}


def list_roots(call: OrgCall) -> dict[str, Any]:
    return page([call.root()], call.params, root_shape, "Roots")


def _root_for(call: OrgCall) -> OrgUnit:
    root = call.root()
    if call.params["RootId"] != root.id:
        raise root_not_found()
    return root


def enable_policy_type(call: OrgCall) -> dict[str, Any]:
    root = _root_for(call)
    kind = call.params["PolicyType"]
    _known_type(kind)
    if call.organization().feature_set != "ALL":
        raise constraint(
            "ORGANIZATION_NOT_IN_ALL_FEATURES_MODE",
            "You attempted to perform an operation that requires the organization to be "
            "configured to support all features.",
        )
    if any(t["Type"] == kind for t in root.policy_types):
        raise not_found(
            "PolicyTypeAlreadyEnabledException", "The specified policy type is already enabled."
        )
    root.policy_types = [*root.policy_types, {"Type": kind, "Status": "ENABLED"}]
    if kind in FULL_ACCESS:
        # AWS attaches its full-access policy of the type to the root, every OU and every account.
        for target in every_target(call):
            attach(call, FULL_ACCESS[kind], target)
    call.session.flush()
    return {"Root": root_shape(root)}


def disable_policy_type(call: OrgCall) -> dict[str, Any]:
    root = _root_for(call)
    kind = call.params["PolicyType"]
    _known_type(kind)
    if not any(t["Type"] == kind for t in root.policy_types):
        raise not_found(
            "PolicyTypeNotEnabledException",
            "This policy type is not enabled in the specified root.",
        )
    root.policy_types = [t for t in root.policy_types if t["Type"] != kind]
    # Every policy of the type is detached from every target.
    ids = policies_of_type(call, kind)
    for row in call.session.scalars(
        select(OrgPolicyAttachment).where(OrgPolicyAttachment.org_id == call.organization().id)
    ):
        if row.policy_id in ids:
            call.session.delete(row)
    call.session.flush()
    return {"Root": root_shape(root)}


def _known_type(kind: str) -> None:
    if kind not in POLICY_TYPES:
        raise invalid_input(
            "INVALID_ENUM_POLICY_TYPE", "You specified an invalid policy type string."
        )


def enable_service_access(call: OrgCall) -> dict[str, Any]:
    org = call.organization()
    principal = call.params["ServicePrincipal"]
    if not any(p["ServicePrincipal"] == principal for p in org.service_principals):
        org.service_principals = [
            *org.service_principals,
            {"ServicePrincipal": principal, "DateEnabled": call.now.timestamp()},
        ]
    return {}


def disable_service_access(call: OrgCall) -> dict[str, Any]:
    org = call.organization()
    principal = call.params["ServicePrincipal"]
    org.service_principals = [
        p for p in org.service_principals if p["ServicePrincipal"] != principal
    ]
    return {}


def list_service_access(call: OrgCall) -> dict[str, Any]:
    entries = [
        {
            "ServicePrincipal": p["ServicePrincipal"],
            "DateEnabled": datetime.fromtimestamp(float(p["DateEnabled"]), UTC),
        }
        for p in call.organization().service_principals
    ]
    return page(entries, call.params, lambda e: e, "EnabledServicePrincipals")


def _root_resource(call: OrgCall) -> list[str]:
    org = call.organization()
    return [root_arn(org.management_account_id, org.id, str(call.params.get("RootId", "")))]


def _policy_type_key(call: OrgCall) -> dict[str, object]:
    return {"organizations:PolicyType": call.params["PolicyType"]}


def _service_key(call: OrgCall) -> dict[str, object]:
    return {"organizations:ServicePrincipal": call.params["ServicePrincipal"]}


HANDLERS: dict[str, Spec] = {
    "CreateOrganization": Spec(create_organization, scope="any"),
    "DescribeOrganization": Spec(describe_organization, scope="member"),
    "DeleteOrganization": Spec(delete_organization),
    "ListRoots": Spec(list_roots),
    "EnablePolicyType": Spec(enable_policy_type, _root_resource, _policy_type_key),
    "DisablePolicyType": Spec(disable_policy_type, _root_resource, _policy_type_key),
    "EnableAWSServiceAccess": Spec(enable_service_access, context=_service_key),
    "DisableAWSServiceAccess": Spec(disable_service_access, context=_service_key),
    "ListAWSServiceAccessForOrganization": Spec(list_service_access),
}
