"""Organization policies: create, update, delete, describe and list them; attach and detach
them (https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreatePolicy.html and
the pages of the other operations). SCPs and RCPs are parsed by localiam's policy parser with
their own rules; the other policy types are stored as given.

Quotas (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html):
5,120 characters a document, 1,000 policies of a type, 5 policies of a type on one target; an
entity keeps at least one SCP while SCPs are enabled; RCPFullAWSAccess cannot be detached.
"""

from __future__ import annotations

import json
from typing import Any

from localiam.policy import MalformedPolicyDocument, PolicyKind, parse_policy
from localiam.services._tags import drop_all_tags
from localiam.services.organizations._call import OrgCall, Spec, page
from localiam.services.organizations._errors import (
    constraint,
    invalid_input,
    malformed_policy,
    not_found,
    policy_not_found,
    policy_type_not_enabled,
    unsupported,
)
from localiam.services.organizations._names import FULL_ACCESS, RCP, SCP, policy_arn
from localiam.services.organizations._tags import put_tags, request_tag_keys
from localiam.services.organizations._targets import (
    arn_of_target,
    attach,
    checked_target,
    policy_type_of,
)
from localiam.services.organizations._tree import AWS_POLICY_TEXTS
from localiam.store import func, select
from localiam.store.models import OrgAccount, OrgPolicy, OrgPolicyAttachment, OrgUnit

MAX_CONTENT = 5120
MAX_POLICIES = 1000
MAX_PER_TARGET = 5

_AWS_NAMES = {FULL_ACCESS[SCP]: "FullAWSAccess", FULL_ACCESS[RCP]: "RCPFullAWSAccess"}
_KINDS = {SCP: PolicyKind.SCP, RCP: PolicyKind.RCP}


def summary(call: OrgCall, policy_id: str) -> dict[str, Any]:
    for kind, aws_id in FULL_ACCESS.items():
        if policy_id == aws_id:
            return {
                "Id": aws_id,
                "Arn": policy_arn("aws", "", kind, aws_id),
                "Name": _AWS_NAMES[aws_id],
                "Description": "Allows access to every operation",
                "Type": kind,
                "AwsManaged": True,
            }
    row = call.policy(policy_id)
    if row is None:
        raise policy_not_found()
    return {
        "Id": row.id,
        "Arn": row.arn,
        "Name": row.name,
        "Description": row.description,
        "Type": row.type,
        "AwsManaged": False,
    }


def _content(policy_id: str, row: OrgPolicy | None) -> str:
    return AWS_POLICY_TEXTS[policy_id] if row is None else row.content


def _checked_content(text: str, policy_type: str) -> str:
    if len(text) > MAX_CONTENT:
        raise constraint(
            "POLICY_CONTENT_LIMIT_EXCEEDED",
            "You attempted to create a policy that is larger than the maximum size.",
        )
    kind = _KINDS.get(policy_type)
    try:
        document = json.loads(text)
        if kind is not None:
            parse_policy(document, kind)
        elif not isinstance(document, dict):
            raise ValueError("not an object")
    except (ValueError, MalformedPolicyDocument):
        raise malformed_policy(
            "The provided policy document does not meet the requirements of the specified "
            "policy type."
        ) from None
    return text


def _enabled(call: OrgCall, policy_type: str) -> None:
    if policy_type not in call.enabled_types():
        raise policy_type_not_enabled()


def create_policy(call: OrgCall) -> dict[str, Any]:
    org = call.organization()
    params = call.params
    kind = params["Type"]
    content = _checked_content(params["Content"], kind)
    count = call.session.scalar(
        select(func.count())
        .select_from(OrgPolicy)
        .where(OrgPolicy.org_id == org.id, OrgPolicy.type == kind)
    )
    if (count or 0) >= MAX_POLICIES:
        raise constraint(
            "POLICY_NUMBER_LIMIT_EXCEEDED",
            "You attempted to exceed the number of policies that you can have in an organization.",
        )
    _no_duplicate_name(call, kind, params["Name"])
    policy_id = call.ids.policy()
    row = OrgPolicy(
        id=policy_id,
        org_id=org.id,
        type=kind,
        name=params["Name"],
        description=params["Description"],
        content=content,
        arn=policy_arn(org.management_account_id, org.id, kind, policy_id),
    )
    call.session.add(row)
    call.session.flush()
    put_tags(call, row.arn, org.management_account_id, params.get("Tags") or [])
    return {"Policy": {"PolicySummary": summary(call, policy_id), "Content": content}}


