"""A permissions boundary caps what identity policies grant
(https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html), through boto3
and the AWS CLI."""

from __future__ import annotations

import json

import botocore.exceptions
import pytest

from live_server import LiveServer

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
BOUNDARY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["iam:Get*", "iam:List*"], "Resource": "*"}],
}


def test_an_admin_capped_by_a_boundary(server: LiveServer) -> None:
    iam = server.client()
    boundary = iam.create_policy(PolicyName="ReadOnlyIam", PolicyDocument=json.dumps(BOUNDARY))
    arn = boundary["Policy"]["Arn"]
    iam.create_user(UserName="capped", PermissionsBoundary=arn)
    iam.attach_user_policy(UserName="capped", PolicyArn=ADMIN)
    key = iam.create_access_key(UserName="capped")["AccessKey"]
    capped = server.client(key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    assert [u["UserName"] for u in capped.list_users()["Users"]] == ["capped"]
    with pytest.raises(botocore.exceptions.ClientError) as info:
        capped.create_user(UserName="another")
    error = info.value.response["Error"]
    assert error["Code"] == "AccessDenied"
    assert error["Message"] == (
        "User: arn:aws:iam::123456789012:user/capped is not authorized to perform: "
        "iam:CreateUser on resource: arn:aws:iam::123456789012:user/another because no "
        "permissions boundary allows the iam:CreateUser action"
    )
    # Removing the boundary restores what the identity policy grants.
    iam.delete_user_permissions_boundary(UserName="capped")
    capped.create_user(UserName="another")


def test_the_cli_sees_the_same_denial(server: LiveServer) -> None:
    iam = server.client()
    arn = iam.create_policy(PolicyName="ReadOnlyIam", PolicyDocument=json.dumps(BOUNDARY))[
        "Policy"
    ]["Arn"]
    made = server.cli(
        "iam", "create-user", "--user-name", "cli-capped", "--permissions-boundary", arn
    )
    assert made.code == 0, made.stderr
    assert made.json()["User"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == arn
    iam.attach_user_policy(UserName="cli-capped", PolicyArn=ADMIN)
    key = iam.create_access_key(UserName="cli-capped")["AccessKey"]
    denied = server.cli(
        "iam",
        "create-group",
        "--group-name",
        "g",
        key=key["AccessKeyId"],
        secret=key["SecretAccessKey"],
    )
    assert denied.code != 0
    assert "AccessDenied" in denied.stderr
    assert "because no permissions boundary allows the iam:CreateGroup action" in denied.stderr
