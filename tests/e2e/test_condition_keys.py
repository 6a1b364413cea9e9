"""IAM's own condition keys in the request context: iam:PermissionsBoundary (given, or already set
on the user acted on), iam:PolicyARN, aws:RequestTag and aws:TagKeys, aws:ResourceTag
(https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html#access_policies_boundaries-delegate)."""

from __future__ import annotations

import json
from typing import Any

import botocore.exceptions
import pytest

from live_server import LiveServer

ACCOUNT = "123456789012"
BOUNDARY_DOC = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
}


def denied(call: Any) -> str:
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call()
    assert info.value.response["Error"]["Code"] == "AccessDenied"
    return str(info.value.response["Error"]["Message"])


def delegated_admin(server: LiveServer, policy: dict[str, Any]) -> Any:
    iam = server.client()
    iam.create_user(UserName="delegate")
    iam.put_user_policy(UserName="delegate", PolicyName="p", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName="delegate")["AccessKey"]
    return server.client(key=key["AccessKeyId"], secret=key["SecretAccessKey"])


def test_delegated_admins_must_set_the_boundary(server: LiveServer) -> None:
    iam = server.client()
    boundary = iam.create_policy(PolicyName="Boundary", PolicyDocument=json.dumps(BOUNDARY_DOC))[
        "Policy"
    ]["Arn"]
    condition = {"StringEquals": {"iam:PermissionsBoundary": boundary}}
    delegate = delegated_admin(
        server,
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": ["iam:CreateUser", "iam:AttachUserPolicy"],
                 "Resource": "*", "Condition": condition},
            ],
        },
    )  # fmt: skip
    delegate.create_user(UserName="bounded", PermissionsBoundary=boundary)
    assert "iam:CreateUser" in denied(lambda: delegate.create_user(UserName="unbounded"))
    # AttachUserPolicy: the key is the boundary already set on the user acted on.
    s3 = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
    delegate.attach_user_policy(UserName="bounded", PolicyArn=s3)
    iam.create_user(UserName="free")
    assert "iam:AttachUserPolicy" in denied(
        lambda: delegate.attach_user_policy(UserName="free", PolicyArn=s3)
    )


def test_policy_arn_and_tags(server: LiveServer) -> None:
    delegate = delegated_admin(
        server,
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "iam:AttachUserPolicy", "Resource": "*",
                 "Condition": {"ArnEquals": {"iam:PolicyARN": "arn:aws:iam::aws:policy/ReadOnlyAccess"}}},
                {"Effect": "Allow", "Action": "iam:TagUser", "Resource": "*",
                 "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["team"]},
                               "StringEquals": {"aws:ResourceTag/owner": "delegate"}}},
            ],
        },
    )  # fmt: skip
    iam = server.client()
    iam.create_user(UserName="target", Tags=[{"Key": "owner", "Value": "delegate"}])
    iam.create_user(UserName="other")
    delegate.attach_user_policy(
        UserName="target", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess"
    )
    denied(
        lambda: delegate.attach_user_policy(
            UserName="target", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess"
        )
    )
    delegate.tag_user(UserName="target", Tags=[{"Key": "team", "Value": "blue"}])
    denied(lambda: delegate.tag_user(UserName="target", Tags=[{"Key": "cost", "Value": "1"}]))
    denied(lambda: delegate.tag_user(UserName="other", Tags=[{"Key": "team", "Value": "blue"}]))
