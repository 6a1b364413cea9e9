"""Virtual MFA with real TOTP codes, console passwords and the password policy, the account
alias and summary, and the credential report, through boto3 and the AWS CLI."""

from __future__ import annotations

import base64
import csv
import io
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import botocore.exceptions
import botocore.session
import pyotp
import pytest
from botocore.config import Config

from live_server import ROOT_KEY, ROOT_SECRET, LiveServer

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ACCOUNT = "123456789012"


def error_of(call: Callable[[], object]) -> dict[str, Any]:
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call()
    return dict(info.value.response["Error"])


def codes(seed: str) -> tuple[str, str]:
    """What a person types from an authenticator app: the previous code and the current one."""
    totp = pyotp.TOTP(seed)
    step = int(time.time()) // 30
    return totp.generate_otp(step - 1), totp.generate_otp(step)


def enable(iam: Any, user: str, serial: str, seed: str) -> tuple[str, str]:
    """Enable with fresh codes, retrying once should a step boundary fall in between."""
    first, second = codes(seed)
    try:
        iam.enable_mfa_device(
            UserName=user,
            SerialNumber=serial,
            AuthenticationCode1=first,
            AuthenticationCode2=second,
        )
    except botocore.exceptions.ClientError:
        time.sleep(1)
        first, second = codes(seed)
        iam.enable_mfa_device(
            UserName=user,
            SerialNumber=serial,
            AuthenticationCode1=first,
            AuthenticationCode2=second,
        )
    return first, second


def test_virtual_mfa_enrolment_with_real_codes(server: LiveServer) -> None:
    iam = server.client()
    iam.create_user(UserName="bob")
    made = iam.create_virtual_mfa_device(
        VirtualMFADeviceName="bob-phone", Tags=[{"Key": "team", "Value": "blue"}]
    )["VirtualMFADevice"]
    serial = made["SerialNumber"]
    assert serial == f"arn:aws:iam::{ACCOUNT}:mfa/bob-phone"
    seed = made["Base32StringSeed"].decode("ascii")
    assert len(seed) == 64 and base64.b32decode(seed)
    assert made["QRCodePNG"].startswith(PNG_SIGNATURE)
    assert made["Tags"] == [{"Key": "team", "Value": "blue"}]
    again = error_of(lambda: iam.create_virtual_mfa_device(VirtualMFADeviceName="bob-phone"))
    assert again["Code"] == "EntityAlreadyExists"

    first, second = codes(seed)
    wrong = error_of(
        lambda: iam.enable_mfa_device(
            UserName="bob",
            SerialNumber=serial,
            AuthenticationCode1=second,
            AuthenticationCode2=first,
        )
    )
    assert wrong == {
        "Type": "Sender",
        "Code": "InvalidAuthenticationCode",
        "Message": "Authentication code for device is not valid.",
    }

    used = enable(iam, "bob", serial, seed)
    listed = iam.list_mfa_devices(UserName="bob")["MFADevices"]
    assert [(d["UserName"], d["SerialNumber"]) for d in listed] == [("bob", serial)]
    assigned = iam.list_virtual_mfa_devices(AssignmentStatus="Assigned")["VirtualMFADevices"]
    assert [d["User"]["UserName"] for d in assigned] == ["bob"]
    assert "Base32StringSeed" not in assigned[0]
    assert iam.list_virtual_mfa_devices(AssignmentStatus="Unassigned")["VirtualMFADevices"] == []
    assert iam.list_mfa_device_tags(SerialNumber=serial)["Tags"] == [
        {"Key": "team", "Value": "blue"}
    ]

    conflict = error_of(lambda: iam.delete_virtual_mfa_device(SerialNumber=serial))
    assert conflict["Code"] == "DeleteConflict"
    assert error_of(lambda: iam.delete_user(UserName="bob"))["Code"] == "DeleteConflict"

    iam.deactivate_mfa_device(UserName="bob", SerialNumber=serial)
    assert iam.list_mfa_devices(UserName="bob")["MFADevices"] == []
    # The codes that enabled the device were used: they cannot enable it again.
    reused = error_of(
        lambda: iam.enable_mfa_device(
            UserName="bob",
            SerialNumber=serial,
            AuthenticationCode1=used[0],
            AuthenticationCode2=used[1],
        )
    )
    assert reused["Code"] == "InvalidAuthenticationCode"

    iam.delete_virtual_mfa_device(SerialNumber=serial)
    assert iam.list_virtual_mfa_devices()["VirtualMFADevices"] == []
    missing = error_of(lambda: iam.delete_virtual_mfa_device(SerialNumber=serial))
    assert missing["Code"] == "NoSuchEntity"
    iam.delete_user(UserName="bob")


