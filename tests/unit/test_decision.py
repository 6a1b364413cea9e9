"""localiam.authz._decision: AWS's access denied sentences and the JSON form of a decision."""

from __future__ import annotations

import pytest

from localiam.authz import Decision, DecisionKind, MatchedStatement, PolicyType

P = "arn:aws:iam::111122223333:user/alice"
R = "arn:aws:s3:::bucket/key"


def decision(
    kind: DecisionKind,
    blocked: PolicyType | None = None,
    resource: str = R,
    denying: str | None = None,
    matched: tuple[MatchedStatement, ...] = (),
) -> Decision:
    return Decision(kind, P, "s3:GetObject", resource, matched, blocked, ("aws:SourceIp",), denying)


def test_allowed_message() -> None:
    d = decision(DecisionKind.ALLOWED)
    assert d.allowed
    assert d.message == f"User: {P} is allowed to perform: s3:GetObject on resource: {R}"


def test_star_resource_is_left_out() -> None:
    assert decision(DecisionKind.ALLOWED, resource="*").message == (
        f"User: {P} is allowed to perform: s3:GetObject"
    )
    implicit = decision(DecisionKind.IMPLICIT_DENY, PolicyType.IDENTITY, resource="*")
    assert implicit.message == (
        f"User: {P} is not authorized to perform: s3:GetObject because no identity-based "
        "policy allows the s3:GetObject action"
    )


@pytest.mark.parametrize(
    ("blocked", "phrase"),
    [
        (PolicyType.IDENTITY, "identity-based policy"),
        (PolicyType.RESOURCE, "resource-based policy"),
        (PolicyType.BOUNDARY, "permissions boundary"),
        (PolicyType.SESSION, "session policy"),
        (PolicyType.SCP, "service control policy"),
        (PolicyType.RCP, "resource control policy"),
    ],
)
def test_implicit_deny_messages(blocked: PolicyType, phrase: str) -> None:
    d = decision(DecisionKind.IMPLICIT_DENY, blocked)
    assert not d.allowed
    assert d.message == (
        f"User: {P} is not authorized to perform: s3:GetObject on resource: {R} "
        f"because no {phrase} allows the s3:GetObject action"
    )


@pytest.mark.parametrize(
    ("blocked", "words"),
    [
        (PolicyType.IDENTITY, "an identity-based policy"),
        (PolicyType.RESOURCE, "a resource-based policy"),
        (PolicyType.SCP, "a service control policy"),
    ],
)
def test_explicit_deny_messages(blocked: PolicyType, words: str) -> None:
    d = decision(DecisionKind.EXPLICIT_DENY, blocked, denying="identityPolicies[0]")
    assert d.message == (
        f"User: {P} is not authorized to perform: s3:GetObject on resource: {R} "
        f"with an explicit deny in {words}"
    )


def test_explicit_deny_names_an_arn_policy() -> None:
    arn = "arn:aws:organizations::111122223333:policy/o-1/service_control_policy/p-1"
    d = decision(DecisionKind.EXPLICIT_DENY, PolicyType.SCP, denying=arn)
    assert d.message.endswith(f"with an explicit deny in a service control policy: {arn}")


def test_to_json() -> None:
    m = MatchedStatement("identityPolicies[0]", PolicyType.IDENTITY, None, 2, "Allow")
    d = decision(DecisionKind.IMPLICIT_DENY, PolicyType.BOUNDARY, matched=(m,))
    assert d.to_json() == {
        "decision": "implicitDeny",
        "matchedStatements": [
            {
                "policy": "identityPolicies[0]",
                "type": "identity",
                "sid": None,
                "index": 2,
                "effect": "Allow",
            }
        ],
        "blockedBy": "boundary",
        "missingContextKeys": ["aws:SourceIp"],
        "message": d.message,
    }
    assert decision(DecisionKind.ALLOWED).to_json()["blockedBy"] is None
