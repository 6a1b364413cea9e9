"""localiam.policy._parser: every finding collected with its location; the rules of each kind."""

from __future__ import annotations

import json
from typing import Any

import pytest

from localiam.policy import (
    Effect,
    MalformedPolicyDocument,
    PolicyDocument,
    PolicyFinding,
    PolicyKind,
    parse_policy,
)

V = "2012-10-17"
ANY_PRINCIPAL = {"AWS": "arn:aws:iam::111122223333:root"}


def doc(*statements: dict[str, Any], version: str | None = V) -> dict[str, Any]:
    out: dict[str, Any] = {"Statement": list(statements)}
    if version is not None:
        out["Version"] = version
    return out


def allow(**extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", **extra}


def findings(document: object, kind: PolicyKind = PolicyKind.IDENTITY) -> list[PolicyFinding]:
    with pytest.raises(MalformedPolicyDocument) as info:
        parse_policy(document, kind)  # type: ignore[arg-type]
    assert info.value.findings, "a malformed document has at least one finding"
    return list(info.value.findings)


def locations(document: object, kind: PolicyKind = PolicyKind.IDENTITY) -> list[str]:
    return [f.location for f in findings(document, kind)]


# --- well-formed documents ---------------------------------------------------------------------


def test_parses_into_frozen_statements() -> None:
    d = parse_policy(
        doc(
            {"Sid": "A", "Effect": "Allow", "Action": ["s3:Get*"], "Resource": "*"},
            {"Effect": "Deny", "NotAction": "iam:*", "NotResource": "arn:aws:s3:::b"},
        ),
        PolicyKind.IDENTITY,
    )
    assert isinstance(d, PolicyDocument)
    assert (d.kind, d.version, d.policy_id, d.variables) == (PolicyKind.IDENTITY, V, None, True)
    first, second = d.statements
    assert (first.index, first.sid, first.effect) == (0, "A", Effect.ALLOW)
    assert (second.index, second.sid, second.effect) == (1, None, Effect.DENY)
    assert second.action.negated and second.resource is not None and second.resource.negated
    assert first.principal is None


def test_single_statement_object_and_json_text() -> None:
    text = json.dumps({"Version": V, "Id": "p1", "Statement": allow()})
    for source in (text, text.encode()):
        d = parse_policy(source, PolicyKind.IDENTITY)
        assert d.policy_id == "p1"
        assert len(d.statements) == 1 and d.statements[0].index == 0


def test_condition_keys_are_kept_once_as_written() -> None:
    d = parse_policy(
        doc(
            allow(
                Condition={
                    "StringEquals": {"aws:PrincipalTag/Team": "a"},
                    "StringLike": {"aws:principaltag/team": "b*", "s3:prefix": "x"},
                }
            )
        ),
        PolicyKind.IDENTITY,
    )
    stmt = d.statements[0]
    assert stmt.condition_keys == ("aws:PrincipalTag/Team", "s3:prefix")
    assert len(stmt.conditions) == 3


def test_condition_values_of_other_json_types_become_strings() -> None:
    d = parse_policy(
        doc(
            allow(
                Condition={
                    "Bool": {"aws:SecureTransport": True},
                    "NumericLessThan": {"s3:max-keys": 10},
                }
            )
        ),
        PolicyKind.IDENTITY,
    )
    texts = [v.text for clause in d.statements[0].conditions for v in clause.values]
    assert texts == ["true", "10"]


# --- locations and collection of findings ------------------------------------------------------


def test_three_problems_yield_three_findings_with_locations() -> None:
    document = doc(
        allow(),
        {"Effect": "Permit", "Action": "s3:GetObject", "Resource": "*"},
        allow(Condition={"StringLikes": {"s3:prefix": "a"}}),
        {"Effect": "Allow", "Action": "GetObject", "Resource": "*"},
    )
    found = findings(document)
    assert [f.location for f in found] == [
        "Statement[1].Effect",
        "Statement[2].Condition.StringLikes",
        "Statement[3].Action",
    ]
    assert found[0].message == "Invalid effect: Permit"
    assert found[1].message == "Invalid Condition type : StringLikes"
    assert "prefaced by a vendor" in found[2].message


def test_findings_inside_one_statement_are_all_collected() -> None:
    document = doc(
        {
            "Sid": "has space",
            "Action": "s3:GetObject",
            "Resource": "bucket",
            "Condition": {"StringLike": {"noprefix": "a"}},
            "Extra": 1,
        }
    )
    assert sorted(locations(document)) == sorted(
        [
            "Statement[0].Extra",
            "Statement[0].Sid",
            "Statement[0].Effect",
            "Statement[0].Resource",
            "Statement[0].Condition.StringLike.noprefix",
        ]
    )


def test_document_level_findings() -> None:
    found = findings({"Version": "2020-01-01", "Id": 5, "Foo": 1})
    assert {f.location for f in found} == {"Foo", "Version", "Id", "Statement"}
    assert next(f for f in found if f.location == "Version").message == (
        "The policy failed legacy parsing"
    )
    assert next(f for f in found if f.location == "Statement").message == (
        "Missing required field Statement"
    )


@pytest.mark.parametrize("statement", [[], None])
def test_statement_is_required(statement: object) -> None:
    document: dict[str, Any] = {"Version": V}
    if statement is not None:
        document["Statement"] = statement
    assert locations(document) == ["Statement"]


@pytest.mark.parametrize("source", ["{", b"\xff", "[1]", "null"])
def test_not_an_object(source: str | bytes) -> None:
    found = findings(source)
    assert len(found) == 1
    assert found[0].location == ""
    assert found[0].message.startswith("Syntax errors in policy.")


def test_statement_that_is_not_an_object() -> None:
    assert locations(doc(allow(), "x")) == ["Statement[1]"]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("statement", "location", "fragment"),
    [
        ({"Effect": "Allow", "Resource": "*"}, "Statement[0]", "must contain actions"),
        (allow(NotAction="s3:*"), "Statement[0]", "both Action and NotAction"),
        (allow(Action=[]), "Statement[0].Action", "string or a list of strings"),
        (allow(Action=["s3:Get", 5]), "Statement[0].Action", "string or a list of strings"),
        (allow(Action="s3:Get Object"), "Statement[0].Action", "`s3:Get Object` is not valid"),
        ({"Effect": "Allow", "Action": "s3:GetObject"}, "Statement[0]", "must contain resources"),
        (allow(NotResource="*"), "Statement[0]", "both Resource and NotResource"),
        (allow(Resource="bucket"), "Statement[0].Resource", "must be in ARN format"),
        (allow(Resource=None), "Statement[0].Resource", "string or a list of strings"),
        (allow(Condition=[]), "Statement[0].Condition", "must be a JSON object"),
        (
            allow(Condition={"StringLike": {}}),
            "Statement[0].Condition.StringLike",
            "object of keys",
        ),
        (
            allow(Condition={"StringLike": "x"}),
            "Statement[0].Condition.StringLike",
            "object of keys",
        ),
        (
            allow(Condition={"StringLike": {"s3:prefix": {"a": 1}}}),
            "Statement[0].Condition.StringLike.s3:prefix",
            "strings, numbers or booleans",
        ),
        (
            allow(Condition={"NullIfExists": {"s3:x": "true"}}),
            "Statement[0].Condition.NullIfExists",
            "Invalid Condition type",
        ),
        (allow(Sid=7), "Statement[0].Sid", "Sid must be a string"),
        (
            {"Action": "s3:GetObject", "Resource": "*"},
            "Statement[0].Effect",
            "Missing required field Effect",
        ),
    ],
)
def test_statement_findings(statement: dict[str, Any], location: str, fragment: str) -> None:
    found = findings(doc(statement))
    assert [f.location for f in found] == [location]
    assert fragment in found[0].message


