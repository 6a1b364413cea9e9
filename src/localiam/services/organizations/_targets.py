"""Policy targets (the root, OUs, accounts) and attachments, shared by the handlers."""

from __future__ import annotations

from localiam.services.organizations._call import OrgCall
from localiam.services.organizations._errors import invalid_input, target_not_found
from localiam.services.organizations._names import (
    ACCOUNT_ID,
    FULL_ACCESS,
    OU_ID,
    ROOT_ID,
    target_arn,
)
from localiam.store import func, select
from localiam.store.models import OrgAccount, OrgPolicy, OrgPolicyAttachment, OrgUnit


def management_name(alias: str | None, account_id: str) -> str:
    """The name Organizations shows for a management account that localiam made without one:
    its IAM account alias, else `localiam-<id>` (AWS uses the name given at sign-up)."""
    return alias or f"localiam-{account_id}"


def management_email(account_id: str) -> str:
    """The root email localiam shows for an account made without one (a reserved domain)."""
    return f"root+{account_id}@localiam.invalid"


def every_target(call: OrgCall) -> list[str]:
    """The root, every OU and every account of the organization."""
    org_id = call.organization().id
    units = call.session.scalars(select(OrgUnit.id).where(OrgUnit.org_id == org_id)).all()
    accounts = call.session.scalars(
        select(OrgAccount.account_id).where(OrgAccount.org_id == org_id)
    ).all()
    return [*units, *accounts]


def target_exists(call: OrgCall, target_id: str) -> bool:
    if ROOT_ID.fullmatch(target_id) or OU_ID.fullmatch(target_id):
        return call.unit(target_id) is not None
    if ACCOUNT_ID.fullmatch(target_id):
        return call.member(target_id) is not None
    raise invalid_input(
        "INVALID_PATTERN_TARGET_ID",
        "You specified a policy target ID that doesn't match the required pattern.",
    )


def checked_target(call: OrgCall, target_id: str) -> str:
    if not target_exists(call, target_id):
        raise target_not_found()
    return target_id


def arn_of_target(call: OrgCall, target_id: str) -> str:
    org = call.organization()
    return target_arn(org.management_account_id, org.id, target_id)


def policy_type_of(call: OrgCall, policy_id: str) -> str | None:
    """The type of the policy `policy_id` (AWS's own or the organization's), None if unknown."""
    for kind, aws_id in FULL_ACCESS.items():
        if policy_id == aws_id:
            return kind
    row = call.policy(policy_id)
    return None if row is None else row.type


def policies_of_type(call: OrgCall, policy_type: str) -> set[str]:
    """The ids of every policy of `policy_type` in the organization, AWS's own included."""
    ids = set(
        call.session.scalars(
            select(OrgPolicy.id).where(
                OrgPolicy.org_id == call.organization().id, OrgPolicy.type == policy_type
            )
        )
    )
    if policy_type in FULL_ACCESS:
        ids.add(FULL_ACCESS[policy_type])
    return ids


def attach(call: OrgCall, policy_id: str, target_id: str) -> None:
    """Attach (no checks: callers check quotas and duplicates first)."""
    last = call.session.scalar(
        select(func.max(OrgPolicyAttachment.position)).where(
            OrgPolicyAttachment.target_id == target_id
        )
    )
    call.session.add(
        OrgPolicyAttachment(
            policy_id=policy_id,
            target_id=target_id,
            org_id=call.organization().id,
            position=(last or 0) + 1,
        )
    )
    call.session.flush()


def attach_defaults(call: OrgCall, target_id: str) -> None:
    """A new OU or account gets AWS's full-access policy of every enabled type."""
    for kind in sorted(call.enabled_types()):
        aws_id = FULL_ACCESS.get(kind)
        if aws_id is not None:
            attach(call, aws_id, target_id)


def detach_everything(call: OrgCall, target_id: str) -> None:
    for row in call.attachments_of(target_id):
        call.session.delete(row)
    call.session.flush()