def test_mfa_enrolment_through_the_aws_cli(server: LiveServer, tmp_path: Path) -> None:
    server.client().create_user(UserName="carol")
    seed_file = tmp_path / "seed.txt"
    made = server.cli(
        "iam", "create-virtual-mfa-device", "--virtual-mfa-device-name", "carol-phone",
        "--path", "/people/", "--outfile", str(seed_file), "--bootstrap-method", "Base32StringSeed",
    )  # fmt: skip
    assert made.code == 0, made.stderr
    serial = made.json()["VirtualMFADevice"]["SerialNumber"]
    assert serial == f"arn:aws:iam::{ACCOUNT}:mfa/people/carol-phone"
    seed = seed_file.read_text().strip()
    for attempt in range(2):
        first, second = codes(seed)
        enabled = server.cli(
            "iam", "enable-mfa-device", "--user-name", "carol", "--serial-number", serial,
            "--authentication-code1", first, "--authentication-code2", second,
        )  # fmt: skip
        if enabled.code == 0:
            break
        assert attempt == 0, enabled.stderr
        time.sleep(1)
    listed = server.cli("iam", "list-virtual-mfa-devices", "--assignment-status", "Assigned")
    devices = listed.json()["VirtualMFADevices"]
    assert [(d["SerialNumber"], d["User"]["UserName"]) for d in devices] == [(serial, "carol")]


def test_password_policy_and_login_profiles(server: LiveServer) -> None:
    iam = server.client()
    none = error_of(lambda: iam.get_account_password_policy())
    assert none["Code"] == "NoSuchEntity"
    assert none["Message"] == f"The Password Policy with domain name {ACCOUNT} cannot be found."
    iam.create_user(UserName="dave")
    # With no custom policy, AWS's default one applies: 8 characters, three kinds of them.
    weak = error_of(lambda: iam.create_login_profile(UserName="dave", Password="password"))
    assert weak["Code"] == "PasswordPolicyViolation"
    assert weak["Message"] == "Password does not conform to the account password policy."

    iam.update_account_password_policy(
        MinimumPasswordLength=12,
        RequireSymbols=True,
        RequireNumbers=True,
        MaxPasswordAge=90,
        PasswordReusePrevention=2,
    )
    assert iam.get_account_password_policy()["PasswordPolicy"] == {
        "MinimumPasswordLength": 12,
        "RequireSymbols": True,
        "RequireNumbers": True,
        "RequireUppercaseCharacters": False,
        "RequireLowercaseCharacters": False,
        "AllowUsersToChangePassword": False,
        "ExpirePasswords": True,
        "MaxPasswordAge": 90,
        "PasswordReusePrevention": 2,
    }
    short = error_of(lambda: iam.create_login_profile(UserName="dave", Password="Abc1!"))
    assert short["Code"] == "PasswordPolicyViolation"
    no_symbol = error_of(lambda: iam.create_login_profile(UserName="dave", Password="abcdefghijk1"))
    assert no_symbol["Code"] == "PasswordPolicyViolation"
    made = iam.create_login_profile(
        UserName="dave", Password="first-password-1", PasswordResetRequired=True
    )["LoginProfile"]
    assert made["UserName"] == "dave" and made["PasswordResetRequired"] is True
    assert iam.get_login_profile(UserName="dave")["LoginProfile"]["PasswordResetRequired"] is True
    exists = error_of(lambda: iam.create_login_profile(UserName="dave", Password="other-pass-1!"))
    assert exists["Code"] == "EntityAlreadyExists"

    iam.update_login_profile(UserName="dave", Password="second-password-2")
    reused = error_of(
        lambda: iam.update_login_profile(UserName="dave", Password="first-password-1")
    )
    assert reused["Code"] == "PasswordPolicyViolation"
    iam.update_login_profile(UserName="dave", PasswordResetRequired=False)
    assert iam.get_login_profile(UserName="dave")["LoginProfile"]["PasswordResetRequired"] is False

    # Only IAM users change their own password: the root user gets InvalidUserType.
    root = error_of(lambda: iam.change_password(OldPassword="x", NewPassword="y"))
    assert root["Code"] == "InvalidUserType"

    iam.delete_login_profile(UserName="dave")
    gone = error_of(lambda: iam.get_login_profile(UserName="dave"))
    assert gone["Code"] == "NoSuchEntity"
    assert gone["Message"] == "Login Profile for User dave cannot be found."
    iam.delete_account_password_policy()
    assert error_of(lambda: iam.delete_account_password_policy())["Code"] == "NoSuchEntity"
    # The server checks the ranges itself (boto3 would refuse before sending).
    unchecked = boto3.session.Session(
        aws_access_key_id=ROOT_KEY, aws_secret_access_key=ROOT_SECRET, region_name="us-east-1"
    ).client("iam", endpoint_url=server.endpoint, config=Config(parameter_validation=False))
    out_of_range = error_of(
        lambda: unchecked.update_account_password_policy(MinimumPasswordLength=5)
    )
    assert out_of_range["Code"] == "ValidationError"