def test_duplicate_sids_in_iam_policies() -> None:
    document = doc(allow(Sid="A"), allow(Sid="A"))
    found = findings(document)
    assert [f.location for f in found] == ["Statement[1].Sid"]
    assert "unique" in found[0].message
    # Organizations and resource policies do not enforce IAM's Sid rules
    assert len(parse_policy(document, PolicyKind.SCP).statements) == 2


def test_sid_characters_only_checked_for_iam_kinds() -> None:
    document = doc(allow(Sid="with space"))
    assert locations(document, PolicyKind.IDENTITY) == ["Statement[0].Sid"]
    assert parse_policy(document, PolicyKind.SCP).statements[0].sid == "with space"


def test_error_message_is_first_finding_and_str_lists_all() -> None:
    with pytest.raises(MalformedPolicyDocument) as info:
        parse_policy(
            doc({"Effect": "x", "Action": "s3:A", "Resource": "*"}, allow(Action="A")),
            PolicyKind.IDENTITY,
        )
    err = info.value
    assert err.message == "Invalid effect: x"
    assert str(err).startswith("Statement[0].Effect: Invalid effect: x; Statement[1].Action: ")


# --- rules of each kind ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind", [PolicyKind.IDENTITY, PolicyKind.BOUNDARY, PolicyKind.SESSION, PolicyKind.SCP]
)
@pytest.mark.parametrize("element", ["Principal", "NotPrincipal"])
def test_kinds_without_principal(kind: PolicyKind, element: str) -> None:
    found = findings(doc(allow(**{element: "*"})), kind)
    assert [f.location for f in found] == [f"Statement[0].{element}"]
    assert found[0].message == "Policy document should not specify a principal."


