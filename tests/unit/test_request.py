"""localiam.authz._request: requests, derived context keys, the resource account."""

from __future__ import annotations

import pytest

from localiam.authz import Request, resource_account_of

ACCT = "111122223333"
OTHER = "444455556666"


@pytest.mark.parametrize(
    ("resource", "account"),
    [
        (f"arn:aws:dynamodb:us-east-1:{OTHER}:table/t", OTHER),
        ("arn:aws:s3:::bucket/key", None),
        ("*", None),
        ("bucket", None),
        ("arn:aws:iam::", None),
        (f"arn:aws:logs:us-east-1:{OTHER}:log-group:a:b", OTHER),
    ],
)
def test_resource_account_of(resource: str, account: str | None) -> None:
    assert resource_account_of(resource) == account


def test_resource_account_defaults() -> None:
    user = f"arn:aws:iam::{ACCT}:user/alice"
    arn = f"arn:aws:sqs:us-east-1:{OTHER}:q"
    assert Request.build(user, "sqs:SendMessage", arn).resource_account == OTHER
    assert Request.build(user, "s3:GetObject", "arn:aws:s3:::b/k").resource_account == ACCT
    assert Request.build(user, "s3:ListBuckets").resource_account == ACCT
    explicit = Request.build(user, "s3:GetObject", "arn:aws:s3:::b/k", resource_account=OTHER)
    assert explicit.resource_account == OTHER
    assert explicit.context["aws:resourceaccount"] == OTHER


def test_action_is_split_and_lowered() -> None:
    r = Request.build(f"arn:aws:iam::{ACCT}:user/alice", "S3:GetObject")
    assert (r.action, r.action_lower, r.service, r.resource) == (
        "S3:GetObject",
        "s3:getobject",
        "s3",
        "*",
    )
    assert r.principal == f"arn:aws:iam::{ACCT}:user/alice"


@pytest.mark.parametrize("action", ["GetObject", ":GetObject", "s3:", ""])
def test_bad_actions(action: str) -> None:
    with pytest.raises(ValueError, match="action `"):
        Request.build(f"arn:aws:iam::{ACCT}:user/alice", action)


def test_bad_principal() -> None:
    with pytest.raises(ValueError, match="principal `bob`"):
        Request.build("bob", "s3:GetObject")


def test_user_derived_keys() -> None:
    c = Request.build(f"arn:aws:iam::{ACCT}:user/dev/alice", "s3:GetObject").context
    assert c["aws:principalarn"] == f"arn:aws:iam::{ACCT}:user/dev/alice"
    assert c["aws:principalaccount"] == ACCT
    assert c["aws:principaltype"] == "User"
    assert c["aws:username"] == "alice"
    assert c["aws:principalisawsservice"] == "false"


def test_role_session_derived_keys() -> None:
    c = Request.build(f"arn:aws:sts::{ACCT}:assumed-role/R/s", "s3:GetObject").context
    assert c["aws:principalarn"] == f"arn:aws:iam::{ACCT}:role/R"
    assert c["aws:principaltype"] == "AssumedRole"
    assert "aws:username" not in c


def test_federated_and_root_user_ids() -> None:
    fed = Request.build(f"arn:aws:sts::{ACCT}:federated-user/bob", "s3:GetObject").context
    assert (fed["aws:principaltype"], fed["aws:userid"]) == ("FederatedUser", f"{ACCT}:bob")
    root = Request.build(f"arn:aws:iam::{ACCT}:root", "s3:GetObject").context
    assert (root["aws:principaltype"], root["aws:userid"]) == ("Account", ACCT)


def test_service_and_anonymous_keys() -> None:
    svc = Request.build("logs.amazonaws.com", "s3:PutObject", "arn:aws:s3:::b/k").context
    assert svc["aws:principalisawsservice"] == "true"
    assert svc["aws:principalservicename"] == "logs.amazonaws.com"
    assert "aws:principalarn" not in svc
    anon = Request.build("anonymous", "s3:GetObject", "arn:aws:s3:::b/k").context
    assert anon["aws:principaltype"] == "Anonymous"
    assert "aws:principalaccount" not in anon


def test_given_context_wins_and_is_normalized() -> None:
    r = Request.build(
        f"arn:aws:iam::{ACCT}:user/alice",
        "s3:GetObject",
        context={"aws:username": "mallory", "aws:TagKeys": ["a", "b"], "aws:SecureTransport": True},
    )
    assert r.context["aws:username"] == "mallory"
    assert r.context["aws:tagkeys"] == ("a", "b")
    assert r.context["aws:securetransport"] == "true"


def test_identity_provider_keys() -> None:
    c = Request.build("accounts.google.com", "sts:AssumeRoleWithWebIdentity").context
    assert c["aws:federatedprovider"] == "accounts.google.com"
    assert "aws:principaltype" not in c and "aws:principalarn" not in c
