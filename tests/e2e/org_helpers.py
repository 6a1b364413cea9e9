"""Helpers shared by the Organizations e2e tests: clients for one set of credentials, an
organization with member accounts and OUs, and the way into a member account, which has no
root keys: AssumeRole of `OrganizationAccountAccessRole` from a management-account IAM user
(https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_accounts_access-cross-account-role.html)."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3
import botocore.exceptions
import pytest

from live_server import ROOT_KEY, ROOT_SECRET, LiveServer

ACCESS_ROLE = "OrganizationAccountAccessRole"
SCP = "SERVICE_CONTROL_POLICY"
RCP = "RESOURCE_CONTROL_POLICY"
FULL_AWS_ACCESS = "p-FullAWSAccess"
RCP_FULL_AWS_ACCESS = "p-RCPFullAWSAccess"


def error_of(call: Callable[[], object]) -> dict[str, Any]:
    """The error `call` was answered with: Code, Message, the modeled `Reason` (None when the
    error has none) and the HTTP status under `Status`."""
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call()
    response = info.value.response
    return {
        **response["Error"],
        "Reason": response.get("Reason"),
        "Status": response["ResponseMetadata"]["HTTPStatusCode"],
    }


def denied(call: Callable[[], object]) -> str:
    """The message of the AccessDenied error (IAM's and STS's code) `call` met."""
    err = error_of(call)
    assert err["Code"] == "AccessDenied", err
    return str(err["Message"])


def document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(*actions: str, resource: str = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": list(actions), "Resource": resource, **extra}


def deny(*actions: str, resource: str = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": list(actions), "Resource": resource, **extra}


def trust(principal: object, **extra: Any) -> str:
    """A trust policy letting `principal` (a `Principal` value) call sts:AssumeRole."""
    return document(
        {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole", **extra}
    )


@functools.cache
def _boto() -> boto3.session.Session:
    """One boto3 session for every client: its loader reads each service model once, which
    makes a client three times cheaper to build than from a session of its own."""
    return boto3.session.Session(region_name="us-east-1")


class Caller:
    """IAM, STS and Organizations clients for one set of credentials (long-term or temporary),
    each built on first use."""

    def __init__(self, server: LiveServer, creds: dict[str, Any]) -> None:
        self.server = server
        self.creds = creds

    def _client(self, service: str) -> Any:
        return _boto().client(
            service,
            endpoint_url=self.server.endpoint,
            aws_access_key_id=self.creds["AccessKeyId"],
            aws_secret_access_key=self.creds["SecretAccessKey"],
            aws_session_token=self.creds.get("SessionToken"),
        )

    @functools.cached_property
    def iam(self) -> Any:
        return self._client("iam")

    @functools.cached_property
    def sts(self) -> Any:
        return self._client("sts")

    @functools.cached_property
    def org(self) -> Any:
        return self._client("organizations")

    @property
    def account(self) -> str:
        return str(self.sts.get_caller_identity()["Account"])

    def assume(self, role_arn: str, name: str = "session") -> Caller:
        made = self.sts.assume_role(RoleArn=role_arn, RoleSessionName=name)
        return Caller(self.server, made["Credentials"])

    def new_user(self, name: str, *statements: dict[str, Any]) -> Caller:
        """A user of this caller's account with inline policy `statements`, and its keys."""
        self.iam.create_user(UserName=name)
        if statements:
            self.iam.put_user_policy(
                UserName=name, PolicyName="inline", PolicyDocument=document(*statements)
            )
        return Caller(self.server, self.iam.create_access_key(UserName=name)["AccessKey"])


def root_caller(server: LiveServer) -> Caller:
    """The default account's root user (the management account once it creates the org)."""
    return Caller(server, {"AccessKeyId": ROOT_KEY, "SecretAccessKey": ROOT_SECRET})


def role_arn(account: str, name: str = ACCESS_ROLE) -> str:
    return f"arn:aws:iam::{account}:role/{name}"


@dataclass
class Org:
    """An organization with all features, made by the default account, whose root user drives
    it (`client`) and whose IAM user `admin` (AdministratorAccess) reaches member accounts."""

    server: LiveServer
    client: Any
    id: str
    root_id: str
    admin: Caller

    @property
    def management(self) -> str:
        return self.server.account_id

    def account(self, name: str) -> str:
        """A new member account (in the root); its id."""
        asked = self.client.create_account(Email=f"{name}@example.com", AccountName=name)
        status = self.client.describe_create_account_status(
            CreateAccountRequestId=asked["CreateAccountStatus"]["Id"]
        )["CreateAccountStatus"]
        assert status["State"] == "SUCCEEDED", status
        return str(status["AccountId"])

    def ou(self, name: str, parent: str | None = None) -> str:
        made = self.client.create_organizational_unit(ParentId=parent or self.root_id, Name=name)
        return str(made["OrganizationalUnit"]["Id"])

    def move(self, account: str, source: str, destination: str) -> None:
        self.client.move_account(
            AccountId=account, SourceParentId=source, DestinationParentId=destination
        )

    def policy(self, name: str, *statements: dict[str, Any], kind: str = SCP) -> str:
        made = self.client.create_policy(
            Name=name, Description=name, Type=kind, Content=document(*statements)
        )
        return str(made["Policy"]["PolicySummary"]["Id"])

    def attach(self, policy_id: str, target: str) -> None:
        self.client.attach_policy(PolicyId=policy_id, TargetId=target)

    def detach(self, policy_id: str, target: str) -> None:
        self.client.detach_policy(PolicyId=policy_id, TargetId=target)

    def member(self, account: str) -> Caller:
        """A session of OrganizationAccountAccessRole in `account` (its administrator)."""
        return self.admin.assume(role_arn(account), name=f"admin-{account}")


def create_org(server: LiveServer) -> Org:
    client = root_caller(server).org
    made = client.create_organization(FeatureSet="ALL")["Organization"]
    root_id = client.list_roots()["Roots"][0]["Id"]
    admin = root_caller(server).new_user("org-admin", allow("*"))
    return Org(server, client, made["Id"], root_id, admin)
