"""STS through the AWS CLI: get-caller-identity, assume-role, get-session-token with an MFA code,
and calls made with the temporary credentials handed over in AWS_SESSION_TOKEN."""

from __future__ import annotations

import json
import time

import pyotp

from live_server import LiveServer

ACCOUNT = "123456789012"


def test_sts_through_the_aws_cli(server: LiveServer) -> None:
    iam = server.client()
    iam.create_user(UserName="carol")
    iam.put_user_policy(
        UserName="carol",
        PolicyName="inline",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}],
            }
        ),
    )
    key = iam.create_access_key(UserName="carol")["AccessKey"]
    carol = {"key": key["AccessKeyId"], "secret": key["SecretAccessKey"]}
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    iam.create_role(RoleName="auditor", AssumeRolePolicyDocument=json.dumps(trust))
    iam.attach_role_policy(
        RoleName="auditor", PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess"
    )

    me = server.cli("sts", "get-caller-identity", **carol)
    assert me.code == 0, me.stderr
    assert me.json()["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/carol"

    assumed = server.cli(
        "sts", "assume-role", "--role-arn", f"arn:aws:iam::{ACCOUNT}:role/auditor",
        "--role-session-name", "cli-session", "--duration-seconds", "900", **carol,
    )  # fmt: skip
    assert assumed.code == 0, assumed.stderr
    creds = assumed.json()["Credentials"]
    as_role = {
        "key": creds["AccessKeyId"],
        "secret": creds["SecretAccessKey"],
        "token": creds["SessionToken"],
    }
    inside = server.cli("sts", "get-caller-identity", **as_role)
    assert inside.code == 0, inside.stderr
    assert inside.json()["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/auditor/cli-session"
    listed = server.cli("iam", "list-roles", **as_role)
    assert listed.code == 0, listed.stderr
    assert [r["RoleName"] for r in listed.json()["Roles"]] == ["auditor"]
    # The role may read, not write.
    refused = server.cli("iam", "create-user", "--user-name", "mallory", **as_role)
    assert refused.code != 0
    assert "(AccessDenied) when calling the CreateUser operation" in refused.stderr
    # The same key without its token is no credential at all.
    tokenless = server.cli(
        "sts", "get-caller-identity", key=as_role["key"], secret=as_role["secret"]
    )
    assert tokenless.code != 0
    assert "(InvalidClientTokenId) when calling the GetCallerIdentity operation" in tokenless.stderr

    too_long = server.cli(
        "sts", "assume-role", "--role-arn", f"arn:aws:iam::{ACCOUNT}:role/auditor",
        "--role-session-name", "cli-session", "--duration-seconds", "7200", **carol,
    )  # fmt: skip
    assert too_long.code != 0
    assert (
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
        in too_long.stderr
    )


def test_get_session_token_with_an_mfa_code_through_the_aws_cli(server: LiveServer) -> None:
    iam = server.client()
    iam.create_user(UserName="dave")
    key = iam.create_access_key(UserName="dave")["AccessKey"]
    dave = {"key": key["AccessKeyId"], "secret": key["SecretAccessKey"]}
    made = iam.create_virtual_mfa_device(VirtualMFADeviceName="dave-phone")["VirtualMFADevice"]
    serial = made["SerialNumber"]
    totp = pyotp.TOTP(made["Base32StringSeed"].decode("ascii"))
    step = int(time.time()) // 30
    # Enabled with the two codes before the current one, so the current code is still unused.
    iam.enable_mfa_device(
        UserName="dave",
        SerialNumber=serial,
        AuthenticationCode1=totp.generate_otp(step - 2),
        AuthenticationCode2=totp.generate_otp(step - 1),
    )
    code = totp.generate_otp(step)
    got = server.cli(
        "sts", "get-session-token", "--serial-number", serial, "--token-code", code,
        "--duration-seconds", "900", **dave,
    )  # fmt: skip
    assert got.code == 0, got.stderr
    creds = got.json()["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA")
    session = {
        "key": creds["AccessKeyId"],
        "secret": creds["SecretAccessKey"],
        "token": creds["SessionToken"],
    }
    me = server.cli("sts", "get-caller-identity", **session)
    assert me.code == 0, me.stderr
    assert me.json()["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/dave"

    reused = server.cli(
        "sts", "get-session-token", "--serial-number", serial, "--token-code", code, **dave
    )  # fmt: skip
    assert reused.code != 0
    assert "MultiFactorAuthentication failed with invalid MFA one time pass code." in reused.stderr
