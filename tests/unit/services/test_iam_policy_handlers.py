"""The group and policy handlers called directly on a migrated SQLite store: role policies (roles
added as rows), AWS managed policies, usage filters, and the policies the authorizer reads."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from localiam.authz import Request, evaluate
from localiam.catalog import ManagedPolicies
from localiam.policy import parse_caller
from localiam.protocol import ServiceError
from localiam.services.iam import IamContext
from localiam.services.iam._attached_policies import HANDLERS as ATTACHED
from localiam.services.iam._groups import HANDLERS as GROUPS
from localiam.services.iam._inline_policies import HANDLERS as INLINE
from localiam.services.iam._managed_policies import HANDLERS as MANAGED
from localiam.services.iam._policies_of import PolicyTexts
from localiam.services.iam._policy_docs import (
    aws_policy_id,
    checked_document,
    encoded_document,
    name_of_policy_arn,
    page_of,
    policy_size,
)
from localiam.services.iam._users import HANDLERS as USERS
from localiam.store import Database, IdGenerator, Secrets, Session
from localiam.store.models import Account, Role, User

ACCOUNT = "123456789012"
MANAGED_SET = ManagedPolicies()
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
HANDLERS = {**USERS, **GROUPS, **INLINE, **ATTACHED, **MANAGED}


def allow(action: str) -> str:
    statement = {"Effect": "Allow", "Action": action, "Resource": "*"}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    db = Database(f"sqlite:///{tmp_path / 'localiam.db'}")
    with db.transaction() as s:
        s.add(Account(id=ACCOUNT, created_at=datetime(2025, 1, 1, tzinfo=UTC)))
    with db.transaction() as s:
        yield s
    db.close()


@pytest.fixture
def ctx(session: Session) -> IamContext:
    return IamContext(
        session=session,
        account_id=ACCOUNT,
        caller=parse_caller(f"arn:aws:iam::{ACCOUNT}:root"),
        caller_user_id=None,
        now=datetime(2025, 6, 1, 12, 0, tzinfo=UTC),
        ids=IdGenerator(random.Random(3)),
        secrets=Secrets(Secrets.generate_key()),
        managed=MANAGED_SET,
    )


def call(ctx: IamContext, operation: str, **params: Any) -> dict[str, Any]:
    return HANDLERS[operation](ctx, params)


def error(ctx: IamContext, operation: str, **params: Any) -> tuple[str, str]:
    with pytest.raises(ServiceError) as info:
        call(ctx, operation, **params)
    return info.value.code, info.value.message


def add_role(ctx: IamContext, name: str) -> Role:
    role = Role(
        role_id=ctx.ids.new_unique_id("AROA"),
        account_id=ACCOUNT,
        name=name,
        path="/",
        arn=f"arn:aws:iam::{ACCOUNT}:role/{name}",
        created_at=ctx.now,
        assume_role_policy="{}",
    )
    ctx.session.add(role)
    ctx.session.flush()
    return role


# --- documents and pages ----------------------------------------------------------------------


def test_sizes_do_not_count_white_space() -> None:
    assert policy_size('{ "a" :\n\t"b" }') == len('{"a":"b"}')


def test_documents_are_stored_plain_and_returned_url_encoded() -> None:
    text = allow("s3:GetObject")
    assert checked_document(encoded_document(text)) == text
    assert encoded_document('{"A": "b c"}') == "%7B%22A%22%3A%20%22b%20c%22%7D"


def test_a_malformed_document_is_refused_with_aws_code() -> None:
    with pytest.raises(ServiceError) as info:
        checked_document('{"Version": "2012-10-17", "Statement": []')
    assert info.value.code == "MalformedPolicyDocument" and info.value.status == 400


def test_pages_resume_after_their_marker() -> None:
    items = [f"n{i}" for i in range(5)]
    first = page_of(items, lambda s: s, {"MaxItems": 2})
    assert first.items == ["n0", "n1"] and first.marker is not None
    second = page_of(items, lambda s: s, {"MaxItems": 2, "Marker": first.marker})
    assert second.items == ["n2", "n3"]
    last = page_of(items, lambda s: s, {"MaxItems": 2, "Marker": second.marker})
    assert last.items == ["n4"] and last.fields() == {"IsTruncated": False}


def test_policy_arns_split_into_path_and_name() -> None:
    assert name_of_policy_arn("arn:aws:iam::aws:policy/service-role/X") == ("/service-role/", "X")
    assert name_of_policy_arn(f"arn:aws:iam::{ACCOUNT}:policy/p") == ("/", "p")


def test_aws_managed_policy_ids_are_stable() -> None:
    policy_id = aws_policy_id(ADMIN)
    assert policy_id == aws_policy_id(ADMIN) != aws_policy_id(READ_ONLY)
    assert policy_id.startswith("ANPA") and len(policy_id) == 21


# --- roles ------------------------------------------------------------------------------------


def test_role_inline_policies(ctx: IamContext) -> None:
    add_role(ctx, "worker")
    call(ctx, "PutRolePolicy", RoleName="worker", PolicyName="b", PolicyDocument=allow("s3:*"))
    call(ctx, "PutRolePolicy", RoleName="WORKER", PolicyName="a", PolicyDocument=allow("sqs:*"))
    assert call(ctx, "ListRolePolicies", RoleName="worker")["PolicyNames"] == ["a", "b"]
    got = call(ctx, "GetRolePolicy", RoleName="worker", PolicyName="b")
    assert got == {
        "RoleName": "worker",
        "PolicyName": "b",
        "PolicyDocument": encoded_document(allow("s3:*")),
    }
    big = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "s3:GetObject",
                    "Resource": "arn:aws:s3:::" + "x" * 10300,
                }
            ],
        }
    )
    code, message = error(
        ctx, "PutRolePolicy", RoleName="worker", PolicyName="c", PolicyDocument=big
    )
    assert (code, message) == (
        "LimitExceeded",
        "Maximum policy size of 10240 bytes exceeded for role worker",
    )
    call(ctx, "DeleteRolePolicy", RoleName="worker", PolicyName="a")
    assert error(ctx, "DeleteRolePolicy", RoleName="worker", PolicyName="a") == (
        "NoSuchEntity",
        "The role policy with name a cannot be found.",
    )
    assert error(ctx, "ListRolePolicies", RoleName="ghost") == (
        "NoSuchEntity",
        "The role with name ghost cannot be found.",
    )


def test_role_attachments_and_their_quota(ctx: IamContext) -> None:
    add_role(ctx, "worker")
    arns = [
        call(ctx, "CreatePolicy", PolicyName=f"p{i}", PolicyDocument=allow("s3:*"))["Policy"]["Arn"]
        for i in range(10)
    ]
    for arn in arns[:9]:
        call(ctx, "AttachRolePolicy", RoleName="worker", PolicyArn=arn)
    call(ctx, "AttachRolePolicy", RoleName="worker", PolicyArn=ADMIN)
    assert error(ctx, "AttachRolePolicy", RoleName="worker", PolicyArn=arns[9]) == (
        "LimitExceeded",
        "Cannot exceed quota for PoliciesPerRole: 10",
    )
    entities = call(ctx, "ListEntitiesForPolicy", PolicyArn=ADMIN)
    assert [r["RoleName"] for r in entities["PolicyRoles"]] == ["worker"]
    listed = call(ctx, "ListAttachedRolePolicies", RoleName="worker", PathPrefix="/")
    assert listed["AttachedPolicies"][-1] == {
        "PolicyName": "AdministratorAccess",
        "PolicyArn": ADMIN,
    }
    call(ctx, "DetachRolePolicy", RoleName="worker", PolicyArn=ADMIN)
    assert call(ctx, "ListEntitiesForPolicy", PolicyArn=ADMIN)["PolicyRoles"] == []


# --- AWS managed policies and usage -----------------------------------------------------------


def test_aws_managed_policies_read_like_customer_ones(ctx: IamContext) -> None:
    call(ctx, "CreateUser", UserName="u")
    call(ctx, "AttachUserPolicy", UserName="u", PolicyArn=ADMIN)
    policy = call(ctx, "GetPolicy", PolicyArn=ADMIN)["Policy"]
    assert policy["AttachmentCount"] == 1 and policy["PermissionsBoundaryUsageCount"] == 0
    assert policy["PolicyId"] == aws_policy_id(ADMIN) and policy["Path"] == "/"
    version = call(ctx, "GetPolicyVersion", PolicyArn=ADMIN, VersionId="v1")["PolicyVersion"]
    assert json.loads(_unquote(version["Document"]))["Statement"][0]["Action"] == "*"
    assert error(ctx, "GetPolicyVersion", PolicyArn=ADMIN, VersionId="v9") == (
        "NoSuchEntity",
        f"Policy {ADMIN} version v9 does not exist or is not attachable.",
    )
    assert call(ctx, "ListPolicyVersions", PolicyArn=ADMIN)["Versions"][0]["VersionId"] == "v1"
    # AWS managed policies cannot be changed.
    assert error(ctx, "CreatePolicyVersion", PolicyArn=ADMIN, PolicyDocument=allow("s3:*"))[0] == (
        "NoSuchEntity"
    )
    assert error(ctx, "GetPolicy", PolicyArn="not-a-policy-arn-at-all") == (
        "InvalidInput",
        "ARN not-a-policy-arn-at-all is not valid.",
    )


def test_usage_filters(ctx: IamContext, session: Session) -> None:
    call(ctx, "CreateUser", UserName="u")
    call(ctx, "AttachUserPolicy", UserName="u", PolicyArn=ADMIN)
    user = session.get(User, call(ctx, "GetUser", UserName="u")["User"]["UserId"])
    assert user is not None
    user.permissions_boundary_arn = READ_ONLY
    session.flush()
    attached = call(ctx, "ListPolicies", OnlyAttached=True)["Policies"]
    assert [p["Arn"] for p in attached] == [ADMIN]
    bounds = call(ctx, "ListPolicies", PolicyUsageFilter="PermissionsBoundary")["Policies"]
    assert [(p["Arn"], p["PermissionsBoundaryUsageCount"]) for p in bounds] == [(READ_ONLY, 1)]
    as_boundary = call(ctx, "ListEntitiesForPolicy", PolicyArn=READ_ONLY)
    assert [u["UserName"] for u in as_boundary["PolicyUsers"]] == ["u"]
    as_permissions = call(
        ctx, "ListEntitiesForPolicy", PolicyArn=READ_ONLY, PolicyUsageFilter="PermissionsPolicy"
    )
    assert as_permissions["PolicyUsers"] == []
    only_groups = call(ctx, "ListEntitiesForPolicy", PolicyArn=ADMIN, EntityFilter="Group")
    assert only_groups["PolicyUsers"] == [] and only_groups["IsTruncated"] is False


def test_list_policies_orders_by_name_across_scopes(ctx: IamContext) -> None:
    call(ctx, "CreatePolicy", PolicyName="AAAFirst", PolicyDocument=allow("s3:*"))
    first = call(ctx, "ListPolicies", MaxItems=3)
    assert first["Policies"][0]["PolicyName"] == "AAAFirst" and first["IsTruncated"] is True
    assert "Description" not in first["Policies"][0] and "Tags" not in first["Policies"][0]
    second = call(ctx, "ListPolicies", MaxItems=3, Marker=first["Marker"])
    names = [p["PolicyName"].lower() for p in first["Policies"] + second["Policies"]]
    assert names == sorted(names) and len(set(names)) == 6
    local = call(ctx, "ListPolicies", Scope="Local")
    assert [p["PolicyName"] for p in local["Policies"]] == ["AAAFirst"]
    assert call(ctx, "ListPolicies", Scope="AWS", PathPrefix="/nothing-here/")["Policies"] == []


def test_duplicate_policy_names_are_refused(ctx: IamContext) -> None:
    call(ctx, "CreatePolicy", PolicyName="dup", PolicyDocument=allow("s3:*"))
    assert error(ctx, "CreatePolicy", PolicyName="DUP", PolicyDocument=allow("s3:*")) == (
        "EntityAlreadyExists",
        "A policy called DUP already exists. Duplicate names are not allowed.",
    )


def test_policy_tags(ctx: IamContext) -> None:
    arn = call(ctx, "CreatePolicy", PolicyName="t", PolicyDocument=allow("s3:*"))["Policy"]["Arn"]
    call(
        ctx,
        "TagPolicy",
        PolicyArn=arn,
        Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}],
    )
    call(ctx, "UntagPolicy", PolicyArn=arn, TagKeys=["a"])
    assert call(ctx, "ListPolicyTags", PolicyArn=arn)["Tags"] == [{"Key": "b", "Value": "2"}]
    assert call(ctx, "GetPolicy", PolicyArn=arn)["Policy"]["Tags"] == [{"Key": "b", "Value": "2"}]


# --- groups -----------------------------------------------------------------------------------


def test_groups_rename_and_page(ctx: IamContext) -> None:
    for name in ("g1", "g2", "g3"):
        call(ctx, "CreateGroup", GroupName=name)
    assert error(ctx, "CreateGroup", GroupName="G1") == (
        "EntityAlreadyExists",
        "Group with name G1 already exists.",
    )
    call(ctx, "UpdateGroup", GroupName="g3", NewGroupName="g0", NewPath="/moved/")
    page = call(ctx, "ListGroups", MaxItems=2)
    assert [g["GroupName"] for g in page["Groups"]] == ["g0", "g1"]
    assert page["Groups"][0]["Arn"] == f"arn:aws:iam::{ACCOUNT}:group/moved/g0"
    rest = call(ctx, "ListGroups", Marker=page["Marker"])
    assert [g["GroupName"] for g in rest["Groups"]] == ["g2"] and rest["IsTruncated"] is False


def test_a_user_is_in_at_most_ten_groups(ctx: IamContext) -> None:
    call(ctx, "CreateUser", UserName="u")
    for i in range(11):
        call(ctx, "CreateGroup", GroupName=f"g{i:02d}")
    for i in range(10):
        call(ctx, "AddUserToGroup", GroupName=f"g{i:02d}", UserName="u")
    assert error(ctx, "AddUserToGroup", GroupName="g10", UserName="u") == (
        "LimitExceeded",
        "Cannot exceed quota for GroupsPerUser: 10",
    )
    page = call(ctx, "ListGroupsForUser", UserName="u", MaxItems=6)
    rest = call(ctx, "ListGroupsForUser", UserName="u", Marker=page["Marker"])
    assert len(page["Groups"]) == 6 and len(rest["Groups"]) == 4


# --- what the authorizer reads ----------------------------------------------------------------


def test_group_and_aws_managed_policies_reach_the_authorizer(
    ctx: IamContext, session: Session
) -> None:
    call(ctx, "CreateUser", UserName="u")
    call(ctx, "CreateGroup", GroupName="admins")
    call(ctx, "AttachGroupPolicy", GroupName="admins", PolicyArn=ADMIN)
    call(ctx, "CreateGroup", GroupName="readers")
    call(
        ctx, "PutGroupPolicy", GroupName="readers", PolicyName="r", PolicyDocument=allow("s3:Get*")
    )
    user = session.get(User, call(ctx, "GetUser", UserName="u")["User"]["UserId"])
    assert user is not None
    texts = PolicyTexts(MANAGED_SET)

    def decide(action: str) -> str:
        request = Request.build(user.arn, action, "*")
        return evaluate(request, texts.for_user(session, user)).decision.value

    assert decide("s3:GetObject") == "implicitDeny"
    call(ctx, "AddUserToGroup", GroupName="readers", UserName="u")
    assert decide("s3:GetObject") == "allowed"
    assert decide("ec2:RunInstances") == "implicitDeny"
    call(ctx, "AddUserToGroup", GroupName="admins", UserName="u")
    assert decide("ec2:RunInstances") == "allowed"


def _unquote(text: str) -> str:
    from urllib.parse import unquote

    return unquote(text)
