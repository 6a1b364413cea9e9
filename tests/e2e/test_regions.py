"""Regions on the wire: a credential scope must name a Region of the aws partition; STS is
regional (aws:RequestedRegion is the signing Region) and IAM global (its calls are made in
us-east-1, IAM User Guide, "AWS global condition context keys"); aws:SourceIp is the caller's
address."""

from __future__ import annotations

import json
from typing import Any

import boto3
import botocore.exceptions
import pytest

from live_server import ROOT_KEY, ROOT_SECRET, LiveServer

ACCOUNT = "123456789012"
EU_ONLY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": ["iam:*", "sts:*"], "Resource": "*",
         "Condition": {"StringEquals": {"aws:RequestedRegion": ["eu-west-1", "eu-central-1"]}}},
    ],
}  # fmt: skip
TRUST_ACCOUNT = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
         "Action": "sts:AssumeRole"},
    ],
}  # fmt: skip


def client(
    server: LiveServer, service: str, region: str, key: str = ROOT_KEY, secret: str = ROOT_SECRET
) -> Any:
    session = boto3.session.Session(
        aws_access_key_id=key, aws_secret_access_key=secret, region_name=region
    )
    return session.client(service, endpoint_url=server.endpoint)


def error_of(call: Any) -> dict[str, Any]:
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call()
    return {**info.value.response["Error"], **info.value.response["ResponseMetadata"]}


def user_with_policy(server: LiveServer, name: str, policy: dict[str, Any]) -> tuple[str, str]:
    iam = server.client()
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


@pytest.mark.parametrize("region", ["mars-north-1", "cn-north-1", "us-gov-west-1"])
@pytest.mark.parametrize("service", ["sts", "iam"])
def test_a_scope_outside_the_aws_partition_is_refused(
    server: LiveServer, region: str, service: str
) -> None:
    c = client(server, service, region)
    call = c.get_caller_identity if service == "sts" else c.list_users
    error = error_of(call)
    assert error["Code"] == "SignatureDoesNotMatch"
    assert error["Message"] == f"Credential should be scoped to a valid region, not '{region}'."
    assert error["HTTPStatusCode"] == 403


@pytest.mark.parametrize("region", ["eu-west-1", "ap-southeast-7", "mx-central-1"])
def test_any_region_of_the_partition_is_accepted(server: LiveServer, region: str) -> None:
    identity = client(server, "sts", region).get_caller_identity()
    assert identity["Arn"] == f"arn:aws:iam::{ACCOUNT}:root"
    # With one endpoint for everything, SDKs sign IAM for their own Region; it is accepted.
    assert client(server, "iam", region).list_users()["Users"] == []


def test_requested_region_allows_sts_only_in_the_regions_named(server: LiveServer) -> None:
    role = server.client().create_role(
        RoleName="deployer", AssumeRolePolicyDocument=json.dumps(TRUST_ACCOUNT)
    )["Role"]["Arn"]
    key, secret = user_with_policy(server, "eu-dev", EU_ONLY)

    def assume(region: str) -> Any:
        sts = client(server, "sts", region, key, secret)
        return sts.assume_role(RoleArn=role, RoleSessionName="eu-session")

    error = error_of(lambda: assume("us-east-1"))
    assert error["Code"] == "AccessDenied"
    assert "sts:AssumeRole" in error["Message"]
    assert assume("eu-west-1")["AssumedRoleUser"]["Arn"].endswith(
        ":assumed-role/deployer/eu-session"
    )
    assert assume("eu-central-1")["Credentials"]["AccessKeyId"].startswith("ASIA")


def test_iam_calls_are_made_in_us_east_1_whatever_the_signing_region(server: LiveServer) -> None:
    """AWS: "if you create a policy that denies access ... if the requested Region is not
    us-west-2, then IAM calls always fail"."""
    key, secret = user_with_policy(server, "eu-dev", EU_ONLY)
    error = error_of(lambda: client(server, "iam", "eu-west-1", key, secret).list_users())
    assert error["Code"] == "AccessDenied"
    key2, secret2 = user_with_policy(
        server,
        "us-dev",
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*",
                 "Condition": {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}},
            ],
        },
    )  # fmt: skip
    users = client(server, "iam", "eu-west-1", key2, secret2).list_users()["Users"]
    assert {u["UserName"] for u in users} == {"eu-dev", "us-dev"}


def deny_unless_from(cidrs: list[str]) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": "*", "Resource": "*",
             "Condition": {"NotIpAddress": {"aws:SourceIp": cidrs}}},
        ],
    }  # fmt: skip


def test_source_ip_is_the_callers_address(server: LiveServer) -> None:
    key, secret = user_with_policy(
        server, "office", deny_unless_from(["10.0.0.0/8", "127.0.0.0/8"])
    )
    assert client(server, "iam", "us-east-1", key, secret).list_users()["Users"]
    sts = client(server, "sts", "eu-west-1", key, secret)
    assert sts.get_session_token()["Credentials"]["AccessKeyId"].startswith("ASIA")

    key, secret = user_with_policy(server, "vpn", deny_unless_from(["10.0.0.0/8"]))
    error = error_of(lambda: client(server, "iam", "us-east-1", key, secret).list_users())
    assert error["Code"] == "AccessDenied"
    assert "explicit deny" in error["Message"]
