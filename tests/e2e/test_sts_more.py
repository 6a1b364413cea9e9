"""STS's newer operations through boto3 and the AWS CLI against a live server:
GetWebIdentityToken (verified with the keys the server derives from its `secret.key`),
AssumeRoot outside an organization, GetDelegatedAccessToken and GetScopedCredentials."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import boto3
import botocore.exceptions
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from live_server import LiveServer
from localiam.services.sts._jwt import SigningKeys
from localiam.store import Secrets

TASK = {"arn": "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"}


def error_of(call: Callable[[], object]) -> dict[str, Any]:
    """The error `call` was answered with, its HTTP status under `Status`."""
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call()
    response = info.value.response
    return {**response["Error"], "Status": response["ResponseMetadata"]["HTTPStatusCode"]}


def policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(*actions: str, resource: str = "*") -> dict[str, Any]:
    return {"Effect": "Allow", "Action": list(actions), "Resource": resource}


class Caller:
    """STS and IAM clients for one set of credentials (long-term or temporary)."""

    def __init__(self, server: LiveServer, creds: dict[str, Any]) -> None:
        session = boto3.session.Session(
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds.get("SessionToken"),
            region_name="us-east-1",
        )
        self.sts = session.client("sts", endpoint_url=server.endpoint)
        self.iam = session.client("iam", endpoint_url=server.endpoint)


def user(server: LiveServer, name: str, *statements: dict[str, Any]) -> Caller:
    iam = server.client()
    iam.create_user(UserName=name)
    if statements:
        iam.put_user_policy(UserName=name, PolicyName="inline", PolicyDocument=policy(*statements))
    return Caller(server, iam.create_access_key(UserName=name)["AccessKey"])


def role_session(server: LiveServer, *statements: dict[str, Any]) -> tuple[Caller, Caller]:
    """A session of role `worker` (whose inline policy is `statements`) and the user that
    assumed it."""
    iam = server.client()
    trust = {"Effect": "Allow", "Principal": {"AWS": server.account_id}, "Action": "sts:AssumeRole"}
    arn = iam.create_role(RoleName="worker", AssumeRolePolicyDocument=policy(trust))["Role"]["Arn"]
    iam.put_role_policy(RoleName="worker", PolicyName="inline", PolicyDocument=policy(*statements))
    caller = user(server, "caller", allow("sts:AssumeRole", resource=arn))
    made = caller.sts.assume_role(RoleArn=arn, RoleSessionName="session")
    return Caller(server, made["Credentials"]), caller


def segment(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def es384_claims(server: LiveServer, token: str) -> dict[str, Any]:
    """The claims of an ES384 token, after checking its signature with the server's key."""
    keys = SigningKeys.of(Secrets.load_or_create(server.data_dir / "secret.key"))
    head, body, signature = token.split(".")
    assert json.loads(segment(head))["alg"] == "ES384"
    raw = segment(signature)
    der = encode_dss_signature(int.from_bytes(raw[:48]), int.from_bytes(raw[48:]))
    public = keys.public_key("ES384")
    assert isinstance(public, ec.EllipticCurvePublicKey)
    public.verify(der, f"{head}.{body}".encode(), ec.ECDSA(hashes.SHA384()))
    claims: dict[str, Any] = json.loads(segment(body))
    return claims


def test_web_identity_token_needs_outbound_federation(server: LiveServer) -> None:
    alice = user(server, "alice", allow("sts:GetWebIdentityToken"))
    params = {"Audience": ["https://api.example.com"], "SigningAlgorithm": "ES384"}
    refused = error_of(lambda: alice.sts.get_web_identity_token(**params))
    assert (refused["Code"], refused["Status"]) == (
        "OutboundWebIdentityFederationDisabledException",
        403,
    )
    issuer = server.client().enable_outbound_web_identity_federation()["IssuerIdentifier"]
    made = alice.sts.get_web_identity_token(**params, DurationSeconds=600)
    claims = es384_claims(server, made["WebIdentityToken"])
    assert claims["iss"] == issuer
    assert claims["aud"] == "https://api.example.com"
    assert claims["sub"] == f"arn:aws:iam::{server.account_id}:user/alice"
    assert claims["exp"] - claims["iat"] == 600
    assert claims["https://sts.amazonaws.com/"]["aws_account"] == server.account_id


def test_web_identity_token_through_the_cli(server: LiveServer) -> None:
    server.client().enable_outbound_web_identity_federation()
    run = server.cli(
        "sts", "get-web-identity-token", "--audience", "cli.example.com",
        "--signing-algorithm", "ES384",
    )  # fmt: skip
    assert run.code == 0, run.stderr
    claims = es384_claims(server, run.json()["WebIdentityToken"])
    assert claims["aud"] == "cli.example.com"
    assert claims["sub"] == f"arn:aws:iam::{server.account_id}:root"


def test_web_identity_token_is_denied_without_permission(server: LiveServer) -> None:
    server.client().enable_outbound_web_identity_federation()
    bare = user(server, "bare")
    refused = error_of(
        lambda: bare.sts.get_web_identity_token(Audience=["a"], SigningAlgorithm="RS256")
    )
    assert (refused["Code"], refused["Status"]) == ("AccessDenied", 403)


def test_assume_root_outside_an_organization(server: LiveServer) -> None:
    admin = user(server, "admin", allow("sts:AssumeRoot"))
    refused = error_of(
        lambda: admin.sts.assume_root(TargetPrincipal="222222222222", TaskPolicyArn=TASK)
    )
    assert (refused["Code"], refused["Status"]) == ("AccessDenied", 403)
    assert "not the management account" in refused["Message"]
    run = server.cli(
        "sts", "assume-root", "--target-principal", "222222222222",
        "--task-policy-arn", f"arn={TASK['arn']}",
    )  # fmt: skip
    assert run.code != 0 and "AccessDenied" in run.stderr


def test_delegated_access_token_is_refused(server: LiveServer) -> None:
    caller = user(server, "caller", allow("sts:GetDelegatedAccessToken"))
    refused = error_of(lambda: caller.sts.get_delegated_access_token(TradeInToken="token"))
    assert (refused["Code"], refused["Status"]) == ("ExpiredTradeInTokenException", 400)


def test_scoped_credentials_narrow_a_role_session(server: LiveServer) -> None:
    session, caller = role_session(server, allow("iam:ListUsers", "iam:ListRoles"))
    session.iam.list_roles()
    answer = session.sts.get_scoped_credentials(Policy=policy(allow("iam:ListUsers")))
    assert answer["ScopedPoliciesCount"] == 1
    assert answer["SessionInfo"]["Arn"].endswith(":assumed-role/worker/session")
    scoped = Caller(server, answer["Credentials"])
    scoped.iam.list_users()
    assert error_of(scoped.iam.list_roles)["Code"] == "AccessDenied"
    refused = error_of(lambda: caller.sts.get_scoped_credentials(DurationSeconds=60))
    assert refused["Code"] == "InvalidSubjectCredentials"
