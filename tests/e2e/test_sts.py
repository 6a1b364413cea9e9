"""STS through boto3 against a live server: GetCallerIdentity, AssumeRole (trust policies,
ExternalId, session names, durations, chaining, session policies, session tags, SourceIdentity,
MFA), GetSessionToken with MFA and force-MFA policies, GetFederationToken, GetAccessKeyInfo,
DecodeAuthorizationMessage, the federation operations, and temporary credentials that are checked
on every request.

IAM reads (GetUser, ListUsers) stand in for the data plane, which localiam does not serve yet.
MFA codes are computed with pyotp: a device is enabled with the codes of the two steps before
the current one, so the codes of the current step and the next are still fresh for the test.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import botocore.config
import botocore.exceptions
import pyotp
import pytest
from botocore import UNSIGNED

from live_server import LiveServer

ACCOUNT = "123456789012"
ROOT_ARN = f"arn:aws:iam::{ACCOUNT}:root"
NO_CLIENT_CHECKS = botocore.config.Config(parameter_validation=False)
INVALID_TOKEN = {
    "Type": "Sender",
    "Code": "InvalidClientTokenId",
    "Message": "The security token included in the request is invalid.",
}
INVALID_CODE = "MultiFactorAuthentication failed with invalid MFA one time pass code. "


# -- helpers -----------------------------------------------------------------------------------


def error_of(call: Callable[[], object]) -> dict[str, Any]:
    """The error AWS answered `call` with, its HTTP status under `Status`; never a 5xx."""
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call()
    response = info.value.response
    status = response["ResponseMetadata"]["HTTPStatusCode"]
    return {**response["Error"], "Status": status}


def policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(*actions: str, resource: str | list[str] = "*", **condition: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": "Allow", "Action": list(actions), "Resource": resource}
    if condition:
        statement["Condition"] = condition
    return statement


def trust(principal: str = ROOT_ARN, *actions: str, **condition: Any) -> str:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"AWS": principal},
        "Action": list(actions) or ["sts:AssumeRole"],
    }
    if condition:
        statement["Condition"] = condition
    return policy(statement)


class Caller:
    """boto3 clients for one set of credentials (long-term or temporary)."""

    def __init__(self, server: LiveServer, creds: dict[str, Any]) -> None:
        self.server = server
        self.creds = creds
        self.session = boto3.session.Session(
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds.get("SessionToken"),
            region_name="us-east-1",
        )
        self.sts = self.session.client("sts", endpoint_url=server.endpoint)
        self.iam = self.session.client("iam", endpoint_url=server.endpoint)
        # For bad input that botocore would refuse before sending.
        self.raw_sts = self.session.client(
            "sts", endpoint_url=server.endpoint, config=NO_CLIENT_CHECKS
        )


def user(server: LiveServer, name: str, *statements: dict[str, Any]) -> Caller:
    """A user with an access key and, when given, an inline policy of `statements`."""
    iam = server.client()
    iam.create_user(UserName=name)
    if statements:
        iam.put_user_policy(UserName=name, PolicyName="inline", PolicyDocument=policy(*statements))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return Caller(server, key)


def role(
    server: LiveServer, name: str, trust_policy: str, *statements: dict[str, Any], **extra: Any
) -> str:
    iam = server.client()
    arn: str = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust_policy, **extra)[
        "Role"
    ]["Arn"]
    if statements:
        iam.put_role_policy(RoleName=name, PolicyName="inline", PolicyDocument=policy(*statements))
    return arn


def assume(caller: Caller, role_arn: str, name: str = "session", **params: Any) -> Caller:
    answer = caller.sts.assume_role(RoleArn=role_arn, RoleSessionName=name, **params)
    return Caller(caller.server, answer["Credentials"])


def seconds_from_now(moment: datetime) -> float:
    return (moment - datetime.now(UTC)).total_seconds()


class Device:
    """A virtual MFA device enabled for a user with the codes of the two steps before now."""

    def __init__(self, server: LiveServer, user_name: str | None) -> None:
        iam = server.client()
        made = iam.create_virtual_mfa_device(VirtualMFADeviceName=f"{user_name or 'root'}-phone")
        self.serial: str = made["VirtualMFADevice"]["SerialNumber"]
        self.totp = pyotp.TOTP(made["VirtualMFADevice"]["Base32StringSeed"].decode("ascii"))
        self.step = int(time.time()) // 30
        iam.enable_mfa_device(
            UserName=user_name,
            SerialNumber=self.serial,
            AuthenticationCode1=self.totp.generate_otp(self.step - 2),
            AuthenticationCode2=self.totp.generate_otp(self.step - 1),
        )

    def fresh(self, later: int = 0) -> str:
        """The code of the step the device was enabled in (`later` steps on): not used yet and,
        for `later` 0 or 1, inside the one-step window while the test runs."""
        return str(self.totp.generate_otp(self.step + later))

    def wrong(self) -> str:
        window = {self.totp.generate_otp(self.step + d) for d in range(-3, 4)}
        return next(f"{n:06d}" for n in range(100) if f"{n:06d}" not in window)


# -- GetCallerIdentity -------------------------------------------------------------------------


def test_get_caller_identity_needs_no_permission(server: LiveServer) -> None:
    root = server.client("sts").get_caller_identity()
    assert (root["UserId"], root["Account"], root["Arn"]) == (ACCOUNT, ACCOUNT, ROOT_ARN)
    denied = user(server, "alice", {"Effect": "Deny", "Action": "*", "Resource": "*"})
    me = denied.sts.get_caller_identity()
    user_id = server.client().get_user(UserName="alice")["User"]["UserId"]
    assert me["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/alice"
    assert (me["UserId"], me["Account"]) == (user_id, ACCOUNT)
    assert error_of(lambda: denied.iam.list_users())["Code"] == "AccessDenied"


# -- AssumeRole: trust, identity policies, the session's permissions ---------------------------


def test_assume_role_needs_the_trust_policy_and_the_callers_identity_policy(
    server: LiveServer,
) -> None:
    reader = role(server, "reader", trust(), allow("iam:ListUsers"))
    alice = user(server, "alice")
    denied = error_of(lambda: alice.sts.assume_role(RoleArn=reader, RoleSessionName="s1"))
    assert denied == {
        "Type": "Sender",
        "Code": "AccessDenied",
        "Message": f"User: arn:aws:iam::{ACCOUNT}:user/alice is not authorized to perform: "
        f"sts:AssumeRole on resource: {reader}",
        "Status": 403,
    }
    # A role that does not exist is refused in the same words.
    missing = f"arn:aws:iam::{ACCOUNT}:role/nope"
    unknown = error_of(lambda: alice.sts.assume_role(RoleArn=missing, RoleSessionName="s1"))
    assert unknown["Message"].endswith(f"sts:AssumeRole on resource: {missing}")

    server.client().put_user_policy(
        UserName="alice", PolicyName="assume", PolicyDocument=policy(allow("sts:AssumeRole"))
    )
    answer = alice.sts.assume_role(RoleArn=reader, RoleSessionName="s1")
    role_id = server.client().get_role(RoleName="reader")["Role"]["RoleId"]
    creds = answer["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA") and len(creds["AccessKeyId"]) == 20
    assert len(creds["SessionToken"]) > 100 and len(creds["SecretAccessKey"]) == 40
    assert 3590 < seconds_from_now(creds["Expiration"]) <= 3600
    assert answer["AssumedRoleUser"] == {
        "AssumedRoleId": f"{role_id}:s1",
        "Arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/reader/s1",
    }
    assert "PackedPolicySize" not in answer and "SourceIdentity" not in answer
    used = server.client().get_role(RoleName="reader")["Role"]["RoleLastUsed"]
    assert used["Region"] == "us-east-1"

    # An explicit deny in the caller's policies wins over the trust policy.
    server.client().put_user_policy(
        UserName="alice",
        PolicyName="deny",
        PolicyDocument=policy({"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": reader}),
    )
    assert error_of(lambda: alice.sts.assume_role(RoleArn=reader, RoleSessionName="s2"))[
        "Code"
    ] == ("AccessDenied")


def test_a_trust_policy_naming_the_user_needs_no_identity_policy(server: LiveServer) -> None:
    # Same account: a resource-based policy that names the principal grants by itself.
    alice = user(server, "alice")
    named = role(server, "named", trust(f"arn:aws:iam::{ACCOUNT}:user/alice"))
    assert alice.sts.assume_role(RoleArn=named, RoleSessionName="s1")["AssumedRoleUser"]
    bob = user(server, "bob", allow("sts:AssumeRole"))
    refused = error_of(lambda: bob.sts.assume_role(RoleArn=named, RoleSessionName="s1"))
    assert refused["Code"] == "AccessDenied"


def test_root_cannot_assume_a_role(server: LiveServer) -> None:
    reader = role(server, "reader", trust())
    refused = error_of(
        lambda: server.client("sts").assume_role(RoleArn=reader, RoleSessionName="x1")
    )
    assert refused == {
        "Type": "Sender",
        "Code": "AccessDenied",
        "Message": "Roles may not be assumed by root accounts.",
        "Status": 403,
    }


def test_a_user_loses_its_own_access_inside_a_role_that_lacks_it(server: LiveServer) -> None:
    alice = user(server, "alice", allow("iam:GetUser", "iam:ListUsers", "sts:AssumeRole"))
    assert [u["UserName"] for u in alice.iam.list_users()["Users"]] == ["alice"]
    assert alice.iam.get_user(UserName="alice")["User"]["UserName"] == "alice"
    bare = role(server, "bare", trust(), allow("iam:ListRoles"))
    inside = assume(alice, bare, "alice-session")
    session_arn = f"arn:aws:sts::{ACCOUNT}:assumed-role/bare/alice-session"
    assert error_of(lambda: inside.iam.list_users()) == {
        "Type": "Sender",
        "Code": "AccessDenied",
        "Message": f"User: {session_arn} is not authorized to perform: iam:ListUsers because "
        "no identity-based policy allows the iam:ListUsers action",
        "Status": 403,
    }
    assert error_of(lambda: inside.iam.get_user(UserName="alice"))["Code"] == "AccessDenied"
    assert [r["RoleName"] for r in inside.iam.list_roles()["Roles"]] == ["bare"]
    # Alice's own key keeps her access.
    assert alice.iam.list_users()["Users"]


def test_role_session_identity_context_keys_and_revoking_older_sessions(
    server: LiveServer,
) -> None:
    alice = user(server, "alice", allow("sts:AssumeRole"))
    ops = server.client().create_role(RoleName="ops", AssumeRolePolicyDocument=trust())["Role"]
    # The session's aws:userid is ROLEID:SESSION, and aws:TokenIssueTime is set.
    server.client().put_role_policy(
        RoleName="ops",
        PolicyName="by-userid",
        PolicyDocument=policy(
            allow(
                "iam:ListUsers",
                StringEquals={"aws:userid": f"{ops['RoleId']}:first"},
                Null={"aws:TokenIssueTime": "false"},
            )
        ),
    )
    first = assume(alice, ops["Arn"], "first")
    me = first.sts.get_caller_identity()
    assert me == {
        "UserId": f"{ops['RoleId']}:first",
        "Account": ACCOUNT,
        "Arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/ops/first",
        "ResponseMetadata": me["ResponseMetadata"],
    }
    assert first.iam.list_users()["Users"] is not None
    other = assume(alice, ops["Arn"], "other")
    assert error_of(lambda: other.iam.list_users())["Code"] == "AccessDenied"

    # The console's "Revoke active sessions" attaches this policy (id_roles_use_revoke-sessions).
    cutoff = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1)
    revoke = {
        "Effect": "Deny",
        "Action": ["*"],
        "Resource": ["*"],
        "Condition": {
            "DateLessThan": {"aws:TokenIssueTime": cutoff.strftime("%Y-%m-%dT%H:%M:%SZ")}
        },
    }
    server.client().put_role_policy(
        RoleName="ops", PolicyName="AWSRevokeOlderSessions", PolicyDocument=policy(revoke)
    )
    revoked = error_of(lambda: first.iam.list_users())
    assert revoked["Message"] == (
        f"User: arn:aws:sts::{ACCOUNT}:assumed-role/ops/first is not authorized to perform: "
        "iam:ListUsers with an explicit deny in an identity-based policy"
    )
    assert first.sts.get_caller_identity()["Arn"].endswith("/first")
    time.sleep(max(0.0, (cutoff - datetime.now(UTC)).total_seconds()) + 0.05)
    again = assume(alice, ops["Arn"], "first")
    assert again.iam.list_users()["Users"] is not None


# -- AssumeRole: parameters ---------------------------------------------------------------------


def test_external_id_and_session_name_conditions(server: LiveServer) -> None:
    alice = user(server, "alice", allow("sts:AssumeRole"))
    vendor = role(server, "vendor", trust(StringEquals={"sts:ExternalId": "ext-4242"}))
    for given in ({}, {"ExternalId": "ext-0000"}):
        refused = error_of(
            lambda given=given: alice.sts.assume_role(RoleArn=vendor, RoleSessionName="s1", **given)
        )
        assert refused["Code"] == "AccessDenied"
    assert alice.sts.assume_role(RoleArn=vendor, RoleSessionName="s1", ExternalId="ext-4242")

    # The AWS example: the session must be named after the user who assumes the role.
    named = role(server, "named", trust(StringEquals={"sts:RoleSessionName": "${aws:username}"}))
    assert error_of(lambda: alice.sts.assume_role(RoleArn=named, RoleSessionName="bob"))[
        "Code"
    ] == ("AccessDenied")
    made = alice.sts.assume_role(RoleArn=named, RoleSessionName="alice")
    assert made["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/named/alice"


@pytest.mark.parametrize(
    ("name", "constraint"),
    [
        ("a", "Member must have length greater than or equal to 2"),
        ("x" * 65, "Member must have length less than or equal to 64"),
        ("has space", "Member must satisfy regular expression pattern: [\\w+=,.@-]*"),
    ],
)
def test_role_session_name_rules(server: LiveServer, name: str, constraint: str) -> None:
    alice = user(server, "alice", allow("sts:AssumeRole"))
    reader = role(server, "reader", trust())
    refused = error_of(lambda: alice.raw_sts.assume_role(RoleArn=reader, RoleSessionName=name))
    assert refused == {
        "Type": "Sender",
        "Code": "ValidationError",
        "Message": f"1 validation error detected: Value '{name}' at 'roleSessionName' failed "
        f"to satisfy constraint: {constraint}",
        "Status": 400,
    }


def test_duration_seconds_and_role_chaining(server: LiveServer) -> None:
    alice = user(server, "alice", allow("sts:AssumeRole"))
    long = role(server, "long", trust(), allow("sts:AssumeRole"), MaxSessionDuration=7200)
    made = alice.sts.assume_role(RoleArn=long, RoleSessionName="s1", DurationSeconds=7200)
    assert 7190 < seconds_from_now(made["Credentials"]["Expiration"]) <= 7200
    short = alice.sts.assume_role(RoleArn=long, RoleSessionName="s1", DurationSeconds=900)
    assert 890 < seconds_from_now(short["Credentials"]["Expiration"]) <= 900
    over = error_of(
        lambda: alice.sts.assume_role(RoleArn=long, RoleSessionName="s1", DurationSeconds=7201)
    )
    assert over == {
        "Type": "Sender",
        "Code": "ValidationError",
        "Message": "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        "Status": 400,
    }
    under = error_of(
        lambda: alice.raw_sts.assume_role(RoleArn=long, RoleSessionName="s1", DurationSeconds=899)
    )
    assert under["Code"] == "ValidationError"
    assert under["Message"] == (
        "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy "
        "constraint: Member must have value greater than or equal to 900"
    )
    beyond = error_of(
        lambda: alice.raw_sts.assume_role(RoleArn=long, RoleSessionName="s1", DurationSeconds=43201)
    )
    assert "Member must have value less than or equal to 43200" in beyond["Message"]

    # Role chaining: a role session assuming a role gets at most one hour.
    hop = role(server, "hop", trust(f"arn:aws:iam::{ACCOUNT}:role/long"), MaxSessionDuration=43200)
    inside = Caller(server, made["Credentials"])
    chained = error_of(
        lambda: inside.sts.assume_role(RoleArn=hop, RoleSessionName="s2", DurationSeconds=3601)
    )
    assert chained == {
        "Type": "Sender",
        "Code": "ValidationError",
        "Message": "The requested DurationSeconds exceeds the 1 hour session limit for roles "
        "assumed by role chaining.",
        "Status": 400,
    }
    second = inside.sts.assume_role(RoleArn=hop, RoleSessionName="s2", DurationSeconds=3600)
    assert second["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/hop/s2"


def test_session_policies_inline_and_managed(server: LiveServer) -> None:
    alice = user(server, "alice", allow("sts:AssumeRole"))
    wide = role(server, "wide", trust(), allow("iam:GetUser", "iam:ListUsers", "iam:ListRoles"))
    inline = alice.sts.assume_role(
        RoleArn=wide, RoleSessionName="s1", Policy=policy(allow("iam:ListUsers", "iam:ListRoles"))
    )
    assert 0 < inline["PackedPolicySize"] < 100
    narrowed = Caller(server, inline["Credentials"])
    assert narrowed.iam.list_users()["Users"] is not None
    refused = error_of(lambda: narrowed.iam.get_user(UserName="alice"))
    assert refused["Message"] == (
        f"User: arn:aws:sts::{ACCOUNT}:assumed-role/wide/s1 is not authorized to perform: "
        f"iam:GetUser on resource: arn:aws:iam::{ACCOUNT}:user/alice because no session policy "
        "allows the iam:GetUser action"
    )
    # A session policy cannot grant more than the role has.
    broad = alice.sts.assume_role(RoleArn=wide, RoleSessionName="s2", Policy=policy(allow("iam:*")))
    assert error_of(lambda: Caller(server, broad["Credentials"]).iam.create_user(UserName="x"))[
        "Code"
    ] == ("AccessDenied")

    arn = server.client().create_policy(
        PolicyName="only-roles", PolicyDocument=policy(allow("iam:ListRoles"))
    )["Policy"]["Arn"]
    managed = alice.sts.assume_role(RoleArn=wide, RoleSessionName="s3", PolicyArns=[{"arn": arn}])
    limited = Caller(server, managed["Credentials"])
    assert limited.iam.list_roles()["Roles"]
    assert error_of(lambda: limited.iam.list_users())["Message"].endswith(
        "because no session policy allows the iam:ListUsers action"
    )

    malformed = error_of(
        lambda: alice.sts.assume_role(RoleArn=wide, RoleSessionName="s4", Policy="{not json")
    )
    assert (malformed["Code"], malformed["Status"]) == ("MalformedPolicyDocument", 400)
    # Random resource names do not compress: the packed form goes over AWS's limit.
    noise = [f"arn:aws:iam::{ACCOUNT}:user/{os.urandom(24).hex()}" for _ in range(120)]
    oversized = error_of(
        lambda: alice.sts.assume_role(
            RoleArn=wide,
            RoleSessionName="s5",
            Policy=policy(allow("iam:GetUser", resource=noise)),
        )
    )
    assert (oversized["Code"], oversized["Status"]) == ("PackedPolicyTooLarge", 400)
    assert oversized["Message"].startswith("Packed policy consumes ")
    assert oversized["Message"].endswith("% of allotted space, please use smaller policy.")


def test_session_tags_principal_tags_and_transitive_tags_through_chaining(
    server: LiveServer,
) -> None:
    alice = user(server, "alice", allow("sts:AssumeRole", "sts:TagSession"))
    tagging = ("sts:AssumeRole", "sts:TagSession")
    first = role(
        server,
        "first",
        trust(ROOT_ARN, *tagging),
        allow("iam:ListUsers", StringEquals={"aws:PrincipalTag/team": "blue"}),
        allow("sts:AssumeRole", "sts:TagSession"),
        Tags=[{"Key": "Team", "Value": "red"}],
    )
    second = role(
        server,
        "second",
        trust(f"arn:aws:iam::{ACCOUNT}:role/first", *tagging),
        allow("iam:ListUsers", StringEquals={"aws:PrincipalTag/team": "blue"}),
        allow("iam:ListRoles", Null={"aws:PrincipalTag/cost": "true"}),
    )
    made = alice.sts.assume_role(
        RoleArn=first,
        RoleSessionName="s1",
        Tags=[{"Key": "team", "Value": "blue"}, {"Key": "cost", "Value": "42"}],
        TransitiveTagKeys=["team"],
    )
    assert 0 < made["PackedPolicySize"] < 100
    inside = Caller(server, made["Credentials"])
    # The session tag overrides the role's tag of the same key (keys compare without case).
    assert inside.iam.list_users()["Users"] is not None

    chained = Caller(
        server, inside.sts.assume_role(RoleArn=second, RoleSessionName="s2")["Credentials"]
    )
    assert chained.iam.list_users()["Users"] is not None  # team=blue came along
    assert chained.iam.list_roles()["Roles"]  # cost did not: it was not transitive

    conflict = error_of(
        lambda: inside.sts.assume_role(
            RoleArn=second, RoleSessionName="s3", Tags=[{"Key": "Team", "Value": "green"}]
        )
    )
    assert conflict == {
        "Type": "Sender",
        "Code": "InvalidParameterValue",
        "Message": "One of the specified transitive tag keys can't be set because it conflicts "
        "with a transitive tag key from the calling session.",
        "Status": 400,
    }
    stray = error_of(
        lambda: alice.sts.assume_role(
            RoleArn=first,
            RoleSessionName="s4",
            Tags=[{"Key": "team", "Value": "blue"}],
            TransitiveTagKeys=["owner"],
        )
    )
    assert stray["Code"] == "InvalidParameterValue"
    assert (
        stray["Message"]
        == "The specified transitive tag key must be included in the requested tags."
    )

    # Tags need sts:TagSession in the trust policy too.
    plain = role(server, "plain", trust())
    untagged = error_of(
        lambda: alice.sts.assume_role(
            RoleArn=plain, RoleSessionName="s5", Tags=[{"Key": "team", "Value": "blue"}]
        )
    )
    assert untagged["Message"] == (
        f"User: arn:aws:iam::{ACCOUNT}:user/alice is not authorized to perform: sts:TagSession "
        f"on resource: {plain}"
    )


def test_source_identity_is_set_once_and_carried_through_chaining(server: LiveServer) -> None:
    alice = user(server, "alice", allow("sts:AssumeRole", "sts:SetSourceIdentity"))
    setting = ("sts:AssumeRole", "sts:SetSourceIdentity")
    first = role(
        server,
        "first",
        trust(ROOT_ARN, *setting),
        allow("sts:AssumeRole", "sts:SetSourceIdentity"),
        allow("iam:ListUsers", StringEquals={"aws:SourceIdentity": "alice"}),
    )
    second = role(server, "second", trust(f"arn:aws:iam::{ACCOUNT}:role/first", *setting))
    made = alice.sts.assume_role(RoleArn=first, RoleSessionName="s1", SourceIdentity="alice")
    assert made["SourceIdentity"] == "alice"
    inside = Caller(server, made["Credentials"])
    assert inside.iam.list_users()["Users"] is not None
    carried = inside.sts.assume_role(RoleArn=second, RoleSessionName="s2")
    assert carried["SourceIdentity"] == "alice"
    changed = error_of(
        lambda: inside.sts.assume_role(RoleArn=second, RoleSessionName="s3", SourceIdentity="bob")
    )
    assert (changed["Code"], changed["Status"]) == ("AccessDenied", 403)

    plain = role(server, "plain", trust())
    refused = error_of(
        lambda: alice.sts.assume_role(RoleArn=plain, RoleSessionName="s4", SourceIdentity="alice")
    )
    assert refused["Message"].endswith(f"sts:SetSourceIdentity on resource: {plain}")


# -- MFA ---------------------------------------------------------------------------------------

FORCE_MFA = {
    # AWS's example "BlockMostAccessUnlessSignedInWithMFA" (reference_policies_examples_aws_my-sec-creds-self-manage).
    "Sid": "BlockMostAccessUnlessSignedInWithMFA",
    "Effect": "Deny",
    "NotAction": [
        "iam:CreateVirtualMFADevice",
        "iam:EnableMFADevice",
        "iam:ListMFADevices",
        "iam:ListVirtualMFADevices",
        "iam:ResyncMFADevice",
        "sts:GetSessionToken",
    ],
    "Resource": "*",
    "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
}


def test_force_mfa_policy_with_get_session_token(server: LiveServer) -> None:
    bob = user(
        server,
        "bob",
        allow("iam:ListUsers"),
        allow("iam:ListRoles", NumericLessThan={"aws:MultiFactorAuthAge": "600"}),
        FORCE_MFA,
    )
    device = Device(server, "bob")
    denied = error_of(lambda: bob.iam.list_users())
    assert denied["Message"] == (
        f"User: arn:aws:iam::{ACCOUNT}:user/bob is not authorized to perform: iam:ListUsers "
        "with an explicit deny in an identity-based policy"
    )
    without = Caller(server, bob.sts.get_session_token()["Credentials"])
    # GetSessionToken credentials made without MFA cannot call IAM at all.
    assert error_of(lambda: without.iam.list_users())["Code"] == "InvalidClientTokenId"

    answer = bob.sts.get_session_token(SerialNumber=device.serial, TokenCode=device.fresh())
    creds = answer["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA")
    assert 43190 < seconds_from_now(creds["Expiration"]) <= 43200  # the default, 12 hours
    with_mfa = Caller(server, creds)
    assert [u["UserName"] for u in with_mfa.iam.list_users()["Users"]] == ["bob"]
    assert with_mfa.iam.list_roles()["Roles"] == []  # aws:MultiFactorAuthAge is present and small
    assert error_of(lambda: without.iam.list_roles())["Code"] == "InvalidClientTokenId"
    me = with_mfa.sts.get_caller_identity()
    assert me["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/bob"
    assert me["UserId"] == server.client().get_user(UserName="bob")["User"]["UserId"]

    # A code is accepted once.
    reused = error_of(
        lambda: bob.sts.get_session_token(SerialNumber=device.serial, TokenCode=device.fresh())
    )
    assert reused == {
        "Type": "Sender",
        "Code": "AccessDenied",
        "Message": INVALID_CODE,
        "Status": 403,
    }
    wrong = error_of(
        lambda: bob.sts.get_session_token(SerialNumber=device.serial, TokenCode=device.wrong())
    )
    assert wrong["Message"] == INVALID_CODE
    # The next step's code is still good: a wrong or reused code did not burn it.
    assert bob.sts.get_session_token(SerialNumber=device.serial, TokenCode=device.fresh(1))


def test_mfa_failures_name_their_cause(server: LiveServer) -> None:
    bob = user(server, "bob")
    alice = user(server, "alice")
    device = Device(server, "bob")
    elsewhere = error_of(
        lambda: alice.sts.get_session_token(SerialNumber=device.serial, TokenCode=device.fresh())
    )
    assert elsewhere == {
        "Type": "Sender",
        "Code": "AccessDenied",
        "Message": "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify "
        "your MFA serial number is valid and associated with this user.",
        "Status": 403,
    }
    unknown = f"arn:aws:iam::{ACCOUNT}:mfa/nobody"
    assert (
        error_of(lambda: bob.sts.get_session_token(SerialNumber=unknown, TokenCode="123456"))[
            "Message"
        ]
        == elsewhere["Message"]
    )
    half = error_of(lambda: bob.sts.get_session_token(SerialNumber=device.serial))
    assert half["Code"] == "AccessDenied"
    assert half["Message"].startswith("MultiFactorAuthentication failed")
    letters = error_of(
        lambda: bob.raw_sts.get_session_token(SerialNumber=device.serial, TokenCode="12ab56")
    )
    assert (letters["Code"], letters["Status"]) == ("ValidationError", 400)
    # None of these used the code up.
    assert bob.sts.get_session_token(SerialNumber=device.serial, TokenCode=device.fresh())


def test_role_whose_trust_policy_demands_mfa(server: LiveServer) -> None:
    bob = user(server, "bob", allow("sts:AssumeRole"))
    device = Device(server, "bob")
    guarded = role(
        server,
        "guarded",
        trust(Bool={"aws:MultiFactorAuthPresent": "true"}),
        allow("iam:ListUsers", Bool={"aws:MultiFactorAuthPresent": "true"}),
    )
    refused = error_of(lambda: bob.sts.assume_role(RoleArn=guarded, RoleSessionName="s1"))
    assert refused["Message"] == (
        f"User: arn:aws:iam::{ACCOUNT}:user/bob is not authorized to perform: sts:AssumeRole "
        f"on resource: {guarded}"
    )
    made = bob.sts.assume_role(
        RoleArn=guarded, RoleSessionName="s1", SerialNumber=device.serial, TokenCode=device.fresh()
    )
    inside = Caller(server, made["Credentials"])
    assert inside.iam.list_users()["Users"] is not None  # the session carries the MFA check
    reused = error_of(
        lambda: bob.sts.assume_role(
            RoleArn=guarded,
            RoleSessionName="s2",
            SerialNumber=device.serial,
            TokenCode=device.fresh(),
        )
    )
    assert reused["Message"] == INVALID_CODE
    # An MFA-checked GetSessionToken session may assume it without a new code.
    checked = bob.sts.get_session_token(SerialNumber=device.serial, TokenCode=device.fresh(1))
    via = Caller(server, checked["Credentials"])
    assert via.sts.assume_role(RoleArn=guarded, RoleSessionName="s3", DurationSeconds=900)


# -- GetSessionToken, GetFederationToken -------------------------------------------------------


def test_get_session_token_durations_and_callers(server: LiveServer) -> None:
    root = server.client("sts")
    capped = root.get_session_token(DurationSeconds=7200)["Credentials"]
    assert 3590 < seconds_from_now(capped["Expiration"]) <= 3600  # root: one hour at most
    alice = user(server, "alice", allow("sts:AssumeRole"))
    longest = alice.sts.get_session_token(DurationSeconds=129600)["Credentials"]
    assert 129590 < seconds_from_now(longest["Expiration"]) <= 129600
    for duration, constraint in (
        (899, "greater than or equal to 900"),
        (129601, "less than or equal to 129600"),
    ):
        refused = error_of(
            lambda duration=duration: alice.raw_sts.get_session_token(DurationSeconds=duration)
        )
        assert refused["Message"] == (
            f"1 validation error detected: Value '{duration}' at 'durationSeconds' failed to "
            f"satisfy constraint: Member must have value {constraint}"
        )

    session = Caller(server, longest)
    again = error_of(lambda: session.sts.get_session_token())
    assert again == {
        "Type": "Sender",
        "Code": "AccessDenied",
        "Message": "Cannot call GetSessionToken with session credentials",
        "Status": 403,
    }
    no_fed = error_of(lambda: session.sts.get_federation_token(Name="fed"))
    assert no_fed["Message"] == "Cannot call GetFederationToken with session credentials"
    # A GetSessionToken session may assume roles (within the role's own maximum).
    reader = role(server, "reader", trust())
    assert session.sts.assume_role(RoleArn=reader, RoleSessionName="s1")["AssumedRoleUser"]
    reader_session = assume(alice, reader, "s2")
    assert error_of(lambda: reader_session.sts.get_session_token())["Message"] == again["Message"]


def test_get_federation_token_intersects_user_and_passed_policies(server: LiveServer) -> None:
    alice = user(server, "alice", allow("sts:GetFederationToken", "iam:GetUser", "iam:ListUsers"))
    passed = policy(allow("iam:GetUser", "iam:CreateUser"))
    answer = alice.sts.get_federation_token(Name="partner", Policy=passed, DurationSeconds=3600)
    arn = f"arn:aws:sts::{ACCOUNT}:federated-user/partner"
    assert answer["FederatedUser"] == {"FederatedUserId": f"{ACCOUNT}:partner", "Arn": arn}
    assert 0 < answer["PackedPolicySize"] < 100
    assert 3590 < seconds_from_now(answer["Credentials"]["Expiration"]) <= 3600
    fed = Caller(server, answer["Credentials"])
    me = fed.sts.get_caller_identity()
    assert (me["Arn"], me["UserId"], me["Account"]) == (arn, f"{ACCOUNT}:partner", ACCOUNT)

    # AWS refuses IAM calls made with federated-user credentials as an invalid token; the
    # intersection of the user's and the passed policy is checked in
    # tests/unit/services/test_sts_service.py with S3 actions (the data plane comes later).
    assert error_of(lambda: fed.iam.get_user(UserName="alice"))["Code"] == "InvalidClientTokenId"
    # Federated users call no STS operation but GetCallerIdentity.
    assert error_of(lambda: fed.sts.get_session_token())["Code"] == "AccessDenied"

    bob = user(server, "bob")
    refused = error_of(lambda: bob.sts.get_federation_token(Name="partner"))
    assert refused["Message"] == (
        f"User: arn:aws:iam::{ACCOUNT}:user/bob is not authorized to perform: "
        f"sts:GetFederationToken on resource: {arn}"
    )
    root = server.client("sts").get_federation_token(Name="ops", DurationSeconds=7200)
    assert 3590 < seconds_from_now(root["Credentials"]["Expiration"]) <= 3600
    too_big = error_of(
        lambda: alice.raw_sts.get_federation_token(Name="big", Policy=" " * 2049 + passed)
    )
    assert too_big["Code"] == "ValidationError"
    assert "Member must have length less than or equal to 2048" in too_big["Message"]


# -- GetAccessKeyInfo, DecodeAuthorizationMessage, federation ------------------------------------


def test_get_access_key_info_and_decode_authorization_message(server: LiveServer) -> None:
    alice = user(server, "alice", allow("sts:GetAccessKeyInfo", "sts:DecodeAuthorizationMessage"))
    bob = user(server, "bob")
    assert alice.sts.get_access_key_info(AccessKeyId=bob.creds["AccessKeyId"])["Account"] == (
        ACCOUNT
    )
    temporary = server.client("sts").get_session_token()["Credentials"]["AccessKeyId"]
    assert alice.sts.get_access_key_info(AccessKeyId=temporary)["Account"] == ACCOUNT
    unknown = error_of(lambda: alice.sts.get_access_key_info(AccessKeyId="AKIAAAAAAAAAAAAAAAAA"))
    assert unknown["Code"] == "InvalidClientTokenId"
    refused = error_of(lambda: bob.sts.get_access_key_info(AccessKeyId=temporary))
    assert refused["Message"] == (
        f"User: arn:aws:iam::{ACCOUNT}:user/bob is not authorized to perform: sts:GetAccessKeyInfo"
    )

    garbled = error_of(lambda: alice.sts.decode_authorization_message(EncodedMessage="abc"))
    assert (garbled["Code"], garbled["Status"]) == ("InvalidAuthorizationMessageException", 400)
    assert error_of(lambda: bob.sts.decode_authorization_message(EncodedMessage="abc"))["Code"] == (
        "AccessDenied"
    )


def test_federation_operations_are_accepted_unsigned(server: LiveServer) -> None:
    anonymous = boto3.client(
        "sts",
        endpoint_url=server.endpoint,
        region_name="us-east-1",
        config=botocore.config.Config(signature_version=UNSIGNED),
    )
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/web"
    answers = [
        error_of(
            lambda: anonymous.assume_role_with_web_identity(
                RoleArn=role_arn, RoleSessionName="web1", WebIdentityToken="eyJ0b2tlbiI6MX0"
            )
        ),
        error_of(
            lambda: anonymous.assume_role_with_saml(
                RoleArn=role_arn,
                PrincipalArn=f"arn:aws:iam::{ACCOUNT}:saml-provider/idp",
                SAMLAssertion="PHNhbWw+PC9zYW1sPg==",
            )
        ),
    ]
    for answer in answers:  # not yet implemented, but not refused for want of a signature
        assert (answer["Code"], answer["Status"]) == ("NotImplemented", 501)
    # Other operations need a signature. (AWS answers MissingAuthenticationToken; localiam, which
    # serves every service on one port, cannot tell STS from IAM without one.)
    unsigned = error_of(lambda: anonymous.get_caller_identity())
    assert unsigned["Status"] in (400, 403)


# -- temporary credentials on every request -----------------------------------------------------


def test_session_tokens_are_checked_on_every_request(server: LiveServer) -> None:
    alice = user(server, "alice", allow("sts:AssumeRole"))
    reader = role(server, "reader", trust(), allow("iam:ListUsers"))
    first = alice.sts.assume_role(RoleArn=reader, RoleSessionName="one")["Credentials"]
    second = alice.sts.assume_role(RoleArn=reader, RoleSessionName="two")["Credentials"]
    assert Caller(server, first).iam.list_users()["Users"] is not None

    cases = {
        "malformed token": {**first, "SessionToken": "not-a-token"},
        "another session's token": {**first, "SessionToken": second["SessionToken"]},
        "no token": {k: v for k, v in first.items() if k != "SessionToken"},
        "long-term key with a token": {**alice.creds, "SessionToken": first["SessionToken"]},
        "unknown temporary key": {**first, "AccessKeyId": "ASIAAAAAAAAAAAAAAAAA"},
    }
    for label, creds in cases.items():
        for call in (
            Caller(server, creds).sts.get_caller_identity,
            Caller(server, creds).iam.list_users,
        ):
            assert error_of(call) == {**INVALID_TOKEN, "Status": 403}, label
    wrong_secret = {**first, "SecretAccessKey": "x" * 40}
    mismatch = error_of(lambda: Caller(server, wrong_secret).sts.get_caller_identity())
    assert (mismatch["Code"], mismatch["Status"]) == ("SignatureDoesNotMatch", 403)
    # A change to the role's policies applies to its sessions at once.
    server.client().delete_role_policy(RoleName="reader", PolicyName="inline")
    assert error_of(lambda: Caller(server, first).iam.list_users())["Code"] == "AccessDenied"
