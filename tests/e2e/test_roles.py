"""Roles, service-linked roles and instance profiles through boto3 and the AWS CLI."""

from __future__ import annotations

import json
from typing import Any

import boto3
import botocore.config
import botocore.exceptions
import pytest

from live_server import ROOT_KEY, ROOT_SECRET, LiveServer

ACCOUNT = "123456789012"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"


def trust(principal: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": "Allow", "Action": "sts:AssumeRole", **extra}
    statement["Principal"] = principal or {"Service": "ec2.amazonaws.com"}
    return {"Version": "2012-10-17", "Statement": [statement]}


NO_PRINCIPAL = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}],
}


def error_of(call: object) -> dict[str, Any]:
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call()  # type: ignore[operator]
    return dict(info.value.response["Error"])


def test_role_lifecycle(server: LiveServer) -> None:
    iam = server.client()
    made = iam.create_role(
        RoleName="app-web",
        Path="/apps/",
        AssumeRolePolicyDocument=json.dumps(trust()),
        Description="web tier",
        MaxSessionDuration=7200,
        Tags=[{"Key": "team", "Value": "web"}],
    )["Role"]
    assert made["Arn"] == f"arn:aws:iam::{ACCOUNT}:role/apps/app-web"
    assert made["RoleId"].startswith("AROA") and len(made["RoleId"]) == 21
    # botocore decodes the URL-encoded document AWS sends back.
    assert made["AssumeRolePolicyDocument"] == trust()
    role = iam.get_role(RoleName="APP-WEB")["Role"]
    assert (role["MaxSessionDuration"], role["Description"]) == (7200, "web tier")
    assert role["Tags"] == [{"Key": "team", "Value": "web"}] and role["RoleLastUsed"] == {}

    iam.update_role(RoleName="app-web", MaxSessionDuration=43200)
    described = iam.update_role_description(RoleName="app-web", Description="front")["Role"]
    assert (described["Description"], described["MaxSessionDuration"]) == ("front", 43200)
    lam = trust({"Service": "lambda.amazonaws.com"})
    iam.update_assume_role_policy(RoleName="app-web", PolicyDocument=json.dumps(lam))
    assert iam.get_role(RoleName="app-web")["Role"]["AssumeRolePolicyDocument"] == lam

    iam.tag_role(RoleName="app-web", Tags=[{"Key": "env", "Value": "dev"}])
    iam.untag_role(RoleName="app-web", TagKeys=["team"])
    assert iam.list_role_tags(RoleName="app-web")["Tags"] == [{"Key": "env", "Value": "dev"}]

    iam.put_role_permissions_boundary(RoleName="app-web", PermissionsBoundary=READ_ONLY)
    boundary = iam.get_role(RoleName="app-web")["Role"]["PermissionsBoundary"]
    assert boundary["PermissionsBoundaryArn"] == READ_ONLY
    iam.delete_role_permissions_boundary(RoleName="app-web")

    iam.create_role(RoleName="batch", AssumeRolePolicyDocument=json.dumps(trust()))
    names = [r["RoleName"] for r in iam.list_roles()["Roles"]]
    assert names == ["app-web", "batch"]
    assert [r["RoleName"] for r in iam.list_roles(PathPrefix="/apps/")["Roles"]] == ["app-web"]
    paged = [
        r["RoleName"]
        for page in iam.get_paginator("list_roles").paginate(PaginationConfig={"PageSize": 1})
        for r in page["Roles"]
    ]
    assert paged == names
    iam.delete_role(RoleName="app-web")
    assert error_of(lambda: iam.get_role(RoleName="app-web"))["Code"] == "NoSuchEntity"


