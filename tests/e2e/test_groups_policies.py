"""Groups, inline and managed policies through boto3 and the AWS CLI, and their effect on what
users may do."""

from __future__ import annotations

import json
from typing import Any

import botocore.exceptions
import pytest

from live_server import LiveServer

ACCOUNT = "123456789012"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


def error_of(call: object) -> dict[str, object]:
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call()  # type: ignore[operator]
    return dict(info.value.response["Error"])


def allow(*actions: str, resource: str = "*") -> str:
    statement = {"Effect": "Allow", "Action": list(actions), "Resource": resource}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def user_client(server: LiveServer, iam: Any, name: str) -> Any:
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return server.client(key=key["AccessKeyId"], secret=key["SecretAccessKey"])


def test_an_admin_group_makes_its_member_an_administrator(server: LiveServer) -> None:
    made = server.cli("iam", "create-group", "--group-name", "admins")
    assert made.code == 0, made.stderr
    group = made.json()["Group"]
    assert group["Arn"] == f"arn:aws:iam::{ACCOUNT}:group/admins"
    assert group["GroupId"].startswith("AGPA") and len(group["GroupId"]) == 21
    attached = server.cli(
        "iam", "attach-group-policy", "--group-name", "admins", "--policy-arn", ADMIN
    )
    assert attached.code == 0, attached.stderr
    iam = server.client()
    iam.create_user(UserName="ada")
    iam.add_user_to_group(GroupName="admins", UserName="ada")
    ada = user_client(server, iam, "ada")

    assert ada.create_user(UserName="bob")["User"]["UserName"] == "bob"
    names = [p["PolicyName"] for p in ada.list_policies(Scope="AWS", MaxItems=1000)["Policies"]]
    assert "AdministratorAccess" in names
    listed = server.cli("iam", "list-attached-group-policies", "--group-name", "admins")
    assert listed.json()["AttachedPolicies"] == [
        {"PolicyName": "AdministratorAccess", "PolicyArn": ADMIN}
    ]
    assert [g["GroupName"] for g in ada.list_groups_for_user(UserName="ada")["Groups"]] == [
        "admins"
    ]
    got = iam.get_group(GroupName="admins")
    assert [u["UserName"] for u in got["Users"]] == ["ada"]
    assert iam.list_policies(OnlyAttached=True)["Policies"][0]["AttachmentCount"] == 1

    # Leaving the group takes the permissions away at once.
    iam.remove_user_from_group(GroupName="admins", UserName="ada")
    assert error_of(lambda: ada.create_user(UserName="carl"))["Code"] == "AccessDenied"


def test_an_inline_policy_allows_only_what_it_says(server: LiveServer) -> None:
    iam = server.client()
    iam.create_user(UserName="ivy")
    iam.put_user_policy(UserName="ivy", PolicyName="list", PolicyDocument=allow("iam:ListUsers"))
    ivy = user_client(server, iam, "ivy")
    assert [u["UserName"] for u in ivy.list_users()["Users"]] == ["ivy"]
    err = error_of(lambda: ivy.create_user(UserName="mallory"))
    assert err["Code"] == "AccessDenied"
    assert err["Message"] == (
        f"User: arn:aws:iam::{ACCOUNT}:user/ivy is not authorized to perform: iam:CreateUser on "
        f"resource: arn:aws:iam::{ACCOUNT}:user/mallory because no identity-based policy allows "
        "the iam:CreateUser action"
    )
    got = iam.get_user_policy(UserName="ivy", PolicyName="list")
    assert got["PolicyDocument"] == json.loads(allow("iam:ListUsers"))
    assert iam.list_user_policies(UserName="ivy")["PolicyNames"] == ["list"]
    iam.delete_user_policy(UserName="ivy", PolicyName="list")
    assert error_of(lambda: ivy.list_users())["Code"] == "AccessDenied"
    missing = error_of(lambda: iam.get_user_policy(UserName="ivy", PolicyName="list"))
    assert missing == {
        "Type": "Sender",
        "Code": "NoSuchEntity",
        "Message": "The user policy with name list cannot be found.",
    }


