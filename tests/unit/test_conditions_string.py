"""localiam.policy.conditions._string: StringEquals, StringEqualsIgnoreCase, StringLike."""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from localiam.policy import PolicyKind, parse_policy
from localiam.policy.conditions import ConditionClause

BOUNDED = settings(max_examples=200, deadline=None)
KEY = "s3:prefix"


def clause(operator: str, values: Any) -> ConditionClause:
    d = parse_policy(
        {
            "Version": "2012-10-17",
            "Statement": {
                "Effect": "Allow",
                "Action": "s3:*",
                "Resource": "*",
                "Condition": {operator: {KEY: values}},
            },
        },
        PolicyKind.IDENTITY,
    )
    return d.statements[0].conditions[0]


def holds(operator: str, policy_value: Any, value: str) -> bool:
    return clause(operator, policy_value).evaluate({KEY: value})


def ref_like(pattern: str, text: str) -> bool:
    @cache
    def go(i: int, j: int) -> bool:
        if i == len(pattern):
            return j == len(text)
        if pattern[i] == "*":
            return go(i + 1, j) or (j < len(text) and go(i, j + 1))
        return j < len(text) and pattern[i] in ("?", text[j]) and go(i + 1, j + 1)

    return go(0, 0)


@pytest.mark.parametrize(
    ("operator", "policy_value", "value", "expected"),
    [
        ("StringEquals", "abc", "abc", True),
        ("StringEquals", "abc", "ABC", False),
        ("StringEquals", "a*", "abc", False),  # no wildcards in StringEquals
        ("StringEquals", "a*", "a*", True),
        ("StringNotEquals", "abc", "abd", True),
        ("StringNotEquals", "abc", "abc", False),
        ("StringEqualsIgnoreCase", "ABC", "abc", True),
        ("StringEqualsIgnoreCase", "Straße", "STRASSE", True),
        ("StringNotEqualsIgnoreCase", "ABC", "abc", False),
        ("StringLike", "home/*", "home/a/b", True),
        ("StringLike", "home/?", "home/ab", False),
        ("StringLike", "Home/*", "home/a", False),  # case-sensitive
        ("StringLike", "a.c", "abc", False),
        ("StringNotLike", "home/*", "other", True),
        ("StringEquals", 10, "10", True),
        ("StringEquals", True, "true", True),
    ],
)
def test_string_examples(operator: str, policy_value: Any, value: str, expected: bool) -> None:
    assert holds(operator, policy_value, value) is expected


TEXT = st.text(alphabet="aAb.*?[\n", max_size=6)


@BOUNDED
@given(policy=TEXT, value=TEXT)
def test_equals_family_agrees_with_python(policy: str, value: str) -> None:
    assert holds("StringEquals", policy, value) == (policy == value)
    assert holds("StringNotEquals", policy, value) == (policy != value)
    assert holds("StringEqualsIgnoreCase", policy, value) == (policy.lower() == value.lower())


@BOUNDED
@given(
    pattern=st.text(alphabet="ab.[*?", max_size=6), value=st.text(alphabet="ab.[*?\n", max_size=6)
)
def test_like_agrees_with_reference(pattern: str, value: str) -> None:
    assert holds("StringLike", pattern, value) == ref_like(pattern, value)
    assert holds("StringNotLike", pattern, value) == (not ref_like(pattern, value))
