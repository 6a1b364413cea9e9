"""Roles, service-linked roles, instance profiles and role boundaries through `IamService.call`
on a migrated SQLite store: every result is also encoded with the botocore model, so a member
the output shape does not define fails the test."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import pytest

from localiam.catalog import Catalog, ManagedPolicies
from localiam.protocol import ServiceError, encode_query_result, load_service_model
from localiam.services._context import RequestFacts
from localiam.services.iam import AuthorizationDenied, IamService, KeyOwner
from localiam.services.iam._service_linked_roles import KNOWN
from localiam.store import Database, IdGenerator, Secrets, select
from localiam.store.models import (
    Account,
    InlinePolicy,
    PolicyAttachment,
    PrincipalType,
    Role,
    User,
)

ACCOUNT = "123456789012"
NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
MODEL = load_service_model("iam")
CATALOG = Catalog()
MANAGED = ManagedPolicies()
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"


def trust(principal: dict[str, Any] | None = None, **extra: Any) -> str:
    statement: dict[str, Any] = {"Effect": "Allow", "Action": "sts:AssumeRole", **extra}
    statement["Principal"] = principal or {"Service": "ec2.amazonaws.com"}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'localiam.db'}")
    with database.transaction() as session:
        session.add(Account(id=ACCOUNT, created_at=NOW))
    yield database
    database.close()


@pytest.fixture
def service() -> IamService:
    return IamService(
        catalog=CATALOG,
        managed=MANAGED,
        ids=IdGenerator(random.Random(3)),
        secrets=Secrets(Secrets.generate_key()),
    )


Call = Callable[..., dict[str, Any]]


@pytest.fixture
def call(db: Database, service: IamService) -> Call:
    """Run one operation as the root user (or as `user_id`), in its own transaction."""
    facts = RequestFacts(now=NOW, source_ip="127.0.0.1", secure_transport=True, region="us-east-1")

    def run(operation: str, *, user_id: str | None = None, **params: Any) -> dict[str, Any]:
        with db.transaction() as session:
            outcome = service.call(session, operation, params, KeyOwner(ACCOUNT, user_id), facts)
        encode_query_result(MODEL.operation_model(operation), outcome.result, "req")
        return outcome.result

    return run


def error_of(call: Call, operation: str, **params: Any) -> ServiceError:
    with pytest.raises(ServiceError) as info:
        call(operation, **params)
    return info.value


def role_id_of(db: Database, name: str) -> str:
    with db.transaction() as session:
        return session.scalars(select(Role.role_id).where(Role.name == name)).one()


# -- roles ------------------------------------------------------------------------------------


def test_create_and_get_role(call: Call) -> None:
    made = call(
        "CreateRole",
        RoleName="app",
        Path="/svc/",
        AssumeRolePolicyDocument=trust(),
        Description="the app",
        Tags=[{"Key": "team", "Value": "a"}],
    )["Role"]
    assert made["RoleId"].startswith("AROA") and len(made["RoleId"]) == 21
    assert made["Arn"] == f"arn:aws:iam::{ACCOUNT}:role/svc/app"
    assert made["AssumeRolePolicyDocument"] == quote(trust(), safe="")
    assert made["Tags"] == [{"Key": "team", "Value": "a"}]
    got = call("GetRole", RoleName="APP")["Role"]
    assert got["MaxSessionDuration"] == 3600
    assert got["RoleLastUsed"] == {}
    assert got["Description"] == "the app"
    assert json.loads(unquote(got["AssumeRolePolicyDocument"])) == json.loads(trust())


def test_names_collide_ignoring_case(call: Call) -> None:
    call("CreateRole", RoleName="Deploy", AssumeRolePolicyDocument=trust())
    err = error_of(call, "CreateRole", RoleName="deploy", AssumeRolePolicyDocument=trust())
    assert (err.code, err.status) == ("EntityAlreadyExists", 409)
    assert err.message == "Role with name deploy already exists."


def test_missing_role(call: Call) -> None:
    err = error_of(call, "GetRole", RoleName="ghost")
    assert (err.code, err.message) == ("NoSuchEntity", "The role with name ghost cannot be found.")


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (trust(Resource="*"), "Has prohibited field Resource"),
        (
            json.dumps({"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}),
            "Missing required field Principal",
        ),
    ],
)
def test_malformed_trust_policy(call: Call, document: str, message: str) -> None:
    err = error_of(call, "CreateRole", RoleName="r", AssumeRolePolicyDocument=document)
    assert (err.code, err.message) == ("MalformedPolicyDocument", message)


def test_trust_policy_quota_does_not_count_white_space(call: Call) -> None:
    services = [f"s{i:04d}.amazonaws.com" for i in range(200)]
    big = trust({"Service": services})
    err = error_of(call, "CreateRole", RoleName="big", AssumeRolePolicyDocument=big)
    assert (err.code, err.message) == (
        "LimitExceeded",
        "Cannot exceed quota for ACLSizePerRole: 2048",
    )
    # 2,048 characters but for white space: accepted.
    padded = trust({"Service": "ec2.amazonaws.com"}) + " " * 3000
    call("CreateRole", RoleName="padded", AssumeRolePolicyDocument=padded)


def test_trust_policy_principals_of_the_account_must_exist(call: Call) -> None:
    bob = f"arn:aws:iam::{ACCOUNT}:user/bob"
    err = error_of(call, "CreateRole", RoleName="r", AssumeRolePolicyDocument=trust({"AWS": bob}))
    assert (err.code, err.message) == (
        "MalformedPolicyDocument",
        f'Invalid principal in policy: "AWS":"{bob}"',
    )
    call("CreateUser", UserName="bob")
    other = "arn:aws:iam::111122223333:role/anything"
    call("CreateRole", RoleName="r", AssumeRolePolicyDocument=trust({"AWS": [bob, other]}))


def test_update_role_and_trust_policy(call: Call) -> None:
    call("CreateRole", RoleName="r", AssumeRolePolicyDocument=trust())
    call("UpdateRole", RoleName="r", Description="d", MaxSessionDuration=7200)
    got = call("GetRole", RoleName="r")["Role"]
    assert (got["Description"], got["MaxSessionDuration"]) == ("d", 7200)
    assert (
        call("UpdateRoleDescription", RoleName="r", Description="e")["Role"]["Description"] == "e"
    )
    lam = trust({"Service": "lambda.amazonaws.com"})
    call("UpdateAssumeRolePolicy", RoleName="r", PolicyDocument=lam)
    assert unquote(call("GetRole", RoleName="r")["Role"]["AssumeRolePolicyDocument"]) == lam
    err = error_of(call, "UpdateAssumeRolePolicy", RoleName="r", PolicyDocument=trust(Resource="*"))
    assert err.code == "MalformedPolicyDocument"


def test_list_roles_pages_and_filters_by_path(call: Call) -> None:
    for name, path in [("a", "/x/"), ("b", "/"), ("c", "/x/y/")]:
        call("CreateRole", RoleName=name, Path=path, AssumeRolePolicyDocument=trust())
    first = call("ListRoles", MaxItems=2)
    assert [r["RoleName"] for r in first["Roles"]] == ["a", "b"]
    assert "Tags" not in first["Roles"][0] and "RoleLastUsed" not in first["Roles"][0]
    rest = call("ListRoles", Marker=first["Marker"])
    assert [r["RoleName"] for r in rest["Roles"]] == ["c"] and rest["IsTruncated"] is False
    assert [r["RoleName"] for r in call("ListRoles", PathPrefix="/x/")["Roles"]] == ["a", "c"]


def test_role_tags(call: Call) -> None:
    call("CreateRole", RoleName="r", AssumeRolePolicyDocument=trust())
    call("TagRole", RoleName="r", Tags=[{"Key": k, "Value": "v"} for k in "abc"])
    call("UntagRole", RoleName="r", TagKeys=["B"])
    page = call("ListRoleTags", RoleName="r", MaxItems=1)
    assert page["Tags"] == [{"Key": "a", "Value": "v"}] and page["IsTruncated"] is True
    assert call("ListRoleTags", RoleName="r", Marker=page["Marker"])["Tags"] == [
        {"Key": "c", "Value": "v"}
    ]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("inline", "Cannot delete entity, must delete policies first."),
        ("attached", "Cannot delete entity, must detach all policies first."),
        ("profile", "Cannot delete entity, must remove roles from instance profile first."),
    ],
)
def test_delete_role_conflicts(call: Call, db: Database, row: str, message: str) -> None:
    call("CreateRole", RoleName="r", AssumeRolePolicyDocument=trust())
    rid = role_id_of(db, "r")
    with db.transaction() as session:
        if row == "inline":
            session.add(
                InlinePolicy(
                    account_id=ACCOUNT,
                    principal_type=PrincipalType.ROLE,
                    principal_id=rid,
                    name="p",
                    document="{}",
                )
            )
        elif row == "attached":
            session.add(
                PolicyAttachment(
                    account_id=ACCOUNT,
                    policy_arn=READ_ONLY,
                    principal_type=PrincipalType.ROLE,
                    principal_id=rid,
                )
            )
    if row == "profile":
        call("CreateInstanceProfile", InstanceProfileName="ip")
        call("AddRoleToInstanceProfile", InstanceProfileName="ip", RoleName="r")
    err = error_of(call, "DeleteRole", RoleName="r")
    assert (err.code, err.status, err.message) == ("DeleteConflict", 409, message)


def test_delete_role_drops_its_tags(call: Call) -> None:
    call(
        "CreateRole",
        RoleName="r",
        AssumeRolePolicyDocument=trust(),
        Tags=[{"Key": "k", "Value": "1"}],
    )
    call("DeleteRole", RoleName="r")
    call("CreateRole", RoleName="r", AssumeRolePolicyDocument=trust())
    assert call("ListRoleTags", RoleName="r")["Tags"] == []


def test_role_permissions_boundary(call: Call) -> None:
    call(
        "CreateRole", RoleName="r", AssumeRolePolicyDocument=trust(), PermissionsBoundary=READ_ONLY
    )
    assert call("GetRole", RoleName="r")["Role"]["PermissionsBoundary"] == {
        "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
        "PermissionsBoundaryArn": READ_ONLY,
    }
    call("DeleteRolePermissionsBoundary", RoleName="r")
    assert "PermissionsBoundary" not in call("GetRole", RoleName="r")["Role"]
    bad = f"arn:aws:iam::{ACCOUNT}:policy/none"
    err = error_of(call, "PutRolePermissionsBoundary", RoleName="r", PermissionsBoundary=bad)
    assert (err.code, err.message) == ("InvalidInput", f"ARN {bad} is not valid.")


# -- authorization ----------------------------------------------------------------------------


def test_a_policy_on_app_roles_denies_other_roles(call: Call, db: Database) -> None:
    call("CreateRole", RoleName="app-web", AssumeRolePolicyDocument=trust())
    call("CreateRole", RoleName="billing", AssumeRolePolicyDocument=trust())
    user_id = call("CreateUser", UserName="dev")["User"]["UserId"]
    allow = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "iam:GetRole",
                "Resource": f"arn:aws:iam::{ACCOUNT}:role/app-*",
            }
        ],
    }
    with db.transaction() as session:
        session.add(
            InlinePolicy(
                account_id=ACCOUNT,
                principal_type=PrincipalType.USER,
                principal_id=user_id,
                name="roles",
                document=json.dumps(allow),
            )
        )
    assert call("GetRole", RoleName="app-web", user_id=user_id)["Role"]["RoleName"] == "app-web"
    with pytest.raises(AuthorizationDenied) as info:
        call("GetRole", RoleName="billing", user_id=user_id)
    assert info.value.code == "AccessDenied"
    assert info.value.message == (
        f"User: arn:aws:iam::{ACCOUNT}:user/dev is not authorized to perform: iam:GetRole on "
        f"resource: arn:aws:iam::{ACCOUNT}:role/billing because no identity-based policy allows "
        "the iam:GetRole action"
    )


def test_policies_of_a_role(call: Call, db: Database, service: IamService) -> None:
    call(
        "CreateRole", RoleName="r", AssumeRolePolicyDocument=trust(), PermissionsBoundary=READ_ONLY
    )
    rid = role_id_of(db, "r")
    with db.transaction() as session:
        session.add(
            InlinePolicy(
                account_id=ACCOUNT,
                principal_type=PrincipalType.ROLE,
                principal_id=rid,
                name="inline",
                document=json.dumps(
                    {"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
                ),
            )
        )
        session.add(
            PolicyAttachment(
                account_id=ACCOUNT,
                policy_arn=READ_ONLY,
                principal_type=PrincipalType.ROLE,
                principal_id=rid,
            )
        )
    with db.transaction() as session:
        role = session.get(Role, rid)
        assert role is not None
        policies = service.texts.for_role(session, role)
    assert [pid for pid, _ in policies.identity.policies] == ["inline", READ_ONLY]
    assert policies.boundary is not None
    assert [pid for pid, _ in policies.boundary.policies] == [READ_ONLY]


def test_policies_of_a_user_are_unchanged(call: Call, db: Database, service: IamService) -> None:
    user_id = call("CreateUser", UserName="u", PermissionsBoundary=READ_ONLY)["User"]["UserId"]
    with db.transaction() as session:
        user = session.get(User, user_id)
        assert user is not None
        policies = service.texts.for_user(session, user)
    assert len(policies.identity) == 0
    assert policies.boundary is not None and len(policies.boundary) == 1


# -- service-linked roles ---------------------------------------------------------------------


def test_service_linked_role_lifecycle(call: Call, db: Database) -> None:
    role = call("CreateServiceLinkedRole", AWSServiceName="autoscaling.amazonaws.com")["Role"]
    assert role["RoleName"] == "AWSServiceRoleForAutoScaling"
    assert role["Path"] == "/aws-service-role/autoscaling.amazonaws.com/"
    assert role["Arn"] == (
        f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/"
        "AWSServiceRoleForAutoScaling"
    )
    document = json.loads(unquote(role["AssumeRolePolicyDocument"]))
    assert document["Statement"][0]["Principal"] == {"Service": "autoscaling.amazonaws.com"}
    with db.transaction() as session:
        attached = list(session.scalars(select(PolicyAttachment.policy_arn)))
    assert attached == ["arn:aws:iam::aws:policy/aws-service-role/AutoScalingServiceRolePolicy"]
    suffixed = call(
        "CreateServiceLinkedRole", AWSServiceName="autoscaling.amazonaws.com", CustomSuffix="x"
    )
    assert suffixed["Role"]["RoleName"] == "AWSServiceRoleForAutoScaling_x"
    task = call("DeleteServiceLinkedRole", RoleName="AWSServiceRoleForAutoScaling")
    assert task["DeletionTaskId"].startswith(
        "task/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling/"
    )
    status = call("GetServiceLinkedRoleDeletionStatus", DeletionTaskId=task["DeletionTaskId"])
    assert status == {"Status": "SUCCEEDED"}
    assert error_of(call, "GetRole", RoleName="AWSServiceRoleForAutoScaling").code == "NoSuchEntity"


def test_service_linked_role_names(call: Call) -> None:
    names = {
        "ecs.amazonaws.com": "AWSServiceRoleForECS",
        "es.amazonaws.com": "AWSServiceRoleForAmazonElasticsearchService",
        "ecs.application-autoscaling.amazonaws.com": (
            "AWSServiceRoleForApplicationAutoScaling_ECSService"
        ),
        "new-thing.amazonaws.com": "AWSServiceRoleForNewThing",
    }
    for service, name in names.items():
        assert call("CreateServiceLinkedRole", AWSServiceName=service)["Role"]["RoleName"] == name


def test_service_linked_role_errors(call: Call) -> None:
    err = error_of(
        call, "CreateServiceLinkedRole", AWSServiceName="ecs.amazonaws.com", CustomSuffix="x"
    )
    assert (err.code, err.message) == (
        "InvalidInput",
        "Custom suffix is not allowed for ecs.amazonaws.com",
    )
    call("CreateServiceLinkedRole", AWSServiceName="ecs.amazonaws.com")
    err = error_of(call, "CreateServiceLinkedRole", AWSServiceName="ecs.amazonaws.com")
    assert (err.code, err.message) == (
        "InvalidInput",
        "Service role name AWSServiceRoleForECS has been taken in this account, "
        "please try a different suffix.",
    )
    call("CreateRole", RoleName="plain", AssumeRolePolicyDocument=trust())
    assert error_of(call, "DeleteServiceLinkedRole", RoleName="plain").code == "NoSuchEntity"
    err = error_of(call, "GetServiceLinkedRoleDeletionStatus", DeletionTaskId="task/nonsense")
    assert err.code == "InvalidInput"


@pytest.mark.parametrize(
    ("operation", "params"),
    [
        ("DeleteRole", {}),
        ("UpdateAssumeRolePolicy", {"PolicyDocument": trust()}),
        ("UpdateRole", {"MaxSessionDuration": 7200}),
        ("PutRolePermissionsBoundary", {"PermissionsBoundary": READ_ONLY}),
        ("DeleteRolePermissionsBoundary", {}),
    ],
)
def test_service_linked_roles_are_unmodifiable(
    call: Call, operation: str, params: dict[str, Any]
) -> None:
    call("CreateServiceLinkedRole", AWSServiceName="support.amazonaws.com")
    err = error_of(call, operation, RoleName="AWSServiceRoleForSupport", **params)
    assert (err.code, err.status, err.message) == (
        "UnmodifiableEntity",
        400,
        "Cannot perform the operation on the protected role 'AWSServiceRoleForSupport' - "
        "this role is only modifiable by AWS",
    )


def test_a_service_linked_role_description_may_change(call: Call) -> None:
    call("CreateServiceLinkedRole", AWSServiceName="support.amazonaws.com")
    call("UpdateRoleDescription", RoleName="AWSServiceRoleForSupport", Description="mine")
    assert call("GetRole", RoleName="AWSServiceRoleForSupport")["Role"]["Description"] == "mine"


# -- instance profiles ------------------------------------------------------------------------


def test_instance_profile_lifecycle(call: Call) -> None:
    made = call(
        "CreateInstanceProfile",
        InstanceProfileName="web",
        Path="/ec2/",
        Tags=[{"Key": "k", "Value": "v"}],
    )["InstanceProfile"]
    assert made["InstanceProfileId"].startswith("AIPA")
    assert made["Arn"] == f"arn:aws:iam::{ACCOUNT}:instance-profile/ec2/web"
    assert made["Roles"] == [] and made["Tags"] == [{"Key": "k", "Value": "v"}]
    call("CreateRole", RoleName="r", AssumeRolePolicyDocument=trust())
    call("AddRoleToInstanceProfile", InstanceProfileName="web", RoleName="r")
    got = call("GetInstanceProfile", InstanceProfileName="WEB")["InstanceProfile"]
    assert [r["RoleName"] for r in got["Roles"]] == ["r"]
    listed = call("ListInstanceProfiles")["InstanceProfiles"]
    assert [p["InstanceProfileName"] for p in listed] == ["web"] and "Tags" not in listed[0]
    for_role = call("ListInstanceProfilesForRole", RoleName="r")["InstanceProfiles"]
    assert [p["InstanceProfileName"] for p in for_role] == ["web"]
    err = error_of(call, "DeleteInstanceProfile", InstanceProfileName="web")
    assert (err.code, err.message) == (
        "DeleteConflict",
        "Cannot delete entity, must remove roles from instance profile first.",
    )
    call("RemoveRoleFromInstanceProfile", InstanceProfileName="web", RoleName="r")
    call("DeleteInstanceProfile", InstanceProfileName="web")
    err = error_of(call, "GetInstanceProfile", InstanceProfileName="web")
    assert (err.code, err.status, err.message) == (
        "NoSuchEntity",
        404,
        "Instance Profile web cannot be found.",
    )
    call("DeleteRole", RoleName="r")


def test_an_instance_profile_holds_one_role(call: Call) -> None:
    call("CreateInstanceProfile", InstanceProfileName="ip")
    for name in ("r1", "r2"):
        call("CreateRole", RoleName=name, AssumeRolePolicyDocument=trust())
    call("AddRoleToInstanceProfile", InstanceProfileName="ip", RoleName="r1")
    for name in ("r1", "r2"):
        err = error_of(call, "AddRoleToInstanceProfile", InstanceProfileName="ip", RoleName=name)
        assert (err.code, err.status, err.message) == (
            "LimitExceeded",
            409,
            "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1",
        )
    err = error_of(call, "RemoveRoleFromInstanceProfile", InstanceProfileName="ip", RoleName="r2")
    assert err.code == "NoSuchEntity"


def test_instance_profile_names_collide_ignoring_case(call: Call) -> None:
    call("CreateInstanceProfile", InstanceProfileName="Web")
    err = error_of(call, "CreateInstanceProfile", InstanceProfileName="web")
    assert (err.code, err.message) == (
        "EntityAlreadyExists",
        "Instance Profile web already exists.",
    )


def test_instance_profile_tags(call: Call) -> None:
    call("CreateInstanceProfile", InstanceProfileName="ip")
    call("TagInstanceProfile", InstanceProfileName="ip", Tags=[{"Key": "a", "Value": "1"}])
    call("TagInstanceProfile", InstanceProfileName="ip", Tags=[{"Key": "A", "Value": "2"}])
    assert call("ListInstanceProfileTags", InstanceProfileName="ip")["Tags"] == [
        {"Key": "A", "Value": "2"}
    ]
    call("UntagInstanceProfile", InstanceProfileName="ip", TagKeys=["a"])
    assert call("ListInstanceProfileTags", InstanceProfileName="ip")["Tags"] == []


def test_every_known_service_linked_policy_is_an_aws_managed_policy() -> None:
    missing = [
        linked.policy
        for linked in KNOWN.values()
        if linked.policy is not None
        and MANAGED.get(f"arn:aws:iam::aws:policy/aws-service-role/{linked.policy}") is None
    ]
    assert missing == []
