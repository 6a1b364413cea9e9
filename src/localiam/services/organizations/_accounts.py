"""Member accounts: CreateAccount and its status, describing and listing accounts, moving them,
removing and closing them (https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreateAccount.html
and the pages of the other operations).

CreateAccount makes a new localiam account with the role AWS makes in it
(`OrganizationAccountAccessRole` unless `RoleName` says otherwise): trusted by the management
account, with an inline policy `AdministratorAccess` allowing everything
(https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_accounts_access-cross-account-role.html).
The account has no root credentials, as in AWS: it is reached through that role.
"""

from __future__ import annotations

import json
from typing import Any

from localiam.services.organizations._call import OrgCall, Spec, page
from localiam.services.organizations._errors import (
    account_not_found,
    constraint,
    invalid_input,
    not_found,
    parent_not_found,
)
from localiam.services.organizations._names import account_arn
from localiam.services.organizations._tags import put_tags, request_tag_keys
from localiam.services.organizations._targets import (
    arn_of_target,
    attach_defaults,
    detach_everything,
)
from localiam.services.organizations._tree import ancestry
from localiam.store import func, select
from localiam.store.models import (
    Account,
    CreateAccountRequest,
    InlinePolicy,
    OrgAccount,
    PrincipalType,
    Role,
)

#: Accounts per organization, AWS's default quota for new organizations
#: (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html).
MAX_ACCOUNTS = 10

_ADMIN = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
)


def account_shape(call: OrgCall, member: OrgAccount) -> dict[str, Any]:
    path = [node.id for node in ancestry(call.session, member.parent_id)]
    return {
        "Id": member.account_id,
        "Arn": member.arn,
        "Email": member.email,
        "Name": member.name,
        "Status": member.status,
        "State": member.status,
        "Paths": ["/".join((member.org_id, *path, member.account_id)) + "/"],
        "JoinedMethod": member.joined_method,
        "JoinedTimestamp": member.joined_at,
    }


def status_shape(row: CreateAccountRequest) -> dict[str, Any]:
    return {
        "Id": row.id,
        "AccountName": row.account_name,
        "State": row.state,
        "RequestedTimestamp": row.requested_at,
        "CompletedTimestamp": row.completed_at,
        "AccountId": row.account_id,
        "FailureReason": row.failure_reason,
    }


def _new_account_id(call: OrgCall) -> str:
    while True:
        candidate = call.ids.account()
        if call.session.get(Account, candidate) is None:
            return candidate


def create_account(call: OrgCall) -> dict[str, Any]:
    org = call.organization()
    params = call.params
    role_name = params.get("RoleName", "OrganizationAccountAccessRole")
    if role_name.startswith("AWSServiceRoleFor"):
        raise invalid_input(
            "INVALID_ROLE_NAME",
            "You provided a role name that isn't valid. A role name can't begin with the "
            "reserved prefix AWSServiceRoleFor.",
        )
    count = call.session.scalar(
        select(func.count()).select_from(OrgAccount).where(OrgAccount.org_id == org.id)
    )
    if (count or 0) >= MAX_ACCOUNTS:
        raise constraint(
            "ACCOUNT_NUMBER_LIMIT_EXCEEDED",
            "You attempted to exceed the limit on the number of accounts in an organization.",
        )
    request = CreateAccountRequest(
        id=call.ids.create_account_request(),
        org_id=org.id,
        account_name=params["AccountName"],
        state="IN_PROGRESS",
        requested_at=call.now,
    )
    call.session.add(request)
    call.session.flush()
    answer = status_shape(request)
    email = params["Email"]
    taken = call.session.scalars(
        select(OrgAccount).where(func.lower(OrgAccount.email) == email.lower())
    ).first()
    if taken is not None:
        # AWS reports this through the request's status, not as an error of the call.
        request.state, request.failure_reason = "FAILED", "EMAIL_ALREADY_EXISTS"
        request.completed_at = call.now
        call.session.flush()
        return {"CreateAccountStatus": answer}
    account_id = _new_account_id(call)
    call.session.add(Account(id=account_id, created_at=call.now))
    call.session.flush()  # rows of other tables refer to it (no ORM relationships order them)
    root = call.root()
    member = OrgAccount(
        account_id=account_id,
        org_id=org.id,
        parent_id=root.id,
        name=params["AccountName"],
        email=email,
        arn=account_arn(org.management_account_id, org.id, account_id),
        joined_method="CREATED",
        joined_at=call.now,
    )
    call.session.add(member)
    call.session.flush()
    _access_role(call, account_id, role_name, org.management_account_id)
    attach_defaults(call, account_id)
    put_tags(call, member.arn, org.management_account_id, params.get("Tags") or [])
    # The account is ready at once; the call still answers IN_PROGRESS, as AWS's does, and
    # DescribeCreateAccountStatus then reports SUCCEEDED.
    request.state, request.account_id, request.completed_at = "SUCCEEDED", account_id, call.now
    call.session.flush()
    return {"CreateAccountStatus": answer}


def _access_role(call: OrgCall, account_id: str, name: str, management: str) -> None:
    trust = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{management}:root"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )
    role = Role(
        role_id=call.iam_ids.new_unique_id("AROA"),
        account_id=account_id,
        name=name,
        path="/",
        arn=f"arn:aws:iam::{account_id}:role/{name}",
        created_at=call.now,
        assume_role_policy=trust,
    )
    call.session.add(role)
    call.session.flush()
    call.session.add(
        InlinePolicy(
            account_id=account_id,
            principal_type=PrincipalType.ROLE,
            principal_id=role.role_id,
            name="AdministratorAccess",
            document=_ADMIN,
        )
    )