def test_group_inline_policies_apply_to_members(server: LiveServer) -> None:
    iam = server.client()
    iam.create_group(GroupName="readers", Path="/team/")
    iam.put_group_policy(
        GroupName="readers", PolicyName="read", PolicyDocument=allow("iam:Get*", "iam:List*")
    )
    iam.create_user(UserName="rita")
    iam.add_user_to_group(GroupName="readers", UserName="rita")
    iam.add_user_to_group(GroupName="readers", UserName="rita")  # a second time: no change
    rita = user_client(server, iam, "rita")
    assert rita.list_group_policies(GroupName="readers")["PolicyNames"] == ["read"]
    assert error_of(lambda: rita.create_group(GroupName="x"))["Code"] == "AccessDenied"
    assert [g["Path"] for g in iam.list_groups(PathPrefix="/team/")["Groups"]] == ["/team/"]
    assert iam.list_groups(PathPrefix="/other/")["Groups"] == []


def test_policy_versions_lifecycle(server: LiveServer) -> None:
    iam = server.client()
    created = iam.create_policy(
        PolicyName="ops",
        Path="/ops/",
        PolicyDocument=allow("iam:ListUsers"),
        Description="operators",
        Tags=[{"Key": "team", "Value": "ops"}],
    )["Policy"]
    arn = created["Arn"]
    assert arn == f"arn:aws:iam::{ACCOUNT}:policy/ops/ops"
    assert created["PolicyId"].startswith("ANPA") and created["DefaultVersionId"] == "v1"
    assert created["Tags"] == [{"Key": "team", "Value": "ops"}]
    iam.create_user(UserName="olga")
    iam.attach_user_policy(UserName="olga", PolicyArn=arn)
    olga = user_client(server, iam, "olga")
    olga.list_users()
    assert error_of(lambda: olga.list_groups())["Code"] == "AccessDenied"

    v2 = iam.create_policy_version(
        PolicyArn=arn, PolicyDocument=allow("iam:ListGroups"), SetAsDefault=True
    )["PolicyVersion"]
    assert v2["VersionId"] == "v2" and v2["IsDefaultVersion"] is True and "Document" not in v2
    olga.list_groups()  # the new default version decides now
    assert error_of(lambda: olga.list_users())["Code"] == "AccessDenied"
    for _ in range(3):
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=allow("iam:ListRoles"))
    err = error_of(lambda: iam.create_policy_version(PolicyArn=arn, PolicyDocument=allow("s3:*")))
    assert err["Code"] == "LimitExceeded"
    assert err["Message"] == (
        "A managed policy can have up to 5 versions. Before you create a new version, you "
        "must delete an existing version."
    )
    err = error_of(lambda: iam.delete_policy_version(PolicyArn=arn, VersionId="v2"))
    assert (err["Code"], err["Message"]) == (
        "DeleteConflict",
        "Cannot delete the default version of a policy.",
    )
    versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    assert [v["VersionId"] for v in versions] == ["v5", "v4", "v3", "v2", "v1"]
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v1")
    olga.list_users()
    got = iam.get_policy_version(PolicyArn=arn, VersionId="v2")["PolicyVersion"]
    assert got["Document"] == json.loads(allow("iam:ListGroups"))
    assert got["IsDefaultVersion"] is False
    cli = server.cli("iam", "get-policy-version", "--policy-arn", arn, "--version-id", "v1")
    assert cli.json()["PolicyVersion"]["Document"] == json.loads(allow("iam:ListUsers"))

    iam.detach_user_policy(UserName="olga", PolicyArn=arn)
    err = error_of(lambda: iam.delete_policy(PolicyArn=arn))
    assert err["Code"] == "DeleteConflict"
    assert err["Message"].startswith("This policy has more than one version.")
    for version in ("v2", "v3", "v4", "v5"):
        iam.delete_policy_version(PolicyArn=arn, VersionId=version)
    iam.delete_policy(PolicyArn=arn)
    err = error_of(lambda: iam.get_policy(PolicyArn=arn))
    assert (err["Code"], err["Message"]) == ("NoSuchEntity", f"Policy {arn} was not found.")