@pytest.mark.parametrize(
    "kind", [PolicyKind.IDENTITY, PolicyKind.BOUNDARY, PolicyKind.SESSION, PolicyKind.SCP]
)
def test_kinds_that_need_a_resource(kind: PolicyKind) -> None:
    found = findings(doc({"Effect": "Deny", "Action": "s3:*"}), kind)
    assert [f.message for f in found] == ["Policy statement must contain resources."]


@pytest.mark.parametrize("kind", [PolicyKind.RESOURCE, PolicyKind.TRUST])
def test_kinds_that_need_a_principal(kind: PolicyKind) -> None:
    found = findings(doc({"Effect": "Allow", "Action": "sts:AssumeRole"}), kind)
    assert [(f.location, f.message) for f in found] == [
        ("Statement[0]", "Missing required field Principal")
    ]


def test_resource_policy_may_omit_resource() -> None:
    d = parse_policy(
        doc({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"}), PolicyKind.RESOURCE
    )
    stmt = d.statements[0]
    assert stmt.resource is None and stmt.principal is not None and stmt.principal.everyone


def test_resource_policy_with_not_principal() -> None:
    d = parse_policy(
        doc({"Effect": "Deny", "NotPrincipal": ANY_PRINCIPAL, "Action": "s3:*", "Resource": "*"}),
        PolicyKind.RESOURCE,
    )
    assert d.statements[0].principal is not None and d.statements[0].principal.negated
    found = findings(
        doc({"Effect": "Deny", "Principal": "*", "NotPrincipal": "*", "Action": "s3:*"}),
        PolicyKind.RESOURCE,
    )
    assert "both Principal and NotPrincipal" in found[0].message


def test_principal_findings_are_located() -> None:
    found = findings(
        doc({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:user/x"}, "Action": "s3:*"}),
        PolicyKind.RESOURCE,
    )
    assert [f.location for f in found] == ["Statement[0].Principal"]
    assert found[0].message.startswith("Invalid principal in policy")


@pytest.mark.parametrize("element", ["Resource", "NotResource"])
def test_trust_policy_has_no_resource(element: str) -> None:
    statement = {
        "Effect": "Allow",
        "Principal": ANY_PRINCIPAL,
        "Action": "sts:AssumeRole",
        element: "*",
    }
    found = findings(doc(statement), PolicyKind.TRUST)
    assert [(f.location, f.message) for f in found] == [
        (f"Statement[0].{element}", f"Has prohibited field {element}")
    ]


def test_trust_policy_allows_only_sts_actions() -> None:
    good = {
        "Effect": "Allow",
        "Principal": ANY_PRINCIPAL,
        "Action": ["sts:AssumeRole", "sts:TagSession", "STS:SetSourceIdentity"],
    }
    assert parse_policy(doc(good), PolicyKind.TRUST).statements[0].resource is None
    bad = {**good, "Action": ["sts:AssumeRole", "s3:GetObject"]}
    found = findings(doc(bad), PolicyKind.TRUST)
    assert [(f.location, f.message) for f in found] == [
        ("Statement[0].Action", "AssumeRole policy may only specify STS AssumeRole actions.")
    ]


def rcp(**statement: Any) -> dict[str, Any]:
    base = {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}
    base.update(statement)
    return doc({k: v for k, v in base.items() if v is not None})


def test_rcp_well_formed() -> None:
    d = parse_policy(rcp(), PolicyKind.RCP)
    assert d.statements[0].effect is Effect.DENY
    assert d.statements[0].principal is not None and d.statements[0].principal.everyone


@pytest.mark.parametrize(
    ("change", "location", "fragment"),
    [
        ({"Effect": "Allow"}, "Statement[0].Effect", "only contain Deny"),
        ({"Principal": {"AWS": "*"}}, "Statement[0].Principal", '"Principal": "*"'),
        ({"Principal": ANY_PRINCIPAL}, "Statement[0].Principal", '"Principal": "*"'),
        (
            {"Principal": None, "NotPrincipal": ANY_PRINCIPAL},
            "Statement[0].NotPrincipal",
            "NotPrincipal",
        ),
        ({"Action": None, "NotAction": "s3:GetObject"}, "Statement[0].NotAction", "NotAction"),
        ({"Principal": None}, "Statement[0]", "Missing required field Principal"),
    ],
)
def test_rcp_rules(change: dict[str, Any], location: str, fragment: str) -> None:
    found = findings(rcp(**change), PolicyKind.RCP)
    assert [f.location for f in found] == [location]
    assert fragment in found[0].message


def test_scp_accepts_not_action_and_allow() -> None:
    d = parse_policy(
        doc(allow(Action="*"), {"Effect": "Deny", "NotAction": "iam:*", "Resource": "*"}),
        PolicyKind.SCP,
    )
    assert [s.effect for s in d.statements] == [Effect.ALLOW, Effect.DENY]


# --- Version and variables ---------------------------------------------------------------------


def test_version_2008_disables_variables() -> None:
    statement = allow(
        Resource="arn:aws:s3:::b/${aws:username}",
        Condition={"StringEquals": {"s3:prefix": "${aws:username}"}},
    )
    context = {"aws:username": "alice", "s3:prefix": "alice"}
    old = parse_policy(doc(statement, version="2008-10-17"), PolicyKind.IDENTITY)
    new = parse_policy(doc(statement), PolicyKind.IDENTITY)
    assert not old.variables and new.variables
    old_s, new_s = old.statements[0], new.statements[0]
    assert old_s.resource is not None and new_s.resource is not None
    assert new_s.resource.matches("arn:aws:s3:::b/alice", context)
    assert not old_s.resource.matches("arn:aws:s3:::b/alice", context)
    assert old_s.resource.matches("arn:aws:s3:::b/${aws:username}", context)
    assert new_s.conditions_hold(context)
    assert not old_s.conditions_hold(context)
    assert old_s.conditions_hold({"s3:prefix": "${aws:username}"})


def test_missing_version_means_2008() -> None:
    d = parse_policy(doc(allow(Resource="arn:aws:s3:::${x}"), version=None), PolicyKind.IDENTITY)
    assert d.version == "2008-10-17" and not d.variables