def test_role_errors(server: LiveServer) -> None:
    iam = server.client()
    err = error_of(lambda: iam.get_role(RoleName="ghost"))
    assert (err["Code"], err["Message"]) == (
        "NoSuchEntity",
        "The role with name ghost cannot be found.",
    )
    iam.create_role(RoleName="Deploy", AssumeRolePolicyDocument=json.dumps(trust()))
    err = error_of(
        lambda: iam.create_role(RoleName="deploy", AssumeRolePolicyDocument=json.dumps(trust()))
    )
    assert (err["Code"], err["Message"]) == (
        "EntityAlreadyExists",
        "Role with name deploy already exists.",
    )
    for document, message in [
        (trust(Resource="*"), "Has prohibited field Resource"),
        (NO_PRINCIPAL, "Missing required field Principal"),
    ]:
        err = error_of(
            lambda d=document: iam.create_role(
                RoleName="bad", AssumeRolePolicyDocument=json.dumps(d)
            )
        )
        assert (err["Code"], err["Message"]) == ("MalformedPolicyDocument", message)
    err = error_of(lambda: iam.update_role(RoleName="Deploy", MaxSessionDuration=43201))
    assert err["Code"] == "ValidationError"
    assert "at 'maxSessionDuration' failed to satisfy constraint" in err["Message"]
    # Below the minimum too: botocore checks that itself, so the check is turned off here.
    raw = unvalidated_client(server)
    err = error_of(lambda: raw.update_role(RoleName="Deploy", MaxSessionDuration=60))
    assert err["Code"] == "ValidationError"
    assert "greater than or equal to 3600" in err["Message"]


def test_delete_role_waits_for_its_instance_profiles(server: LiveServer) -> None:
    iam = server.client()
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps(trust()))
    iam.create_instance_profile(InstanceProfileName="ip")
    iam.add_role_to_instance_profile(InstanceProfileName="ip", RoleName="r")
    err = error_of(lambda: iam.delete_role(RoleName="r"))
    assert (err["Code"], err["Message"]) == (
        "DeleteConflict",
        "Cannot delete entity, must remove roles from instance profile first.",
    )
    err = error_of(lambda: iam.delete_instance_profile(InstanceProfileName="ip"))
    assert err["Code"] == "DeleteConflict"


def test_instance_profile_lifecycle(server: LiveServer) -> None:
    iam = server.client()
    iam.create_role(RoleName="web", AssumeRolePolicyDocument=json.dumps(trust()))
    made = iam.create_instance_profile(
        InstanceProfileName="web-ip", Path="/ec2/", Tags=[{"Key": "k", "Value": "v"}]
    )["InstanceProfile"]
    assert made["Arn"] == f"arn:aws:iam::{ACCOUNT}:instance-profile/ec2/web-ip"
    assert made["InstanceProfileId"].startswith("AIPA") and made["Roles"] == []
    iam.add_role_to_instance_profile(InstanceProfileName="web-ip", RoleName="web")
    iam.create_role(RoleName="other", AssumeRolePolicyDocument=json.dumps(trust()))
    err = error_of(
        lambda: iam.add_role_to_instance_profile(InstanceProfileName="web-ip", RoleName="other")
    )
    assert (err["Code"], err["Message"]) == (
        "LimitExceeded",
        "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1",
    )
    profile = iam.get_instance_profile(InstanceProfileName="web-ip")["InstanceProfile"]
    assert [r["RoleName"] for r in profile["Roles"]] == ["web"]
    assert profile["Roles"][0]["AssumeRolePolicyDocument"] == trust()

    listed = server.cli("iam", "list-instance-profiles-for-role", "--role-name", "web")
    assert listed.code == 0, listed.stderr
    assert [p["InstanceProfileName"] for p in listed.json()["InstanceProfiles"]] == ["web-ip"]
    tagged = server.cli(
        "iam", "tag-instance-profile", "--instance-profile-name", "web-ip",
        "--tags", "Key=env,Value=prod",
    )  # fmt: skip
    assert tagged.code == 0, tagged.stderr
    tags = iam.list_instance_profile_tags(InstanceProfileName="web-ip")["Tags"]
    assert tags == [{"Key": "k", "Value": "v"}, {"Key": "env", "Value": "prod"}]
    iam.untag_instance_profile(InstanceProfileName="web-ip", TagKeys=["k"])

    iam.remove_role_from_instance_profile(InstanceProfileName="web-ip", RoleName="web")
    assert iam.list_instance_profiles()["InstanceProfiles"][0]["Roles"] == []
    iam.delete_instance_profile(InstanceProfileName="web-ip")
    err = error_of(lambda: iam.get_instance_profile(InstanceProfileName="web-ip"))
    assert (err["Code"], err["Message"]) == (
        "NoSuchEntity",
        "Instance Profile web-ip cannot be found.",
    )


