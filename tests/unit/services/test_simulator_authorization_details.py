"""GetAccountAuthorizationDetails on a migrated SQLite store whose entities are added as rows.
Every result is encoded with the botocore model (an undefined member fails the test)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from localiam.catalog import ManagedPolicies
from localiam.policy import parse_caller
from localiam.protocol import ServiceError, encode_query_result, load_service_model
from localiam.services.iam._authorization_details import HANDLERS
from localiam.services.iam._context import IamContext
from localiam.store import Database, IdGenerator, Secrets
from localiam.store.models import (
    Account,
    Group,
    GroupMembership,
    InlinePolicy,
    InstanceProfile,
    InstanceProfileRole,
    ManagedPolicy,
    PolicyAttachment,
    PolicyVersion,
    PrincipalType,
    Role,
    Tag,
    User,
)

ACCOUNT = "123456789012"
NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
MODEL = load_service_model("iam")
OPERATION = MODEL.operation_model("GetAccountAuthorizationDetails")


def aws_policy(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "path": "/",
        "arn": f"arn:aws:iam::aws:policy/{name}",
        "defaultVersionId": "v2",
        "createDate": "2015-02-06T18:40:00+00:00",
        "updateDate": "2021-09-27T20:16:00+00:00",
        "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*",
                                                             "Resource": "*"}]},
    }  # fmt: skip


MANAGED = ManagedPolicies(
    {"asOf": "test", "policies": [aws_policy("UsedByAlice"), aws_policy("Unused"),
                                  aws_policy("ABoundary")]}
)  # fmt: skip
POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                     "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}]})  # fmt: skip
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal":
                   {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})  # fmt: skip


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'localiam.db'}")
    with database.transaction() as s:
        s.add(Account(id=ACCOUNT, created_at=NOW))
        s.flush()
        arn = f"arn:aws:iam::{ACCOUNT}"
        s.add_all(
            [
                User(user_id="AIDAALICE0000000000001", account_id=ACCOUNT, name="alice",
                     path="/", arn=f"{arn}:user/alice", created_at=NOW,
                     permissions_boundary_arn="arn:aws:iam::aws:policy/ABoundary"),
                User(user_id="AIDABOB00000000000001", account_id=ACCOUNT, name="Bob", path="/x/",
                     arn=f"{arn}:user/x/Bob", created_at=NOW),
                Group(group_id="AGPADEVS00000000000001", account_id=ACCOUNT, name="devs",
                      path="/", arn=f"{arn}:group/devs", created_at=NOW),
                Role(role_id="AROAAPP000000000000001", account_id=ACCOUNT, name="app", path="/",
                     arn=f"{arn}:role/app", created_at=NOW, assume_role_policy=TRUST,
                     role_last_used_at=NOW, role_last_used_region="eu-west-1"),
                InstanceProfile(instance_profile_id="AIPAWEB000000000000001", account_id=ACCOUNT,
                                name="web", path="/", arn=f"{arn}:instance-profile/web",
                                created_at=NOW),
                ManagedPolicy(policy_id="ANPALOCAL0000000000001", account_id=ACCOUNT,
                              name="local", path="/", arn=f"{arn}:policy/local", created_at=NOW,
                              updated_at=NOW, default_version_id="v2", last_version_number=2,
                              description="mine"),
            ]
        )  # fmt: skip
        s.flush()
        s.add_all(
            [
                GroupMembership(group_id="AGPADEVS00000000000001", user_id="AIDAALICE0000000000001"),
                InstanceProfileRole(instance_profile_id="AIPAWEB000000000000001",
                                    role_id="AROAAPP000000000000001"),
                InlinePolicy(account_id=ACCOUNT, principal_type=PrincipalType.USER,
                             principal_id="AIDAALICE0000000000001", name="s3", document=POLICY),
                InlinePolicy(account_id=ACCOUNT, principal_type=PrincipalType.ROLE,
                             principal_id="AROAAPP000000000000001", name="r", document=POLICY),
                PolicyAttachment(account_id=ACCOUNT, principal_type=PrincipalType.USER,
                                 principal_id="AIDAALICE0000000000001",
                                 policy_arn="arn:aws:iam::aws:policy/UsedByAlice"),
                PolicyAttachment(account_id=ACCOUNT, principal_type=PrincipalType.GROUP,
                                 principal_id="AGPADEVS00000000000001",
                                 policy_arn=f"{arn}:policy/local"),
                PolicyVersion(policy_id="ANPALOCAL0000000000001", version_id="v1",
                              document=POLICY, is_default=False, created_at=NOW),
                PolicyVersion(policy_id="ANPALOCAL0000000000001", version_id="v2",
                              document=TRUST.replace("sts:AssumeRole", "s3:*").replace(
                                  '"Principal": {"Service": "ec2.amazonaws.com"}, ', ""),
                              is_default=True, created_at=NOW),
                Tag(account_id=ACCOUNT, resource_arn=f"{arn}:user/alice", key="team",
                    value="blue", position=0),
            ]
        )  # fmt: skip
    yield database
    database.close()


Call = Callable[..., dict[str, Any]]


@pytest.fixture
def call(db: Database) -> Call:
    def run(**params: Any) -> dict[str, Any]:
        with db.transaction() as session:
            ctx = IamContext(
                session=session,
                account_id=ACCOUNT,
                caller=parse_caller(f"arn:aws:iam::{ACCOUNT}:root"),
                caller_user_id=None,
                now=NOW,
                ids=IdGenerator(),
                secrets=Secrets(Secrets.generate_key()),
                managed=MANAGED,
            )
            result = HANDLERS["GetAccountAuthorizationDetails"](ctx, params)
        encode_query_result(OPERATION, result, "req")
        return result

    return run


def names(result: dict[str, Any]) -> list[str]:
    out = [u["UserName"] for u in result["UserDetailList"]]
    out += [g["GroupName"] for g in result["GroupDetailList"]]
    out += [r["RoleName"] for r in result["RoleDetailList"]]
    return out + [p["PolicyName"] for p in result["Policies"]]


def test_everything_with_relationships_and_encoded_documents(call: Call) -> None:
    result = call()
    assert result["IsTruncated"] is False
    alice, bob = result["UserDetailList"]
    assert alice == {
        "Path": "/",
        "UserName": "alice",
        "UserId": "AIDAALICE0000000000001",
        "Arn": f"arn:aws:iam::{ACCOUNT}:user/alice",
        "CreateDate": NOW,
        "UserPolicyList": [{"PolicyName": "s3", "PolicyDocument": alice["UserPolicyList"][0]
                            ["PolicyDocument"]}],
        "GroupList": ["devs"],
        "AttachedManagedPolicies": [
            {"PolicyName": "UsedByAlice", "PolicyArn": "arn:aws:iam::aws:policy/UsedByAlice"}
        ],
        "PermissionsBoundary": {"PermissionsBoundaryType": "PermissionsBoundaryPolicy",
                                "PermissionsBoundaryArn": "arn:aws:iam::aws:policy/ABoundary"},
        "Tags": [{"Key": "team", "Value": "blue"}],
    }  # fmt: skip
    encoded = alice["UserPolicyList"][0]["PolicyDocument"]
    assert encoded.startswith("%7B%22Version%22") and unquote(encoded) == POLICY
    assert (bob["UserName"], bob["GroupList"], bob["Path"]) == ("Bob", [], "/x/")
    (devs,) = result["GroupDetailList"]
    assert devs["AttachedManagedPolicies"] == [
        {"PolicyName": "local", "PolicyArn": f"arn:aws:iam::{ACCOUNT}:policy/local"}
    ]
    assert devs["GroupPolicyList"] == []
    (app,) = result["RoleDetailList"]
    assert unquote(app["AssumeRolePolicyDocument"]) == TRUST
    assert app["RoleLastUsed"] == {"LastUsedDate": NOW, "Region": "eu-west-1"}
    (profile,) = app["InstanceProfileList"]
    assert profile["InstanceProfileName"] == "web"
    assert [r["RoleName"] for r in profile["Roles"]] == ["app"]
    assert unquote(app["RolePolicyList"][0]["PolicyDocument"]) == POLICY


def test_policies_in_use_and_versions(call: Call) -> None:
    policies = {p["PolicyName"]: p for p in call()["Policies"]}
    # AWS managed policies appear when used: attached, or as a boundary; not `Unused`.
    assert sorted(policies) == ["ABoundary", "UsedByAlice", "local"]
    assert policies["ABoundary"]["PermissionsBoundaryUsageCount"] == 1
    assert policies["ABoundary"]["AttachmentCount"] == 0
    local = policies["local"]
    assert (local["AttachmentCount"], local["Description"], local["DefaultVersionId"]) == (
        1,
        "mine",
        "v2",
    )
    assert [(v["VersionId"], v["IsDefaultVersion"]) for v in local["PolicyVersionList"]] == [
        ("v2", True),
        ("v1", False),
    ]
    aws = policies["UsedByAlice"]["PolicyVersionList"]
    assert [(v["VersionId"], v["IsDefaultVersion"]) for v in aws] == [("v2", True)]
    assert json.loads(unquote(aws[0]["Document"])) == aws_policy("UsedByAlice")["document"]
    assert policies["UsedByAlice"]["PolicyId"].startswith("ANPA")


def test_filters(call: Call) -> None:
    assert names(call(Filter=["Role", "Group"])) == ["devs", "app"]
    assert names(call(Filter=["LocalManagedPolicy"])) == ["local"]
    # Asked for by name, every AWS managed policy is listed.
    assert names(call(Filter=["AWSManagedPolicy"])) == ["ABoundary", "Unused", "UsedByAlice"]


def test_paging_runs_across_the_four_lists(call: Call) -> None:
    everything = names(call())
    assert everything == ["alice", "Bob", "devs", "app", "ABoundary", "local", "UsedByAlice"]
    for size in (1, 2, 3, 7):
        seen: list[str] = []
        params: dict[str, Any] = {"MaxItems": size}
        while True:
            page = call(**params)
            assert len(names(page)) <= size
            seen += names(page)
            if not page["IsTruncated"]:
                break
            params["Marker"] = page["Marker"]
        assert seen == everything
    assert call(MaxItems=7)["IsTruncated"] is False
    with pytest.raises(ServiceError) as info:
        call(Marker="garbage")
    assert info.value.code == "InvalidInput"