def _request(call: OrgCall) -> CreateAccountRequest:
    row = call.session.get(CreateAccountRequest, call.params["CreateAccountRequestId"])
    if row is None or row.org_id != call.organization().id:
        raise not_found(
            "CreateAccountStatusNotFoundException",
            "We can't find an create account request with the CreateAccountRequestId that "
            "you specified.",
        )
    return row


def describe_create_account_status(call: OrgCall) -> dict[str, Any]:
    return {"CreateAccountStatus": status_shape(_request(call))}


def list_create_account_status(call: OrgCall) -> dict[str, Any]:
    states = call.params.get("States")
    query = (
        select(CreateAccountRequest)
        .where(CreateAccountRequest.org_id == call.organization().id)
        .order_by(CreateAccountRequest.requested_at, CreateAccountRequest.id)
    )
    if states:
        query = query.where(CreateAccountRequest.state.in_(states))
    rows = call.session.scalars(query).all()
    return page(rows, call.params, status_shape, "CreateAccountStatuses")


def _member(call: OrgCall, account_id: str) -> OrgAccount:
    member = call.member(account_id)
    if member is None:
        raise account_not_found()
    return member


def describe_account(call: OrgCall) -> dict[str, Any]:
    return {"Account": account_shape(call, _member(call, call.params["AccountId"]))}


def _accounts(call: OrgCall, parent_id: str | None = None) -> list[OrgAccount]:
    query = select(OrgAccount).where(OrgAccount.org_id == call.organization().id)
    if parent_id is not None:
        query = query.where(OrgAccount.parent_id == parent_id)
    return list(call.session.scalars(query.order_by(OrgAccount.joined_at, OrgAccount.account_id)))


def list_accounts(call: OrgCall) -> dict[str, Any]:
    return page(_accounts(call), call.params, lambda m: account_shape(call, m), "Accounts")


def list_accounts_for_parent(call: OrgCall) -> dict[str, Any]:
    parent = call.params["ParentId"]
    if call.unit(parent) is None:
        raise parent_not_found()
    rows = _accounts(call, parent)
    return page(rows, call.params, lambda m: account_shape(call, m), "Accounts")


def move_account(call: OrgCall) -> dict[str, Any]:
    params = call.params
    member = _member(call, params["AccountId"])
    if call.unit(params["SourceParentId"]) is None:
        raise not_found(
            "SourceParentNotFoundException",
            "We can't find a source root or OU with the ParentId that you specified.",
        )
    if call.unit(params["DestinationParentId"]) is None:
        raise not_found(
            "DestinationParentNotFoundException",
            "We can't find the destination container (a root or OU) with the ParentId that "
            "you specified.",
        )
    if member.parent_id != params["SourceParentId"]:
        raise account_not_found()
    if member.parent_id == params["DestinationParentId"]:
        raise not_found(
            "DuplicateAccountException",
            "That account is already present in the specified destination.",
        )
    member.parent_id = params["DestinationParentId"]
    call.session.flush()
    return {}


def _leave(call: OrgCall, member: OrgAccount) -> None:
    if member.account_id == call.management:
        raise not_found(
            "MasterCannotLeaveOrganizationException",
            "You can't remove a management account from an organization. If you want the "
            "management account to become a member account in another organization, you must "
            "first delete the current organization of the management account.",
        )
    detach_everything(call, member.account_id)
    call.session.delete(member)
    call.session.flush()


def remove_account(call: OrgCall) -> dict[str, Any]:
    _leave(call, _member(call, call.params["AccountId"]))
    return {}


def leave_organization(call: OrgCall) -> dict[str, Any]:
    _leave(call, _member(call, call.account_id))
    return {}


def close_account(call: OrgCall) -> dict[str, Any]:
    member = _member(call, call.params["AccountId"])
    if member.account_id == call.management:
        raise constraint(
            "CANNOT_CLOSE_MANAGEMENT_ACCOUNT",
            "You attempted to close the management account. To close the management account "
            "for the organization, you must first either remove or close all member accounts "
            "in the organization. Follow standard account closure process using root "
            "credentials.",
        )
    if member.status != "ACTIVE":
        raise not_found(
            "AccountAlreadyClosedException",
            "You attempted to close an account that is already closed.",
        )
    # AWS suspends the account at once and removes it after 90 days.
    member.status = "SUSPENDED"
    call.session.flush()
    return {}


def _account_resource(call: OrgCall) -> list[str]:
    org = call.organization()
    return [account_arn(org.management_account_id, org.id, str(call.params["AccountId"]))]


def _move_resources(call: OrgCall) -> list[str]:
    params = call.params
    return [
        *_account_resource(call),
        arn_of_target(call, str(params["SourceParentId"])),
        arn_of_target(call, str(params["DestinationParentId"])),
    ]


def _parent_resource(call: OrgCall) -> list[str]:
    return [arn_of_target(call, str(call.params["ParentId"]))]


HANDLERS: dict[str, Spec] = {
    "CreateAccount": Spec(create_account, context=request_tag_keys),
    "DescribeCreateAccountStatus": Spec(describe_create_account_status),
    "ListCreateAccountStatus": Spec(list_create_account_status),
    "DescribeAccount": Spec(describe_account, _account_resource),
    "ListAccounts": Spec(list_accounts),
    "ListAccountsForParent": Spec(list_accounts_for_parent, _parent_resource),
    "MoveAccount": Spec(move_account, _move_resources),
    "RemoveAccountFromOrganization": Spec(remove_account, _account_resource),
    "LeaveOrganization": Spec(leave_organization, scope="member"),
    "CloseAccount": Spec(close_account, _account_resource),
}
