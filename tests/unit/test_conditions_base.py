"""localiam.policy.conditions: the operator table, IfExists, set qualifiers, missing keys."""

from __future__ import annotations

from typing import Any

import pytest

from localiam.policy import PolicyKind, parse_policy
from localiam.policy.conditions import OPERATORS, ConditionClause, SetQualifier, parse_operator


def clause(operator: str, key: str, values: Any, version: str = "2012-10-17") -> ConditionClause:
    d = parse_policy(
        {
            "Version": version,
            "Statement": {
                "Effect": "Allow",
                "Action": "s3:*",
                "Resource": "*",
                "Condition": {operator: {key: values}},
            },
        },
        PolicyKind.IDENTITY,
    )
    (only,) = d.statements[0].conditions
    return only


# --- parse_operator ----------------------------------------------------------------------------


def test_every_base_operator_parses_with_its_family() -> None:
    for name, (family, negated) in OPERATORS.items():
        op = parse_operator(name)
        assert op is not None
        assert (op.name, op.family, op.negated, op.if_exists, op.qualifier) == (
            name,
            family,
            negated,
            False,
            None,
        )


def test_qualifier_and_if_exists() -> None:
    op = parse_operator("ForAllValues:StringNotLikeIfExists")
    assert op is not None
    assert op.qualifier is SetQualifier.FOR_ALL_VALUES
    assert op.if_exists and op.negated
    assert op.family is OPERATORS["StringLike"][0]


@pytest.mark.parametrize(
    "name",
    [
        "StringLikes",
        "stringequals",  # operator names are case-sensitive
        "NullIfExists",
        "IfExists",
        "ForSomeValues:StringEquals",
        "ForAnyValue:",
        "ForAnyValue:ForAllValues:StringEquals",
        "",
    ],
)
def test_unknown_operators(name: str) -> None:
    assert parse_operator(name) is None


# --- evaluation rules shared by every family ---------------------------------------------------


def test_key_names_are_case_insensitive() -> None:
    c = clause("StringEquals", "AWS:PrincipalTag/Team", "red")
    assert c.key == "AWS:PrincipalTag/Team" and c.key_lower == "aws:principaltag/team"
    assert c.evaluate({"aws:principaltag/team": "red"})


def test_any_of_several_policy_values() -> None:
    c = clause("StringEquals", "s3:prefix", ["a", "b"])
    assert c.evaluate({"s3:prefix": "b"})
    assert not c.evaluate({"s3:prefix": "c"})


@pytest.mark.parametrize(
    ("operator", "expected"),
    [
        ("StringEquals", False),
        ("StringNotEquals", True),
        ("StringEqualsIfExists", True),
        ("StringNotEqualsIfExists", True),
        ("ForAnyValue:StringEquals", False),
        ("ForAllValues:StringEquals", True),
        ("NumericLessThan", False),
        ("ArnNotLike", True),
        ("NotIpAddress", True),
        ("Bool", False),
    ],
)
@pytest.mark.parametrize("context", [{}, {"aws:tagkeys": ()}])
def test_missing_key(operator: str, expected: bool, context: dict[str, Any]) -> None:
    c = clause(operator, "aws:TagKeys", "1")
    assert c.evaluate(context) is expected


def test_if_exists_still_tests_a_present_key() -> None:
    c = clause("StringEqualsIfExists", "s3:prefix", "a")
    assert c.evaluate({"s3:prefix": "a"})
    assert not c.evaluate({"s3:prefix": "b"})


def test_unqualified_multivalued_key_matches_if_any_value_matches() -> None:
    c = clause("StringEquals", "aws:TagKeys", "a")
    assert c.evaluate({"aws:tagkeys": ("b", "a")})
    neg = clause("StringNotEquals", "aws:TagKeys", "a")
    assert not neg.evaluate({"aws:tagkeys": ("b", "a")})
    assert neg.evaluate({"aws:tagkeys": ("b", "c")})


@pytest.mark.parametrize(
    ("operator", "values", "context", "expected"),
    [
        ("ForAnyValue:StringEquals", ["a", "b"], ("c", "a"), True),
        ("ForAnyValue:StringEquals", ["a", "b"], ("c", "d"), False),
        ("ForAllValues:StringEquals", ["a", "b"], ("a", "b"), True),
        ("ForAllValues:StringEquals", ["a", "b"], ("a", "c"), False),
        ("ForAnyValue:StringNotEquals", ["a", "b"], ("a", "c"), True),
        ("ForAnyValue:StringNotEquals", ["a", "b"], ("a", "b"), False),
        ("ForAllValues:StringNotEquals", ["a", "b"], ("c", "d"), True),
        ("ForAllValues:StringNotEquals", ["a", "b"], ("c", "a"), False),
        ("ForAllValues:StringLike", ["team-*"], ("team-a", "team-b"), True),
        ("ForAllValues:StringLike", ["team-*"], "team-a", True),
    ],
)
def test_set_qualifiers(operator: str, values: list[str], context: Any, expected: bool) -> None:
    c = clause(operator, "aws:TagKeys", values)
    assert c.evaluate({"aws:tagkeys": context}) is expected


@pytest.mark.parametrize(
    ("value", "context", "expected"),
    [
        ("true", {}, True),
        ("true", {"aws:tagkeys": ()}, True),
        ("true", {"aws:tagkeys": "a"}, False),
        ("false", {"aws:tagkeys": "a"}, True),
        ("false", {}, False),
        (True, {}, True),
        ("TRUE", {}, True),
        ("maybe", {}, False),
        ("maybe", {"aws:tagkeys": "a"}, False),
    ],
)
def test_null(value: Any, context: dict[str, Any], expected: bool) -> None:
    assert clause("Null", "aws:TagKeys", value).evaluate(context) is expected


def test_variables_in_condition_values() -> None:
    c = clause("StringEquals", "s3:prefix", "home/${aws:username}")
    assert c.evaluate({"s3:prefix": "home/alice", "aws:username": "alice"})
    assert not c.evaluate({"s3:prefix": "home/bob", "aws:username": "alice"})
    # an unresolved variable matches nothing
    assert not c.evaluate({"s3:prefix": "home/"})
    assert clause("StringNotEquals", "s3:prefix", "home/${aws:username}").evaluate(
        {"s3:prefix": "home/"}
    )


def test_variable_values_are_literal_under_like() -> None:
    c = clause("StringLike", "s3:prefix", "home/${aws:username}/*")
    assert c.evaluate({"s3:prefix": "home/a*/x", "aws:username": "a*"})
    assert not c.evaluate({"s3:prefix": "home/ab/x", "aws:username": "a*"})


def test_escaped_wildcards_under_like() -> None:
    c = clause("StringLike", "s3:prefix", "a${*}b")
    assert c.evaluate({"s3:prefix": "a*b"})
    assert not c.evaluate({"s3:prefix": "axb"})