def _no_duplicate_name(call: OrgCall, kind: str, name: str) -> None:
    taken = call.session.scalars(
        select(OrgPolicy.id).where(
            OrgPolicy.org_id == call.organization().id,
            OrgPolicy.type == kind,
            OrgPolicy.name == name,
        )
    ).first()
    if taken is not None or name in _AWS_NAMES.values():
        raise not_found("DuplicatePolicyException", "A policy with the same name already exists.")


def _mutable(call: OrgCall) -> OrgPolicy:
    policy_id = call.params["PolicyId"]
    if policy_id in FULL_ACCESS.values():
        raise invalid_input(
            "IMMUTABLE_POLICY",
            "You specified a policy that is managed by AWS and can't be modified.",
        )
    row = call.policy(policy_id)
    if row is None:
        raise policy_not_found()
    return row


def update_policy(call: OrgCall) -> dict[str, Any]:
    row = _mutable(call)
    params = call.params
    if "Name" in params and params["Name"] != row.name:
        _no_duplicate_name(call, row.type, params["Name"])
        row.name = params["Name"]
    if "Description" in params:
        row.description = params["Description"]
    if "Content" in params:
        row.content = _checked_content(params["Content"], row.type)
    call.session.flush()
    return {"Policy": {"PolicySummary": summary(call, row.id), "Content": row.content}}


def delete_policy(call: OrgCall) -> dict[str, Any]:
    row = _mutable(call)
    used = call.session.scalars(
        select(OrgPolicyAttachment.target_id).where(OrgPolicyAttachment.policy_id == row.id)
    ).first()
    if used is not None:
        raise not_found(
            "PolicyInUseException",
            "The policy is attached to one or more entities. You must detach it from all "
            "roots, OUs, and accounts before performing this operation.",
        )
    drop_all_tags(call.session, row.arn)
    call.session.delete(row)
    call.session.flush()
    return {}


def describe_policy(call: OrgCall) -> dict[str, Any]:
    policy_id = call.params["PolicyId"]
    info = summary(call, policy_id)
    return {
        "Policy": {"PolicySummary": info, "Content": _content(policy_id, call.policy(policy_id))}
    }


def _kind_or_missing(call: OrgCall) -> str:
    kind = policy_type_of(call, call.params["PolicyId"])
    if kind is None:
        raise policy_not_found()
    return kind


def _attached_of_type(call: OrgCall, target_id: str, kind: str) -> list[OrgPolicyAttachment]:
    return [a for a in call.attachments_of(target_id) if policy_type_of(call, a.policy_id) == kind]


def attach_policy(call: OrgCall) -> dict[str, Any]:
    kind = _kind_or_missing(call)
    target = checked_target(call, call.params["TargetId"])
    _enabled(call, kind)
    policy_id = call.params["PolicyId"]
    present = _attached_of_type(call, target, kind)
    if any(a.policy_id == policy_id for a in present):
        raise not_found(
            "DuplicatePolicyAttachmentException",
            "The selected policy is already attached to the specified target.",
        )
    if len(present) >= MAX_PER_TARGET:
        raise constraint(
            "MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
            "You attempted to exceed the number of policies of a certain type that can be "
            "attached to an entity at one time.",
        )
    attach(call, policy_id, target)
    return {}


def detach_policy(call: OrgCall) -> dict[str, Any]:
    kind = _kind_or_missing(call)
    target = checked_target(call, call.params["TargetId"])
    policy_id = call.params["PolicyId"]
    if policy_id == FULL_ACCESS[RCP]:
        raise invalid_input("NON_DETACHABLE_POLICY", "You can't detach this AWS Managed Policy.")
    present = _attached_of_type(call, target, kind)
    row = next((a for a in present if a.policy_id == policy_id), None)
    if row is None:
        raise not_found(
            "PolicyNotAttachedException",
            "The policy isn't attached to the specified target in the specified root.",
        )
    if kind == SCP and len(present) == 1 and kind in call.enabled_types():
        raise constraint(
            "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
            "You attempted to detach a policy from an entity that would cause the entity to "
            "have fewer than the minimum number of policies of a certain type required.",
        )
    call.session.delete(row)
    call.session.flush()
    return {}


