"""The seed's scenarios end to end against a live server with boto3: bucket versus object ARNs,
a user who dumps a DynamoDB table into another account's bucket (and the same through a role),
an SCP that stops a member account's administrator, a "deny unless from these IP ranges" policy,
a force-MFA policy, and tag-based access
(https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-policies-s3.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_aws_deny-ip.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_aws_mfa-dates.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/introduction_attribute-based-access-control.html).

"ec2/dynamodb only in two regions" is in the EC2 and DynamoDB suites (test_gateway_ec2.py,
test_gateway_dynamodb.py)."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import boto3
import botocore.exceptions
import pyotp
import pytest

from e2e.org_helpers import (
    ACCESS_ROLE,
    Caller,
    allow,
    create_org,
    deny,
    document,
    error_of,
    root_caller,
)
from live_server import LiveServer

ACCOUNT = "123456789012"


@functools.cache
def _boto() -> boto3.session.Session:
    return boto3.session.Session(region_name="us-east-1")


def s3(caller: Caller) -> Any:
    return _boto().client(
        "s3",
        endpoint_url=caller.server.endpoint,
        aws_access_key_id=caller.creds["AccessKeyId"],
        aws_secret_access_key=caller.creds["SecretAccessKey"],
        aws_session_token=caller.creds.get("SessionToken"),
    )


def outcome(call: Callable[[], object]) -> str:
    """ "allowed", or the message of the AccessDenied (HTTP 403) the call met."""
    try:
        call()
    except botocore.exceptions.ClientError as exc:
        error, status = exc.response["Error"], exc.response["ResponseMetadata"]["HTTPStatusCode"]
        assert (error["Code"], status) == ("AccessDenied", 403), exc.response
        return str(error["Message"])
    return "allowed"


def user_denied(user: str, action: str, resource: str, why: str) -> str:
    return (
        f"User: arn:aws:iam::{ACCOUNT}:user/{user} is not authorized to perform: {action} "
        f'on resource: "{resource}" {why}'
    )


def no_allow(user: str, action: str, resource: str) -> str:
    return user_denied(
        user, action, resource, f"because no identity-based policy allows the {action} action"
    )


def explicit_deny(user: str, action: str, resource: str) -> str:
    return user_denied(user, action, resource, "with an explicit deny in an identity-based policy")


def bucket_with(server: LiveServer, bucket: str, **objects: bytes) -> Any:
    owner = s3(root_caller(server))
    owner.create_bucket(Bucket=bucket)
    for key, body in objects.items():
        owner.put_object(Bucket=bucket, Key=key, Body=body)
    return owner


# -- scenario 1: the bucket ARN for ListBucket, the object ARN for object actions -----------


def _test_bucket_operations(client: Any) -> dict[str, Callable[[], object]]:
    return {
        "ListObjectsV2": lambda: client.list_objects_v2(Bucket="test"),
        "GetObject": lambda: client.get_object(Bucket="test", Key="report.csv"),
        "PutObject": lambda: client.put_object(Bucket="test", Key="new.csv", Body=b"n"),
        "DeleteObject": lambda: client.delete_object(Bucket="test", Key="old.csv"),
    }


def test_scenario_1_bucket_and_object_arns(server: LiveServer) -> None:
    bucket_with(server, "test", **{"report.csv": b"r", "old.csv": b"o"})
    right = s3(
        root_caller(server).new_user(
            "right",
            allow("s3:ListBucket", resource="arn:aws:s3:::test"),
            allow(
                "s3:GetObject", "s3:PutObject", "s3:DeleteObject", resource="arn:aws:s3:::test/*"
            ),
        )
    )

    for name, call in _test_bucket_operations(right).items():
        assert outcome(call) == "allowed", name
    right.head_bucket(Bucket="test")  # HeadBucket is s3:ListBucket too
    assert [o["Key"] for o in right.list_objects_v2(Bucket="test")["Contents"]] == [
        "new.csv",
        "report.csv",
    ]
    # What the policy does not name stays denied.
    assert outcome(lambda: right.delete_bucket(Bucket="test")) == no_allow(
        "right", "s3:DeleteBucket", "arn:aws:s3:::test"
    )


def test_scenario_1_swapped_arns_break_every_operation(server: LiveServer) -> None:
    owner = bucket_with(server, "test", **{"report.csv": b"r", "old.csv": b"o"})
    swapped = s3(
        root_caller(server).new_user(
            "swapped",
            allow("s3:ListBucket", resource="arn:aws:s3:::test/*"),
            allow("s3:GetObject", "s3:PutObject", "s3:DeleteObject", resource="arn:aws:s3:::test"),
        )
    )
    outcomes = {name: outcome(call) for name, call in _test_bucket_operations(swapped).items()}

    # ListBucket's resource is the bucket, which `test/*` does not match; object actions act on
    # `test/<key>`, which `test` does not match.
    assert outcomes == {
        "ListObjectsV2": no_allow("swapped", "s3:ListBucket", "arn:aws:s3:::test"),
        "GetObject": no_allow("swapped", "s3:GetObject", "arn:aws:s3:::test/report.csv"),
        "PutObject": no_allow("swapped", "s3:PutObject", "arn:aws:s3:::test/new.csv"),
        "DeleteObject": no_allow("swapped", "s3:DeleteObject", "arn:aws:s3:::test/old.csv"),
    }
    head = error_of(lambda: swapped.head_bucket(Bucket="test"))  # a HEAD answer has no body
    assert (head["Code"], head["Status"]) == ("403", 403)
    # Nothing changed in the bucket.
    keys = [o["Key"] for o in owner.list_objects_v2(Bucket="test")["Contents"]]
    assert keys == ["old.csv", "report.csv"]


# -- scenario 4: an SCP stops even the member account's administrator -----------------------


@pytest.mark.parametrize("target", ["account", "ou"])
def test_scenario_4_scp_denying_delete_bucket_stops_the_member_admin(
    server: LiveServer, target: str
) -> None:
    org = create_org(server)
    member = org.account("workload")
    ou = org.ou("workloads")
    org.move(member, org.root_id, ou)
    admin_session = org.member(member)  # OrganizationAccountAccessRole: AdministratorAccess
    admin = s3(admin_session)
    admin.create_bucket(Bucket="workload-logs")
    admin.create_bucket(Bucket="workload-tmp")
    scp = org.policy("no-bucket-deletion", deny("s3:DeleteBucket"))
    attached_to = member if target == "account" else ou

    org.attach(scp, attached_to)

    message = outcome(lambda: admin.delete_bucket(Bucket="workload-logs"))
    session_arn = f"arn:aws:sts::{member}:assumed-role/{ACCESS_ROLE}/admin-{member}"
    assert message.startswith(
        f"User: {session_arn} is not authorized to perform: s3:DeleteBucket on resource: "
        '"arn:aws:s3:::workload-logs" with an explicit deny in a service control policy'
    )
    # Only what the SCP denies: the administrator still works with the bucket.
    admin.put_object(Bucket="workload-logs", Key="k", Body=b"v")
    admin.delete_object(Bucket="workload-logs", Key="k")
    assert {b["Name"] for b in admin.list_buckets()["Buckets"]} == {
        "workload-logs",
        "workload-tmp",
    }

    org.detach(scp, attached_to)
    admin.delete_bucket(Bucket="workload-logs")
    assert [b["Name"] for b in admin.list_buckets()["Buckets"]] == ["workload-tmp"]


# -- deny unless from these IP ranges -------------------------------------------------------


def ip_policy(ranges: list[str]) -> str:
    return document(
        allow("s3:*"),
        deny("s3:*", Condition={"NotIpAddress": {"aws:SourceIp": ranges}}),
    )


def test_deny_unless_from_these_ip_ranges(server: LiveServer) -> None:
    bucket_with(server, "office", **{"plan.txt": b"p"})
    root = root_caller(server)
    worker = s3(root.new_user("worker"))
    root.iam.put_user_policy(
        UserName="worker", PolicyName="ip", PolicyDocument=ip_policy(["203.0.113.0/24"])
    )

    # The requests come from 127.0.0.1, outside 203.0.113.0/24.
    assert outcome(lambda: worker.get_object(Bucket="office", Key="plan.txt")) == explicit_deny(
        "worker", "s3:GetObject", "arn:aws:s3:::office/plan.txt"
    )
    assert outcome(lambda: worker.list_objects_v2(Bucket="office")) == explicit_deny(
        "worker", "s3:ListBucket", "arn:aws:s3:::office"
    )

    root.iam.put_user_policy(
        UserName="worker",
        PolicyName="ip",
        PolicyDocument=ip_policy(["203.0.113.0/24", "127.0.0.0/8"]),
    )
    assert worker.get_object(Bucket="office", Key="plan.txt")["Body"].read() == b"p"
    assert worker.list_objects_v2(Bucket="office")["KeyCount"] == 1


# -- force MFA ----------------------------------------------------------------------------


def enable_virtual_mfa(server: LiveServer, user: str) -> tuple[str, pyotp.TOTP, int]:
    """A virtual MFA device enabled for `user` with the codes of the two steps before now:
    its serial, its TOTP and the current step (whose code is still unused)."""
    iam = root_caller(server).iam
    made = iam.create_virtual_mfa_device(VirtualMFADeviceName=f"{user}-phone")["VirtualMFADevice"]
    totp = pyotp.TOTP(made["Base32StringSeed"].decode("ascii"))
    step = int(time.time()) // 30
    iam.enable_mfa_device(
        UserName=user,
        SerialNumber=made["SerialNumber"],
        AuthenticationCode1=totp.generate_otp(step - 2),
        AuthenticationCode2=totp.generate_otp(step - 1),
    )
    return str(made["SerialNumber"]), totp, step


def test_force_mfa(server: LiveServer) -> None:
    bucket_with(server, "secure", **{"keys.txt": b"k"})
    no_mfa = {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}
    careful = root_caller(server).new_user("careful", allow("s3:*"), deny("s3:*", Condition=no_mfa))
    serial, totp, step = enable_virtual_mfa(server, "careful")
    resource = "arn:aws:s3:::secure/keys.txt"

    # Long-term keys carry aws:MultiFactorAuthPresent false.
    long_term = s3(careful)
    assert outcome(lambda: long_term.get_object(Bucket="secure", Key="keys.txt")) == (
        explicit_deny("careful", "s3:GetObject", resource)
    )
    # So do the credentials of a GetSessionToken made without MFA.
    plain = careful.sts.get_session_token()["Credentials"]
    without = s3(Caller(server, plain))
    assert outcome(lambda: without.get_object(Bucket="secure", Key="keys.txt")) == (
        explicit_deny("careful", "s3:GetObject", resource)
    )

    made = careful.sts.get_session_token(SerialNumber=serial, TokenCode=totp.generate_otp(step))
    with_mfa = s3(Caller(server, made["Credentials"]))
    assert with_mfa.get_object(Bucket="secure", Key="keys.txt")["Body"].read() == b"k"
    with_mfa.put_object(Bucket="secure", Key="new.txt", Body=b"n")


# -- tag-based access --------------------------------------------------------------------


def test_principal_tag_must_equal_the_objects_tag(server: LiveServer) -> None:
    owner = bucket_with(server, "projects")
    for key, team in (("red.txt", "red"), ("blue.txt", "blue")):
        owner.put_object(Bucket="projects", Key=key, Body=team.encode(), Tagging=f"team={team}")
    owner.put_object(Bucket="projects", Key="none.txt", Body=b"-")
    same_team = allow(
        "s3:GetObject",
        resource="arn:aws:s3:::projects/*",
        Condition={"StringEquals": {"s3:ExistingObjectTag/team": "${aws:PrincipalTag/team}"}},
    )
    root = root_caller(server)
    clients: dict[str, Any] = {}
    for name, team in (("rita", "red"), ("bert", "blue")):
        clients[name] = s3(root.new_user(name, same_team))
        root.iam.tag_user(UserName=name, Tags=[{"Key": "team", "Value": team}])
    untagged = s3(root.new_user("una", same_team))  # no team tag: the variable has no value

    got = {
        (name, key): outcome(partial(client.get_object, Bucket="projects", Key=key))
        for name, client in (*clients.items(), ("una", untagged))
        for key in ("red.txt", "blue.txt", "none.txt")
    }

    allowed = {k for k, v in got.items() if v == "allowed"}
    assert allowed == {("rita", "red.txt"), ("bert", "blue.txt")}
    assert got[("rita", "blue.txt")] == no_allow(
        "rita", "s3:GetObject", "arn:aws:s3:::projects/blue.txt"
    )
    assert got[("una", "none.txt")] == no_allow(
        "una", "s3:GetObject", "arn:aws:s3:::projects/none.txt"
    )
    # Retagging the user moves the access with the tag.
    root.iam.tag_user(UserName="rita", Tags=[{"Key": "team", "Value": "blue"}])
    assert clients["rita"].get_object(Bucket="projects", Key="blue.txt")["Body"].read() == b"blue"
    assert outcome(lambda: clients["rita"].get_object(Bucket="projects", Key="red.txt")) != (
        "allowed"
    )


def dynamodb(caller: Caller) -> Any:
    return _boto().client(
        "dynamodb",
        endpoint_url=caller.server.endpoint,
        aws_access_key_id=caller.creds["AccessKeyId"],
        aws_secret_access_key=caller.creds["SecretAccessKey"],
        aws_session_token=caller.creds.get("SessionToken"),
    )


def test_scenario_2_resource_policy_keeps_the_users_permissions_a_role_replaces_them(
    server: LiveServer,
) -> None:
    """A user of account A scans A's table and writes the dump into B's bucket, which B's bucket
    policy opens to A: it works, with the user's own permissions. Assuming a role in B to do the
    same fails to read A's table: the role's permissions replace the user's
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_compare-resource-policies.html)."""
    org = create_org(server)
    b = org.account("bravo")
    b_admin = org.member(b)

    # Account A (the default account): a table with items.
    a_root = root_caller(server)
    table = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders"
    ddb = dynamodb(a_root)
    ddb.create_table(
        TableName="orders",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    for n in range(3):
        ddb.put_item(TableName="orders", Item={"id": {"S": f"o{n}"}})

    # Account B: a bucket whose policy lets account A's principals put dumps.
    s3(b_admin).create_bucket(Bucket="bravo-dumps")
    s3(b_admin).put_bucket_policy(
        Bucket="bravo-dumps",
        Policy=document(
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                "Action": "s3:PutObject",
                "Resource": "arn:aws:s3:::bravo-dumps/*",
            }
        ),
    )
    # ... and a role that A's user may assume, allowed to write its own bucket only.
    b_admin.iam.create_role(
        RoleName="dumper",
        AssumeRolePolicyDocument=document(
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                "Action": "sts:AssumeRole",
            }
        ),
    )
    b_admin.iam.put_role_policy(
        RoleName="dumper",
        PolicyName="write",
        PolicyDocument=document(allow("s3:PutObject", resource="arn:aws:s3:::bravo-dumps/*")),
    )

    # A's user: may scan its table, write to B's bucket, and assume B's role.
    alice = a_root.new_user(
        "alice",
        allow("dynamodb:Scan", resource=table),
        allow("s3:PutObject", resource="arn:aws:s3:::bravo-dumps/*"),
        allow("sts:AssumeRole", resource=f"arn:aws:iam::{b}:role/dumper"),
    )

    # Through the bucket policy: alice keeps her own permissions, reads A's table, writes to B.
    items = dynamodb(alice).scan(TableName="orders")["Items"]
    assert sorted(i["id"]["S"] for i in items) == ["o0", "o1", "o2"]
    s3(alice).put_object(Bucket="bravo-dumps", Key="orders.json", Body=repr(items).encode())
    head = s3(b_admin).head_object(Bucket="bravo-dumps", Key="orders.json")
    assert head["ContentLength"] > 0

    # Through the role: the session holds only the role's permissions, so A's table is closed.
    session = alice.assume(f"arn:aws:iam::{b}:role/dumper")
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        dynamodb(session).scan(TableName=table)
    error = refused.value.response["Error"]
    assert error["Code"] == "AccessDeniedException"
    assert (
        "assumed-role/dumper/session is not authorized to perform: dynamodb:Scan"
        in (error["Message"])
    )
    # ... while writing the bucket as the role still works.
    s3(session).put_object(Bucket="bravo-dumps", Key="again.json", Body=b"[]")