def test_malformed_documents_are_refused(server: LiveServer) -> None:
    iam = server.client()
    iam.create_user(UserName="mo")
    err = error_of(
        lambda: iam.put_user_policy(UserName="mo", PolicyName="p", PolicyDocument="{not json")
    )
    assert err["Code"] == "MalformedPolicyDocument"
    with_principal = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}],
        }
    )
    err = error_of(lambda: iam.create_policy(PolicyName="p", PolicyDocument=with_principal))
    assert err["Code"] == "MalformedPolicyDocument"
    assert iam.list_policies(Scope="Local")["Policies"] == []
    # A missing user is reported before a bad document.
    err = error_of(
        lambda: iam.put_user_policy(UserName="nobody", PolicyName="p", PolicyDocument="{")
    )
    assert err["Code"] == "NoSuchEntity"


def test_quotas(server: LiveServer) -> None:
    iam = server.client()
    iam.create_user(UserName="alice")
    big = allow(*[f"iam:GetUser{i:04d}" for i in range(70)])  # about 1,350 characters
    iam.put_user_policy(UserName="alice", PolicyName="one", PolicyDocument=big)
    iam.put_user_policy(UserName="alice", PolicyName="one", PolicyDocument=big)  # replaces
    err = error_of(
        lambda: iam.put_user_policy(UserName="alice", PolicyName="two", PolicyDocument=big)
    )
    assert (err["Code"], err["Message"]) == (
        "LimitExceeded",
        "Maximum policy size of 2048 bytes exceeded for user alice",
    )
    iam.create_group(GroupName="g")
    iam.put_group_policy(GroupName="g", PolicyName="two", PolicyDocument=big)
    iam.put_group_policy(GroupName="g", PolicyName="three", PolicyDocument=big)

    huge = allow(*[f"iam:GetUser{i:04d}" for i in range(400)])
    err = error_of(lambda: iam.create_policy(PolicyName="huge", PolicyDocument=huge))
    assert (err["Code"], err["Message"]) == (
        "LimitExceeded",
        "Cannot exceed quota for PolicySize: 6144",
    )

    arns = [
        iam.create_policy(PolicyName=f"p{i}", PolicyDocument=allow("iam:GetUser"))["Policy"]["Arn"]
        for i in range(11)
    ]
    for arn in arns[:10]:
        iam.attach_user_policy(UserName="alice", PolicyArn=arn)
    iam.attach_user_policy(UserName="alice", PolicyArn=arns[0])  # already attached: no change
    err = error_of(lambda: iam.attach_user_policy(UserName="alice", PolicyArn=arns[10]))
    assert (err["Code"], err["Message"]) == (
        "LimitExceeded",
        "Cannot exceed quota for PoliciesPerUser: 10",
    )
    unknown = f"arn:aws:iam::{ACCOUNT}:policy/x"
    err = error_of(lambda: iam.attach_group_policy(GroupName="g", PolicyArn=unknown))
    assert (err["Code"], err["Message"]) == (
        "NoSuchEntity",
        f"Policy {unknown} does not exist or is not attachable.",
    )
    page = iam.list_attached_user_policies(UserName="alice", MaxItems=4)
    assert [p["PolicyName"] for p in page["AttachedPolicies"]] == ["p0", "p1", "p2", "p3"]
    rest = iam.list_attached_user_policies(UserName="alice", Marker=page["Marker"])
    assert len(rest["AttachedPolicies"]) == 6 and rest["IsTruncated"] is False


