"""Centralized root access end to end through boto3 and the AWS CLI against a live server: the
management account makes an organization that trusts IAM, enables root sessions, and an IAM user
of it calls sts:AssumeRoot on a member account; the root session does what its task policy
leaves, and nothing else
(https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user-privileged-task.html)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3
import botocore.exceptions
import pytest

from live_server import LiveServer

AUDIT = "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"
TASK = {"arn": AUDIT}


def error_of(call: Callable[[], object]) -> dict[str, Any]:
    """The error `call` was answered with, its HTTP status under `Status`."""
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call()
    response = info.value.response
    return {**response["Error"], "Status": response["ResponseMetadata"]["HTTPStatusCode"]}


def policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


class Caller:
    """IAM, STS and Organizations clients for one set of credentials."""

    def __init__(self, server: LiveServer, creds: dict[str, Any]) -> None:
        session = boto3.session.Session(
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds.get("SessionToken"),
            region_name="us-east-1",
        )
        self.creds = creds
        self.iam = session.client("iam", endpoint_url=server.endpoint)
        self.sts = session.client("sts", endpoint_url=server.endpoint)
        self.org = session.client("organizations", endpoint_url=server.endpoint)


@dataclass(frozen=True)
class Org:
    server: LiveServer
    management: str
    member: str
    operator: Caller

    def assume_root(self, target: str, task: dict[str, str] = TASK) -> dict[str, Any]:
        made: dict[str, Any] = self.operator.sts.assume_root(
            TargetPrincipal=target, TaskPolicyArn=task
        )
        return made


def admin_user(server: LiveServer, name: str) -> Caller:
    iam = server.client()
    iam.create_user(UserName=name)
    iam.put_user_policy(
        UserName=name,
        PolicyName="admin",
        PolicyDocument=policy({"Effect": "Allow", "Action": "*", "Resource": "*"}),
    )
    return Caller(server, iam.create_access_key(UserName=name)["AccessKey"])


def new_member(server: LiveServer, name: str) -> str:
    org = server.client("organizations")
    request = org.create_account(AccountName=name, Email=f"{name}@example.com")
    status = org.describe_create_account_status(
        CreateAccountRequestId=request["CreateAccountStatus"]["Id"]
    )["CreateAccountStatus"]
    assert status["State"] == "SUCCEEDED"
    return str(status["AccountId"])


def organization(server: LiveServer, *, root_sessions: bool = True) -> Org:
    """An organization of the root key's account trusting IAM, one member, and an IAM admin of
    the management account (root credentials may not call AssumeRoot)."""
    org = server.client("organizations")
    org.create_organization(FeatureSet="ALL")
    org.enable_aws_service_access(ServicePrincipal="iam.amazonaws.com")
    member = new_member(server, "workload")
    operator = admin_user(server, "operator")
    iam = server.client()
    iam.enable_organizations_root_credentials_management()
    if root_sessions:
        iam.enable_organizations_root_sessions()
    return Org(server, server.account_id, member, operator)


def test_a_root_session_of_a_member_does_its_task_only(server: LiveServer) -> None:
    org = organization(server)
    features = server.client().list_organizations_features()
    assert features["OrganizationId"].startswith("o-")
    assert features["EnabledFeatures"] == ["RootCredentialsManagement", "RootSessions"]
    made = org.assume_root(org.member)
    assert set(made) - {"ResponseMetadata"} == {"Credentials"}
    root = Caller(org.server, made["Credentials"])
    identity = root.sts.get_caller_identity()
    assert (identity["Arn"], identity["Account"], identity["UserId"]) == (
        f"arn:aws:iam::{org.member}:root",
        org.member,
        org.member,
    )
    assert "Users" in root.iam.get_account_summary()["SummaryMap"]
    assert root.iam.list_mfa_devices()["MFADevices"] == []
    assert root.iam.list_access_keys()["AccessKeyMetadata"] == []
    denied = error_of(lambda: root.iam.create_user(UserName="intruder"))
    assert (denied["Code"], denied["Status"]) == ("AccessDenied", 403)
    assert "with an explicit deny in a session policy" in denied["Message"]
    # The audit task reads the root user, not the IAM users of the account.
    assert root.iam.get_user()["User"]["Arn"] == f"arn:aws:iam::{org.member}:root"
    other = error_of(lambda: root.iam.get_user(UserName="someone"))
    assert other["Code"] == "AccessDenied"


def test_assume_root_through_the_cli(server: LiveServer) -> None:
    org = organization(server)
    run = server.cli(
        "sts", "assume-root", "--target-principal", f"arn:aws:iam::{org.member}:root",
        "--task-policy-arn", f"arn={AUDIT}", "--duration-seconds", "600",
        key=org.operator.creds["AccessKeyId"], secret=org.operator.creds["SecretAccessKey"],
    )  # fmt: skip
    assert run.code == 0, run.stderr
    credentials = run.json()["Credentials"]
    who = server.cli(
        "sts", "get-caller-identity",
        key=credentials["AccessKeyId"], secret=credentials["SecretAccessKey"],
        token=credentials["SessionToken"],
    )  # fmt: skip
    assert who.json()["Arn"] == f"arn:aws:iam::{org.member}:root"


def test_assume_root_needs_root_sessions(server: LiveServer) -> None:
    org = organization(server, root_sessions=False)
    refused = error_of(lambda: org.assume_root(org.member))
    assert (refused["Code"], refused["Status"]) == ("AccessDenied", 403)
    assert "root sessions are not enabled" in refused["Message"]
    server.client().enable_organizations_root_sessions()
    assert "Credentials" in org.assume_root(org.member)
    server.client().disable_organizations_root_sessions()
    again = error_of(lambda: org.assume_root(org.member))
    assert again["Code"] == "AccessDenied"


def test_assume_root_targets_a_member_of_the_organization(server: LiveServer) -> None:
    org = organization(server)
    management = error_of(lambda: org.assume_root(org.management))
    assert (management["Code"], management["Status"]) == ("AccessDenied", 403)
    assert "is the management account" in management["Message"]
    outside = error_of(lambda: org.assume_root("222222222222"))
    assert (outside["Code"], outside["Status"]) == ("AccessDenied", 403)
    assert "is not a member account of organization" in outside["Message"]


def test_assume_root_takes_a_root_task_policy_only(server: LiveServer) -> None:
    org = organization(server)
    admin = {"arn": "arn:aws:iam::aws:policy/AdministratorAccess"}
    refused = error_of(lambda: org.assume_root(org.member, admin))
    assert (refused["Code"], refused["Status"]) == ("ValidationError", 400)
    assert admin["arn"] in refused["Message"]
    too_long = error_of(
        lambda: org.operator.sts.assume_root(
            TargetPrincipal=org.member, TaskPolicyArn=TASK, DurationSeconds=901
        )
    )
    assert (too_long["Code"], too_long["Status"]) == ("ValidationError", 400)


def test_assume_root_is_refused_to_root_and_to_member_accounts(server: LiveServer) -> None:
    org = organization(server)
    rooted = error_of(
        lambda: server.client("sts").assume_root(TargetPrincipal=org.member, TaskPolicyArn=TASK)
    )
    assert (rooted["Code"], rooted["Status"]) == ("AccessDenied", 403)
    # Into the member account through the role CreateAccount made there, then at a sibling.
    sibling = new_member(server, "sibling")
    role = f"arn:aws:iam::{org.member}:role/OrganizationAccountAccessRole"
    inside = org.operator.sts.assume_role(RoleArn=role, RoleSessionName="ops")["Credentials"]
    member = Caller(server, inside)
    refused = error_of(lambda: member.sts.assume_root(TargetPrincipal=sibling, TaskPolicyArn=TASK))
    assert (refused["Code"], refused["Status"]) == ("AccessDenied", 403)
    assert f"account {org.member} is not the management account" in refused["Message"]
    features = error_of(lambda: member.iam.list_organizations_features())
    assert features["Code"] == "AccountNotManagementOrDelegatedAdministratorException"
    enable = error_of(lambda: member.iam.enable_organizations_root_sessions())
    assert enable["Code"] == "CallerIsNotManagementAccountException"