def _all_ids(call: OrgCall, kind: str) -> list[str]:
    ids = list(
        call.session.scalars(
            select(OrgPolicy.id)
            .where(OrgPolicy.org_id == call.organization().id, OrgPolicy.type == kind)
            .order_by(OrgPolicy.name, OrgPolicy.id)
        )
    )
    return [FULL_ACCESS[kind], *ids] if kind in FULL_ACCESS else ids


def list_policies(call: OrgCall) -> dict[str, Any]:
    ids = _all_ids(call, call.params["Filter"])
    return page(ids, call.params, lambda i: summary(call, i), "Policies")


def list_policies_for_target(call: OrgCall) -> dict[str, Any]:
    target = checked_target(call, call.params["TargetId"])
    kind = call.params["Filter"]
    ids = [a.policy_id for a in _attached_of_type(call, target, kind)]
    return page(ids, call.params, lambda i: summary(call, i), "Policies")


def _target_summary(call: OrgCall, target_id: str) -> dict[str, Any]:
    if target_id.isdigit():
        member = call.session.get(OrgAccount, target_id)
        name, kind = (member.name if member else target_id), "ACCOUNT"
    else:
        unit = call.session.get(OrgUnit, target_id)
        name = unit.name if unit else target_id
        kind = "ROOT" if target_id.startswith("r-") else "ORGANIZATIONAL_UNIT"
    return {
        "TargetId": target_id,
        "Arn": arn_of_target(call, target_id),
        "Name": name,
        "Type": kind,
    }


def list_targets_for_policy(call: OrgCall) -> dict[str, Any]:
    _kind_or_missing(call)
    targets = list(
        call.session.scalars(
            select(OrgPolicyAttachment.target_id)
            .where(
                OrgPolicyAttachment.policy_id == call.params["PolicyId"],
                OrgPolicyAttachment.org_id == call.organization().id,
            )
            .order_by(OrgPolicyAttachment.target_id)
        )
    )
    return page(targets, call.params, lambda t: _target_summary(call, t), "Targets")


def describe_effective_policy(call: OrgCall) -> dict[str, Any]:
    raise unsupported(
        "DescribeEffectivePolicy",
        "management policy types such as tag and backup policies are stored but their "
        "effective policies are not computed; SCPs and RCPs have no effective-policy view in AWS",
    )


def _policy_resource(call: OrgCall) -> list[str]:
    policy_id = str(call.params["PolicyId"])
    kind = policy_type_of(call, policy_id)
    if kind is None:
        return ["*"]
    if policy_id in FULL_ACCESS.values():
        return [policy_arn("aws", "", kind, policy_id)]
    row = call.policy(policy_id)
    return [row.arn] if row is not None else ["*"]


def _policy_and_target(call: OrgCall) -> list[str]:
    return [*_policy_resource(call), arn_of_target(call, str(call.params["TargetId"]))]


def _target_resource(call: OrgCall) -> list[str]:
    return [arn_of_target(call, str(call.params["TargetId"]))]


def _policy_type(call: OrgCall) -> dict[str, object]:
    kind = policy_type_of(call, str(call.params["PolicyId"]))
    return {} if kind is None else {"organizations:PolicyType": kind}


def _filter_type(call: OrgCall) -> dict[str, object]:
    return {"organizations:PolicyType": call.params["Filter"]}


def _created_type(call: OrgCall) -> dict[str, object]:
    return {"organizations:PolicyType": call.params["Type"], **request_tag_keys(call)}


def _new_policy_resource(call: OrgCall) -> list[str]:
    org = call.organization()
    return [policy_arn(org.management_account_id, org.id, str(call.params["Type"]), "*")]


HANDLERS: dict[str, Spec] = {
    "CreatePolicy": Spec(create_policy, _new_policy_resource, _created_type),
    "UpdatePolicy": Spec(update_policy, _policy_resource, _policy_type),
    "DeletePolicy": Spec(delete_policy, _policy_resource, _policy_type),
    "DescribePolicy": Spec(describe_policy, _policy_resource, _policy_type),
    "AttachPolicy": Spec(attach_policy, _policy_and_target, _policy_type),
    "DetachPolicy": Spec(detach_policy, _policy_and_target, _policy_type),
    "ListPolicies": Spec(list_policies, context=_filter_type),
    "ListPoliciesForTarget": Spec(list_policies_for_target, _target_resource, _filter_type),
    "ListTargetsForPolicy": Spec(list_targets_for_policy, _policy_resource, _policy_type),
    "DescribeEffectivePolicy": Spec(describe_effective_policy, scope="member"),
}