def test_service_linked_role_lifecycle_with_the_cli(server: LiveServer) -> None:
    made = server.cli(
        "iam", "create-service-linked-role", "--aws-service-name", "elasticloadbalancing.amazonaws.com"
    )  # fmt: skip
    assert made.code == 0, made.stderr
    role = made.json()["Role"]
    assert role["RoleName"] == "AWSServiceRoleForElasticLoadBalancing"
    assert role["Path"] == "/aws-service-role/elasticloadbalancing.amazonaws.com/"
    principal = role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]
    assert principal == {"Service": "elasticloadbalancing.amazonaws.com"}

    refused = server.cli("iam", "delete-role", "--role-name", role["RoleName"])
    assert refused.code != 0
    assert "UnmodifiableEntity" in refused.stderr
    assert "Cannot perform the operation on the protected role" in refused.stderr

    iam = server.client()
    task = iam.delete_service_linked_role(RoleName=role["RoleName"])["DeletionTaskId"]
    status = server.cli(
        "iam", "get-service-linked-role-deletion-status", "--deletion-task-id", task
    )  # fmt: skip
    assert status.code == 0, status.stderr
    assert status.json()["Status"] == "SUCCEEDED"
    assert error_of(lambda: iam.get_role(RoleName=role["RoleName"]))["Code"] == "NoSuchEntity"


def test_create_role_with_the_cli(server: LiveServer) -> None:
    made = server.cli(
        "iam", "create-role", "--role-name", "cli-role",
        "--assume-role-policy-document", json.dumps(trust()),
    )  # fmt: skip
    assert made.code == 0, made.stderr
    assert made.json()["Role"]["AssumeRolePolicyDocument"] == trust()
    bad = server.cli(
        "iam", "create-role", "--role-name", "bad",
        "--assume-role-policy-document", json.dumps(trust(Resource="*")),
    )  # fmt: skip
    assert bad.code != 0 and "MalformedPolicyDocument" in bad.stderr


def unvalidated_client(server: LiveServer) -> Any:
    """A root client that sends parameters botocore itself would refuse."""
    return boto3.session.Session(
        aws_access_key_id=ROOT_KEY, aws_secret_access_key=ROOT_SECRET, region_name="us-east-1"
    ).client(
        "iam",
        endpoint_url=server.endpoint,
        config=botocore.config.Config(parameter_validation=False),
    )


def test_access_to_roles_follows_the_callers_policy(server: LiveServer) -> None:
    iam = server.client()
    for name in ("app-api", "billing"):
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust()))
    iam.create_user(UserName="dev")
    key = iam.create_access_key(UserName="dev")["AccessKey"]
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
    iam.put_user_policy(UserName="dev", PolicyName="roles", PolicyDocument=json.dumps(allow))
    dev = server.client(key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    assert dev.get_role(RoleName="app-api")["Role"]["RoleName"] == "app-api"
    err = error_of(lambda: dev.get_role(RoleName="billing"))
    assert (err["Code"], err["Message"]) == (
        "AccessDenied",
        f"User: arn:aws:iam::{ACCOUNT}:user/dev is not authorized to perform: iam:GetRole on "
        f"resource: arn:aws:iam::{ACCOUNT}:role/billing because no identity-based policy allows "
        "the iam:GetRole action",
    )