def test_delete_conflicts(server: LiveServer) -> None:
    iam = server.client()
    iam.create_group(GroupName="devs")
    iam.create_user(UserName="dan")
    iam.add_user_to_group(GroupName="devs", UserName="dan")
    policy = iam.create_policy(PolicyName="dev", PolicyDocument=allow("iam:ListUsers"))
    arn = policy["Policy"]["Arn"]
    iam.attach_group_policy(GroupName="devs", PolicyArn=arn)
    iam.put_group_policy(GroupName="devs", PolicyName="inline", PolicyDocument=allow("s3:*"))

    def conflict() -> object:
        err = error_of(lambda: iam.delete_group(GroupName="devs"))
        assert err["Code"] == "DeleteConflict"
        return err["Message"]

    assert conflict() == "Cannot delete entity, must remove users from group first."
    iam.remove_user_from_group(GroupName="devs", UserName="dan")
    assert conflict() == "Cannot delete entity, must delete policies first."
    iam.delete_group_policy(GroupName="devs", PolicyName="inline")
    assert conflict() == "Cannot delete entity, must detach all policies first."
    err = error_of(lambda: iam.delete_policy(PolicyArn=arn))
    assert (err["Code"], err["Message"]) == (
        "DeleteConflict",
        "Cannot delete a policy attached to entities.",
    )
    entities = iam.list_entities_for_policy(PolicyArn=arn)
    assert entities["PolicyGroups"] == [
        {"GroupName": "devs", "GroupId": iam.get_group(GroupName="devs")["Group"]["GroupId"]}
    ]
    assert entities["PolicyUsers"] == [] and entities["PolicyRoles"] == []
    iam.detach_group_policy(GroupName="devs", PolicyArn=arn)
    err = error_of(lambda: iam.detach_group_policy(GroupName="devs", PolicyArn=arn))
    assert (err["Code"], err["Message"]) == ("NoSuchEntity", f"Policy {arn} was not found.")
    iam.delete_group(GroupName="devs")
    iam.delete_policy(PolicyArn=arn)
    assert iam.list_groups()["Groups"] == []


def test_list_policies_pages_through_the_aws_managed_set(server: LiveServer) -> None:
    iam = server.client()
    iam.create_policy(PolicyName="mine", PolicyDocument=allow("iam:ListUsers"))
    pages = list(
        iam.get_paginator("list_policies").paginate(Scope="AWS", PaginationConfig={"PageSize": 250})
    )
    policies = [p for page in pages for p in page["Policies"]]
    assert len(pages) > 4 and len(policies) > 1000
    assert len({p["Arn"] for p in policies}) == len(policies)
    admin = next(p for p in policies if p["Arn"] == ADMIN)
    assert admin["PolicyName"] == "AdministratorAccess" and admin["IsAttachable"] is True
    assert all(p["Arn"].startswith("arn:aws:iam::aws:policy/") for p in policies)
    assert [p["PolicyName"] for p in iam.list_policies(Scope="Local")["Policies"]] == ["mine"]
    assert iam.list_policies(OnlyAttached=True)["Policies"] == []


def test_aws_managed_policies_can_be_read(server: LiveServer) -> None:
    iam = server.client()
    iam.create_user(UserName="uma")
    iam.attach_user_policy(UserName="uma", PolicyArn=ADMIN)
    policy = iam.get_policy(PolicyArn=ADMIN)["Policy"]
    assert policy["PolicyName"] == "AdministratorAccess" and policy["AttachmentCount"] == 1
    assert policy["PolicyId"].startswith("ANPA") and policy["DefaultVersionId"] == "v1"
    got = iam.get_policy_version(PolicyArn=ADMIN, VersionId="v1")["PolicyVersion"]
    assert got["Document"]["Statement"][0]["Action"] == "*"
    entities = iam.list_entities_for_policy(PolicyArn=ADMIN)
    assert [u["UserName"] for u in entities["PolicyUsers"]] == ["uma"]


def test_role_policies(server: LiveServer) -> None:
    iam = server.client()
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "ec2.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    iam.create_role(RoleName="app", AssumeRolePolicyDocument=json.dumps(trust))
    iam.put_role_policy(RoleName="app", PolicyName="s3", PolicyDocument=allow("s3:GetObject"))
    got = iam.get_role_policy(RoleName="app", PolicyName="s3")
    assert got["RoleName"] == "app" and got["PolicyDocument"] == json.loads(allow("s3:GetObject"))
    iam.attach_role_policy(RoleName="app", PolicyArn=ADMIN)
    attached = iam.list_attached_role_policies(RoleName="app")["AttachedPolicies"]
    assert attached == [{"PolicyName": "AdministratorAccess", "PolicyArn": ADMIN}]
    err = error_of(lambda: iam.delete_role(RoleName="app"))
    assert err["Code"] == "DeleteConflict"
    iam.detach_role_policy(RoleName="app", PolicyArn=ADMIN)
    iam.delete_role_policy(RoleName="app", PolicyName="s3")
    assert iam.list_role_policies(RoleName="app")["PolicyNames"] == []
    iam.delete_role(RoleName="app")