def test_credential_report(server: LiveServer) -> None:
    iam = server.client()
    missing = error_of(lambda: iam.get_credential_report())
    assert missing["Code"] == "ReportNotPresent"
    iam.create_user(UserName="alice")
    iam.create_login_profile(UserName="alice", Password="Alice-password-1")
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    iam.update_access_key(UserName="alice", AccessKeyId=key["AccessKeyId"], Status="Inactive")
    iam.create_user(UserName="zed")

    assert iam.generate_credential_report()["State"] == "STARTED"
    assert iam.generate_credential_report()["State"] == "COMPLETE"
    report = iam.get_credential_report()
    assert report["ReportFormat"] == "text/csv"
    rows = list(csv.DictReader(io.StringIO(report["Content"].decode("utf-8"))))
    header = report["Content"].decode("utf-8").splitlines()[0].split(",")
    assert header[:8] == [
        "user", "arn", "user_creation_time", "password_enabled", "password_last_used",
        "password_last_changed", "password_next_rotation", "mfa_active",
    ]  # fmt: skip
    assert header[-4:] == [
        "cert_1_active",
        "cert_1_last_rotated",
        "cert_2_active",
        "cert_2_last_rotated",
    ]
    assert len(header) == 22
    assert [r["user"] for r in rows] == ["<root_account>", "alice", "zed"]
    root, alice, zed = rows
    assert root["arn"] == f"arn:aws:iam::{ACCOUNT}:root"
    assert root["password_enabled"] == "not_supported"
    assert root["access_key_1_active"] == "true"  # the server's root key
    assert alice["password_enabled"] == "true"
    assert alice["password_last_used"] == "no_information"
    assert alice["password_next_rotation"] == "N/A"
    assert alice["access_key_1_active"] == "false"
    assert alice["access_key_1_last_rotated"] == key["CreateDate"].isoformat()
    assert alice["access_key_2_active"] == "false"
    assert alice["access_key_2_last_rotated"] == "N/A"
    assert zed["password_enabled"] == "false"
    assert zed["password_last_used"] == "N/A"
    assert zed["mfa_active"] == "false"

    cli = server.cli("iam", "get-credential-report")
    assert cli.code == 0, cli.stderr
    assert base64.b64decode(cli.json()["Content"]) == report["Content"]


def test_account_alias_and_summary(server: LiveServer) -> None:
    iam = server.client()
    assert iam.list_account_aliases()["AccountAliases"] == []
    iam.create_account_alias(AccountAlias="example-corp")
    assert iam.list_account_aliases()["AccountAliases"] == ["example-corp"]
    iam.create_account_alias(AccountAlias="example-corp-2")
    assert iam.list_account_aliases()["AccountAliases"] == ["example-corp-2"]
    bad = error_of(lambda: iam.create_account_alias(AccountAlias="Not--Valid"))
    assert bad["Code"] == "ValidationError"
    assert error_of(lambda: iam.delete_account_alias(AccountAlias="other"))["Code"] == (
        "NoSuchEntity"
    )
    made = iam.create_virtual_mfa_device(VirtualMFADeviceName="spare")["VirtualMFADevice"]
    assert made["QRCodePNG"].startswith(PNG_SIGNATURE)
    iam.delete_account_alias(AccountAlias="example-corp-2")

    iam.create_user(UserName="u1")
    iam.create_user(UserName="u2")
    summary = iam.get_account_summary()["SummaryMap"]
    model = botocore.session.get_session().get_service_model("iam")
    assert set(summary) == set(model.shape_for("summaryKeyType").enum)
    assert summary["Users"] == 2
    assert summary["MFADevices"] == 1 and summary["MFADevicesInUse"] == 0
    assert summary["AccountAccessKeysPresent"] == 1
    assert summary["AccountMFAEnabled"] == 0
    assert summary["UsersQuota"] == 5000 and summary["AccessKeysPerUserQuota"] == 2

    cli = server.cli("iam", "get-account-summary")
    assert cli.code == 0, cli.stderr
    assert cli.json()["SummaryMap"] == summary
