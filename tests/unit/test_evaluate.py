"""localiam.authz._evaluate and _scan: the decision flow of docs/evaluation.md.

Every decision here is computed twice, with and without a trace, and the two must agree.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from localiam.authz import (
    AuthorizationPolicies,
    Decision,
    DecisionKind,
    PolicyType,
    Request,
    Trace,
    evaluate,
)
from localiam.policy import PolicyKind, parse_policy

V = "2012-10-17"
ACCT = "111122223333"
OTHER = "444455556666"
USER = f"arn:aws:iam::{ACCT}:user/alice"
ROLE = f"arn:aws:iam::{ACCT}:role/R"
SESSION = f"arn:aws:sts::{ACCT}:assumed-role/R/s"
FED = f"arn:aws:sts::{ACCT}:federated-user/alice"
ROOT = f"arn:aws:iam::{ACCT}:root"
SLR = f"arn:aws:sts::{ACCT}:assumed-role/AWSServiceRoleForSupport/s"
OBJ = "arn:aws:s3:::bucket/key"
QUEUE_HERE = f"arn:aws:sqs:us-east-1:{ACCT}:q"
QUEUE_THERE = f"arn:aws:sqs:us-east-1:{OTHER}:q"

Json = dict[str, Any]


def st_(effect: str = "Allow", action: Any = "*", resource: Any = "*", **extra: Any) -> Json:
    out: Json = {"Effect": effect, "Action": action, **extra}
    if resource is not None:
        out["Resource"] = resource
    return out


def doc(*statements: Json) -> Json:
    return {"Version": V, "Statement": list(statements)}


ALLOW_ALL = doc(st_())
RP_KIND = PolicyKind.RESOURCE


def build(
    *,
    identity: list[Json] | None = None,
    boundary: Json | None = None,
    session: Json | None = None,
    resource_policy: Json | None = None,
    scps: list[list[Json]] | None = None,
    rcps: list[list[Json]] | None = None,
    management: str | None = None,
) -> AuthorizationPolicies:
    def one(d: Json | None, kind: PolicyKind, name: str) -> tuple[str, Any] | None:
        return None if d is None else (name, parse_policy(d, kind))

    return AuthorizationPolicies.build(
        identity=[
            (f"identityPolicies[{i}]", parse_policy(d, PolicyKind.IDENTITY))
            for i, d in enumerate(identity or [])
        ],
        boundary=one(boundary, PolicyKind.BOUNDARY, "permissionsBoundary"),
        session=one(session, PolicyKind.SESSION, "sessionPolicy"),
        resource=one(resource_policy, RP_KIND, "resourcePolicy"),
        scps=None
        if scps is None
        else [
            [(f"scps[{i}][{j}]", parse_policy(d, PolicyKind.SCP)) for j, d in enumerate(level)]
            for i, level in enumerate(scps)
        ],
        rcps=None
        if rcps is None
        else [
            [(f"rcps[{i}][{j}]", parse_policy(d, PolicyKind.RCP)) for j, d in enumerate(level)]
            for i, level in enumerate(rcps)
        ],
        management_account=management,
    )


def decide(
    principal: str,
    action: str = "s3:GetObject",
    resource: str = OBJ,
    *,
    context: Json | None = None,
    resource_account: str | None = None,
    rcp_services: frozenset[str] | None = None,
    **policies: Any,
) -> Decision:
    request = Request.build(
        principal, action, resource, resource_account=resource_account, context=context
    )
    built = build(**policies)
    fast = evaluate(request, built, rcp_services=rcp_services)
    trace = Trace()
    traced = evaluate(request, built, rcp_services=rcp_services, trace=trace)
    assert fast == traced
    return fast


def outcome(d: Decision) -> tuple[str, str | None]:
    return d.decision.value, None if d.blocked_by is None else d.blocked_by.value


# --- identity-based policies -------------------------------------------------------------------


def test_nothing_allows() -> None:
    d = decide(USER)
    assert outcome(d) == ("implicitDeny", "identity")
    assert d.matched_statements == ()
    assert d.message.endswith("because no identity-based policy allows the s3:GetObject action")


def test_identity_allow() -> None:
    d = decide(
        USER, identity=[doc(st_(action="s3:Get*", resource="arn:aws:s3:::bucket/*", Sid="Read"))]
    )
    assert outcome(d) == ("allowed", None)
    (m,) = d.matched_statements
    assert (m.policy, m.type, m.sid, m.index, m.effect) == (
        "identityPolicies[0]",
        PolicyType.IDENTITY,
        "Read",
        0,
        "Allow",
    )


def test_statements_that_do_not_match_are_not_listed() -> None:
    d = decide(
        USER,
        identity=[
            doc(
                st_(action="ec2:*"),
                st_(resource="arn:aws:s3:::other/*"),
                st_(action="s3:GetObject"),
            )
        ],
    )
    assert [m.index for m in d.matched_statements] == [2]


def test_explicit_deny_overrides_allow_and_lists_only_denies() -> None:
    d = decide(USER, identity=[ALLOW_ALL, doc(st_(), st_("Deny", "s3:GetObject", Sid="No"))])
    assert outcome(d) == ("explicitDeny", "identity")
    assert [(m.policy, m.index, m.effect) for m in d.matched_statements] == [
        ("identityPolicies[1]", 1, "Deny")
    ]
    assert d.message.endswith("with an explicit deny in an identity-based policy")


def test_explicit_deny_blocked_by_follows_the_flow_order() -> None:
    deny = doc(st_("Deny", "s3:*"))
    d = decide(
        USER,
        identity=[deny],
        boundary=deny,
        session=deny,
        scps=[[ALLOW_ALL, deny]],
        resource_policy=doc(st_("Deny", "s3:*", Principal="*")),
    )
    assert outcome(d) == ("explicitDeny", "scp")
    assert [m.type for m in d.matched_statements] == [
        PolicyType.SCP,
        PolicyType.RESOURCE,
        PolicyType.IDENTITY,
        PolicyType.BOUNDARY,
        PolicyType.SESSION,
    ]


def test_condition_decides_and_missing_keys_are_reported() -> None:
    policy = doc(
        st_(Condition={"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}),
        st_(Condition={"StringEquals": {"aws:PrincipalTag/Team": "red", "s3:prefix": "a"}}),
    )
    inside = decide(USER, identity=[policy], context={"aws:SourceIp": "203.0.113.9"})
    assert outcome(inside) == ("allowed", None)
    assert inside.missing_context_keys == ("aws:PrincipalTag/Team", "s3:prefix")
    outside = decide(USER, identity=[policy], context={"aws:SourceIp": "198.51.100.1"})
    assert outcome(outside) == ("implicitDeny", "identity")
    none = decide(USER, identity=[policy])
    assert none.missing_context_keys == ("aws:PrincipalTag/Team", "aws:SourceIp", "s3:prefix")


def test_missing_keys_only_from_statements_whose_action_and_resource_matched() -> None:
    policy = doc(st_(action="ec2:*", Condition={"Bool": {"aws:SecureTransport": "true"}}))
    assert decide(USER, identity=[policy]).missing_context_keys == ()


def test_boundary_and_session_limit_identity() -> None:
    narrow = doc(st_(action="ec2:*"))
    assert outcome(decide(USER, identity=[ALLOW_ALL], boundary=narrow)) == (
        "implicitDeny",
        "boundary",
    )
    assert outcome(decide(SESSION, identity=[ALLOW_ALL], session=narrow)) == (
        "implicitDeny",
        "session",
    )
    assert outcome(
        decide(SESSION, identity=[ALLOW_ALL], boundary=ALLOW_ALL, session=ALLOW_ALL)
    ) == (
        "allowed",
        None,
    )
    # identity is reported first when it too is missing
    assert outcome(decide(USER, boundary=narrow, session=narrow)) == ("implicitDeny", "identity")


def test_boundary_alone_allows_nothing() -> None:
    d = decide(USER, boundary=ALLOW_ALL)
    assert outcome(d) == ("implicitDeny", "identity")
    assert [m.type for m in d.matched_statements] == [PolicyType.BOUNDARY]


# --- SCPs and RCPs -----------------------------------------------------------------------------


def test_every_scp_level_must_allow() -> None:
    ok = decide(USER, identity=[ALLOW_ALL], scps=[[ALLOW_ALL], [ALLOW_ALL]])
    assert outcome(ok) == ("allowed", None)
    assert {m.type for m in ok.matched_statements} == {PolicyType.SCP, PolicyType.IDENTITY}
    narrow = decide(USER, identity=[ALLOW_ALL], scps=[[ALLOW_ALL], [doc(st_(action="ec2:*"))]])
    assert outcome(narrow) == ("implicitDeny", "scp")
    assert narrow.message.endswith(
        "because no service control policy allows the s3:GetObject action"
    )
    empty = decide(USER, identity=[ALLOW_ALL], scps=[[ALLOW_ALL], []])
    assert outcome(empty) == ("implicitDeny", "scp")


@pytest.mark.parametrize("principal", [USER, SESSION, FED, ROOT])
def test_scps_apply_to_iam_principals(principal: str) -> None:
    d = decide(principal, identity=[ALLOW_ALL], scps=[[doc(st_("Deny", "s3:*")), ALLOW_ALL]])
    assert outcome(d) == ("explicitDeny", "scp")


def test_scp_exemptions() -> None:
    deny = [[ALLOW_ALL, doc(st_("Deny", "s3:*"))]]
    assert outcome(decide(USER, identity=[ALLOW_ALL], scps=deny, management=ACCT)) == (
        "allowed",
        None,
    )
    assert outcome(decide(SLR, identity=[ALLOW_ALL], scps=deny)) == ("allowed", None)
    grant = doc(st_(action="s3:GetObject", Principal="*"))
    assert outcome(decide("anonymous", scps=deny, resource_policy=grant)) == ("allowed", None)


def test_scps_do_not_grant() -> None:
    assert outcome(decide(USER, scps=[[ALLOW_ALL]])) == ("implicitDeny", "identity")


def rcp_deny(action: str = "s3:*") -> Json:
    return doc(st_("Deny", action, Principal="*"))


def test_rcp_deny_and_implicit_full_access() -> None:
    d = decide(USER, identity=[ALLOW_ALL], rcps=[[rcp_deny()]])
    assert outcome(d) == ("explicitDeny", "rcp")
    assert d.message.endswith("with an explicit deny in a resource control policy")
    # RCPFullAWSAccess is implicit: empty levels and non-matching denies still allow
    assert outcome(decide(USER, identity=[ALLOW_ALL], rcps=[[], [rcp_deny("ec2:*")]])) == (
        "allowed",
        None,
    )


def test_rcp_exemptions() -> None:
    rcps = [[rcp_deny()]]
    assert outcome(decide(USER, identity=[ALLOW_ALL], rcps=rcps, management=ACCT)) == (
        "allowed",
        None,
    )
    assert outcome(decide(SLR, identity=[ALLOW_ALL], rcps=rcps)) == ("allowed", None)
    off = decide(USER, identity=[ALLOW_ALL], rcps=rcps, rcp_services=frozenset({"sqs"}))
    assert outcome(off) == ("allowed", None)
    on = decide(USER, identity=[ALLOW_ALL], rcps=rcps, rcp_services=frozenset({"s3"}))
    assert outcome(on) == ("explicitDeny", "rcp")


def test_rcps_follow_the_resource_account_not_the_principal() -> None:
    grant = doc(st_(action="sqs:*", resource=QUEUE_THERE, Principal={"AWS": ACCT}))
    d = decide(
        USER,
        "sqs:SendMessage",
        QUEUE_THERE,
        identity=[ALLOW_ALL],
        resource_policy=grant,
        rcps=[[rcp_deny("sqs:*")]],
        management=ACCT,  # the principal's account; the resource is in OTHER
    )
    assert outcome(d) == ("explicitDeny", "rcp")


# --- resource-based policies, same account ---------------------------------------------------


def grant(principal: Any, action: str = "s3:GetObject") -> Json:
    return doc(st_(action=action, resource=None, Principal=principal))


@pytest.mark.parametrize("principal", [USER, "*"])
def test_direct_grant_allows_without_identity_policy(principal: str) -> None:
    d = decide(USER, resource_policy=grant({"AWS": principal}), boundary=doc(st_(action="ec2:*")))
    assert outcome(d) == ("allowed", None)
    assert [m.type for m in d.matched_statements] == [PolicyType.RESOURCE]


def test_session_arn_grant_is_direct() -> None:
    d = decide(SESSION, resource_policy=grant({"AWS": SESSION}), session=doc(st_(action="ec2:*")))
    assert outcome(d) == ("allowed", None)


def test_role_grant_is_bounded_by_boundary_and_session() -> None:
    rp = grant({"AWS": ROLE})
    assert outcome(decide(SESSION, resource_policy=rp)) == ("allowed", None)
    narrow = doc(st_(action="ec2:*"))
    assert outcome(decide(SESSION, resource_policy=rp, boundary=narrow)) == (
        "implicitDeny",
        "boundary",
    )
    assert outcome(decide(SESSION, resource_policy=rp, session=narrow)) == (
        "implicitDeny",
        "session",
    )


def test_federated_user_parent_grant() -> None:
    rp = grant({"AWS": USER})  # the IAM user behind the federated session
    assert outcome(decide(FED, resource_policy=rp)) == ("allowed", None)
    narrow = doc(st_(action="ec2:*"))
    assert outcome(decide(FED, resource_policy=rp, session=narrow)) == ("implicitDeny", "session")


@pytest.mark.parametrize("principal", [ACCT, ROOT])
def test_account_grant_needs_identity_policy(principal: str) -> None:
    rp = grant({"AWS": principal})
    assert outcome(decide(USER, resource_policy=rp)) == ("implicitDeny", "identity")
    assert outcome(decide(USER, resource_policy=rp, identity=[ALLOW_ALL])) == ("allowed", None)


def test_root_is_allowed_in_its_account_unless_denied() -> None:
    assert outcome(decide(ROOT)) == ("allowed", None)
    # the root user has no identity-based policies: AWS cannot attach any to it
    assert outcome(decide(ROOT, identity=[doc(st_("Deny", "s3:*"))])) == ("allowed", None)
    rp = doc(st_("Deny", "s3:*", resource=None, Principal="*"))
    assert outcome(decide(ROOT, resource_policy=rp)) == ("explicitDeny", "resource")
    assert outcome(decide(ROOT, scps=[[ALLOW_ALL, doc(st_("Deny", "s3:*"))]])) == (
        "explicitDeny",
        "scp",
    )
    assert outcome(decide(ROOT, scps=[[doc(st_(action="ec2:*"))]])) == ("implicitDeny", "scp")


def test_not_principal_deny_exempts_listed_principals() -> None:
    rp = doc(
        st_(action="s3:*", resource=None, Principal="*"),
        st_("Deny", "s3:*", resource=None, NotPrincipal={"AWS": [USER, ACCT]}),
    )
    assert outcome(decide(USER, resource_policy=rp)) == ("allowed", None)
    bob = f"arn:aws:iam::{ACCT}:user/bob"
    assert outcome(decide(bob, resource_policy=rp)) == ("explicitDeny", "resource")


def test_not_principal_deny_applies_to_everyone_with_a_boundary() -> None:
    rp = doc(st_("Deny", "s3:*", resource=None, NotPrincipal={"AWS": [USER, ACCT]}))
    d = decide(USER, identity=[ALLOW_ALL], resource_policy=rp, boundary=ALLOW_ALL)
    assert outcome(d) == ("explicitDeny", "resource")


# --- cross-account, anonymous, services ------------------------------------------------------


def test_cross_account_needs_both_sides() -> None:
    rp = doc(st_(action="sqs:*", resource=QUEUE_THERE, Principal={"AWS": ACCT}))
    assert outcome(decide(USER, "sqs:SendMessage", QUEUE_THERE, identity=[ALLOW_ALL])) == (
        "implicitDeny",
        "resource",
    )
    assert outcome(decide(USER, "sqs:SendMessage", QUEUE_THERE, resource_policy=rp)) == (
        "implicitDeny",
        "identity",
    )
    both = decide(USER, "sqs:SendMessage", QUEUE_THERE, identity=[ALLOW_ALL], resource_policy=rp)
    assert outcome(both) == ("allowed", None)
    assert {m.type for m in both.matched_statements} == {PolicyType.RESOURCE, PolicyType.IDENTITY}


def test_cross_account_direct_grant_does_not_skip_the_principal_side() -> None:
    rp = doc(st_(action="sqs:*", resource=QUEUE_THERE, Principal={"AWS": USER}))
    d = decide(USER, "sqs:SendMessage", QUEUE_THERE, resource_policy=rp)
    assert outcome(d) == ("implicitDeny", "identity")
    bounded = decide(
        USER,
        "sqs:SendMessage",
        QUEUE_THERE,
        identity=[ALLOW_ALL],
        boundary=doc(st_(action="ec2:*")),
        resource_policy=rp,
    )
    assert outcome(bounded) == ("implicitDeny", "boundary")


def test_resource_account_given_explicitly_makes_s3_cross_account() -> None:
    d = decide(USER, identity=[ALLOW_ALL], resource_account=OTHER)
    assert outcome(d) == ("implicitDeny", "resource")
    assert outcome(decide(USER, identity=[ALLOW_ALL], resource=QUEUE_HERE)) == ("allowed", None)


@pytest.mark.parametrize("caller", ["anonymous", "cloudtrail.amazonaws.com"])
def test_anonymous_and_services_need_a_resource_policy(caller: str) -> None:
    assert outcome(decide(caller, identity=[ALLOW_ALL])) == ("implicitDeny", "resource")
    rp = grant({"Service": "cloudtrail.amazonaws.com"} if "." in caller else "*")
    assert outcome(decide(caller, resource_policy=rp)) == ("allowed", None)
    account_only = grant({"AWS": ACCT})
    assert outcome(decide(caller, resource_policy=account_only)) == ("implicitDeny", "resource")


def test_anonymous_message_names_anonymous() -> None:
    assert decide("anonymous").message.startswith("User: anonymous is not authorized")


# --- the trace ---------------------------------------------------------------------------------


def test_trace_lists_every_statement_with_a_reason() -> None:
    identity = doc(
        st_(action="ec2:*", Sid="Ec2"),
        st_(resource="arn:aws:s3:::other/*"),
        st_(Condition={"StringEquals": {"aws:PrincipalTag/Team": "red"}}),
        st_(action="s3:GetObject", Sid="Read"),
        st_("Deny", action="s3:Delete*"),
    )
    rp = doc(
        st_(resource=None, Principal={"AWS": f"arn:aws:iam::{ACCT}:user/bob"}),
        st_(resource=None, NotPrincipal={"AWS": [USER, ACCT]}),
    )
    request = Request.build(USER, "s3:GetObject", OBJ)
    trace = Trace()
    evaluate(request, build(identity=[identity], resource_policy=rp), trace=trace)
    by_statement = {(e.policy_type, e.policy, e.index): e for e in trace.events}
    assert len(trace.events) == len(by_statement) == 7
    assert [by_statement[("identity", "identityPolicies[0]", i)].outcome for i in range(5)] == [
        "action",
        "resource",
        "condition",
        "matched",
        "action",
    ]
    assert [by_statement[("resource", "resourcePolicy", i)].outcome for i in range(2)] == [
        "principal",
        "principal",
    ]
    for e in trace.events:
        assert e.outcome == "matched" or e.detail
    rendered = trace.render()
    assert "identity identityPolicies[0] Statement[3] (Read) Allow: matched" in rendered
    assert "Statement[0] (Ec2) Allow: no match — Action ['ec2:*'] vs s3:GetObject" in rendered
    assert "aws:PrincipalTag/Team ['red'] vs (missing)" in rendered


def test_trace_notes_exemptions() -> None:
    request = Request.build("anonymous", "s3:GetObject", OBJ)
    trace = Trace()
    policies = build(scps=[[ALLOW_ALL]], rcps=[[]], management=ACCT, resource_policy=grant("*"))
    evaluate(request, policies, trace=trace)
    assert "SCPs do not apply to this principal." in trace.notes
    # the resource is in the management account (the S3 ARN has none; the caller has none either)
    assert any(e.policy_type == "resource" for e in trace.events)


# --- fast path and traced path agree -----------------------------------------------------------

ACTIONS = ["s3:GetObject", "s3:PutObject", "ec2:RunInstances", "iam:GetUser"]
ACTION_PATTERNS = ["*", "s3:*", "s3:Get*", "s3:?utObject", "ec2:*", "*:Get*", "iam:GetUser"]
RESOURCES = [OBJ, "arn:aws:s3:::bucket/other", QUEUE_HERE, QUEUE_THERE]
RESOURCE_PATTERNS = ["*", "arn:aws:s3:::bucket/*", "arn:aws:s3:::*/key", "arn:aws:sqs:*:*:q"]
CONDITIONS = [
    None,
    {"StringEquals": {"aws:PrincipalTag/Team": "red"}},
    {"Bool": {"aws:SecureTransport": "true"}},
    {"StringLike": {"aws:username": "a*"}},
]
PRINCIPALS = ["*", {"AWS": ACCT}, {"AWS": USER}, {"AWS": ROLE}, {"AWS": OTHER}]
CALLERS = [
    USER,
    SESSION,
    FED,
    ROOT,
    "anonymous",
    "s3.amazonaws.com",
    f"arn:aws:iam::{OTHER}:user/x",
]


@st.composite
def statement(draw: st.DrawFn, *, principal: bool, deny_only: bool = False) -> Json:
    out: Json = {
        "Effect": "Deny" if deny_only else draw(st.sampled_from(["Allow", "Deny"])),
        draw(st.sampled_from(["Action", "NotAction"])): draw(
            st.lists(st.sampled_from(ACTION_PATTERNS), min_size=1, max_size=2)
        ),
        draw(st.sampled_from(["Resource", "NotResource"])): draw(
            st.sampled_from(RESOURCE_PATTERNS)
        ),
    }
    condition = draw(st.sampled_from(CONDITIONS))
    if condition is not None:
        out["Condition"] = condition
    if principal:
        out["Principal"] = "*" if deny_only else draw(st.sampled_from(PRINCIPALS))
    if deny_only and "NotAction" in out:
        out["Action"] = out.pop("NotAction")
    return out


def documents(*, principal: bool = False, deny_only: bool = False) -> st.SearchStrategy[Json]:
    return st.lists(
        statement(principal=principal, deny_only=deny_only), min_size=1, max_size=3
    ).map(lambda s: {"Version": V, "Statement": s})


@settings(max_examples=150, deadline=None)
@given(
    caller=st.sampled_from(CALLERS),
    action=st.sampled_from(ACTIONS),
    resource=st.sampled_from(RESOURCES),
    context=st.fixed_dictionaries(
        {},
        optional={
            "aws:PrincipalTag/Team": st.sampled_from(["red", "blue"]),
            "aws:SecureTransport": st.booleans(),
        },
    ),
    identity=st.lists(documents(), max_size=2),
    boundary=st.none() | documents(),
    session=st.none() | documents(),
    resource_policy=st.none() | documents(principal=True),
    scps=st.none() | st.lists(st.lists(documents(), max_size=2), max_size=2),
    rcps=st.none()
    | st.lists(st.lists(documents(principal=True, deny_only=True), max_size=1), max_size=2),
)
def test_fast_and_traced_paths_agree(
    caller: str,
    action: str,
    resource: str,
    context: Json,
    identity: list[Json],
    boundary: Json | None,
    session: Json | None,
    resource_policy: Json | None,
    scps: list[list[Json]] | None,
    rcps: list[list[Json]] | None,
) -> None:
    request = Request.build(caller, action, resource, context=context)
    policies = build(
        identity=identity,
        boundary=boundary,
        session=session,
        resource_policy=resource_policy,
        scps=scps,
        rcps=rcps,
    )
    fast = evaluate(request, policies)
    trace = Trace()
    traced = evaluate(request, policies, trace=trace)
    assert fast == traced
    event(f"{fast.decision.value} {fast.blocked_by}")
    # the trace accounts for each statement of every policy set it scanned exactly once
    seen = [(e.policy_type, e.policy, e.index) for e in trace.events]
    assert len(seen) == len(set(seen))
    for e in trace.events:
        assert e.outcome in {"matched", "action", "resource", "principal", "condition"}
    matched = {(m.type.value, m.policy, m.index) for m in fast.matched_statements}
    traced_matches = {
        (e.policy_type, e.policy, e.index) for e in trace.events if e.outcome == "matched"
    }
    assert matched <= traced_matches
    if fast.decision is DecisionKind.EXPLICIT_DENY:
        assert all(m.effect == "Deny" for m in fast.matched_statements)
    else:
        assert all(m.effect == "Allow" for m in fast.matched_statements)
    if fast.decision is DecisionKind.ALLOWED:
        assert fast.blocked_by is None
    else:
        assert fast.blocked_by is not None


def test_identity_provider_needs_a_trust_policy_grant() -> None:
    provider = f"arn:aws:iam::{ACCT}:saml-provider/Okta"
    action = "sts:AssumeRoleWithSAML"
    assert outcome(decide(provider, action, ROLE, identity=[ALLOW_ALL])) == (
        "implicitDeny",
        "resource",
    )
    trust = doc(st_(action=action, resource=None, Principal={"Federated": provider}))
    assert outcome(decide(provider, action, ROLE, resource_policy=trust)) == ("allowed", None)
    other = doc(st_(action=action, resource=None, Principal={"Federated": "accounts.google.com"}))
    assert outcome(decide(provider, action, ROLE, resource_policy=other)) == (
        "implicitDeny",
        "resource",
    )
