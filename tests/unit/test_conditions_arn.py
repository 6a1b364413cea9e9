"""localiam.policy.conditions._arn: ArnEquals, ArnLike and their negations, part by part."""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from localiam.policy import PolicyKind, parse_policy
from localiam.policy.conditions import ConditionClause

BOUNDED = settings(max_examples=200, deadline=None)
KEY = "aws:sourcearn"
ROLE = "arn:aws:iam::111122223333:role/app/R"


def clause(op: str, values: Any) -> ConditionClause:
    d = parse_policy(
        {
            "Version": "2012-10-17",
            "Statement": {
                "Effect": "Allow",
                "Action": "s3:*",
                "Resource": "*",
                "Condition": {op: {"aws:SourceArn": values}},
            },
        },
        PolicyKind.IDENTITY,
    )
    return d.statements[0].conditions[0]


def glob(pattern: str, text: str) -> bool:
    @cache
    def go(i: int, j: int) -> bool:
        if i == len(pattern):
            return j == len(text)
        if pattern[i] == "*":
            return go(i + 1, j) or (j < len(text) and go(i, j + 1))
        return j < len(text) and pattern[i] in ("?", text[j]) and go(i + 1, j + 1)

    return go(0, 0)


def ref_arn_like(pattern: str, value: str) -> bool:
    """The documented rule: an ARN has six colon-separated parts, each matched on its own."""
    p, v = pattern.split(":", 5), value.split(":", 5)
    if len(v) != 6:
        return False  # the context value is not an ARN
    if pattern == "*":
        return True
    return len(p) == 6 and all(glob(a, b) for a, b in zip(p, v, strict=True))


@pytest.mark.parametrize("op", ["ArnEquals", "ArnLike"])
@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        (ROLE, ROLE, True),
        ("arn:aws:iam::*:role/app/*", ROLE, True),
        ("arn:aws:iam::111122223333:role/*", ROLE, True),
        ("arn:aws:iam::111122223333:role/app/r", ROLE, False),  # case-sensitive
        ("arn:aws:iam::*", ROLE, False),  # the `*` stays in the account part
        ("arn:aws:iam::????????????:role/app/R", ROLE, True),
        ("arn:aws:iam::???????????:role/app/R", ROLE, False),
        ("arn:aws:*:*:*:*", ROLE, True),
        ("*", ROLE, True),
        ("arn:aws:*:*:*:*", "not-an-arn", False),
        ("arn:aws:sns:*:*:topic", "arn:aws:sns:us-east-1:1:topic:sub", False),
        ("arn:aws:sns:*:*:topic:*", "arn:aws:sns:us-east-1:1:topic:sub", True),
    ],
)
def test_arn_examples(op: str, pattern: str, value: str, expected: bool) -> None:
    assert clause(op, pattern).evaluate({KEY: value}) is expected
    negated = op.replace("Arn", "ArnNot")
    assert clause(negated, pattern).evaluate({KEY: value}) is not expected


PATTERN = st.lists(st.text(alphabet="ab*?", max_size=3), min_size=1, max_size=7).map(":".join)
VALUE = st.lists(st.text(alphabet="ab", max_size=3), min_size=1, max_size=7).map(":".join)


@BOUNDED
@given(pattern=PATTERN, value=VALUE)
def test_arn_like_agrees_with_part_by_part_reference(pattern: str, value: str) -> None:
    assert clause("ArnLike", pattern).evaluate({KEY: value}) == ref_arn_like(pattern, value)


@BOUNDED
@given(value=VALUE.filter(lambda v: v.count(":") >= 5), data=st.data())
def test_value_matches_itself_with_wildcards(value: str, data: st.DataObject) -> None:
    pattern = "".join(c if c == ":" else data.draw(st.sampled_from([c, "?", "*"])) for c in value)
    assert clause("ArnLike", pattern).evaluate({KEY: value})


def test_variables_in_arn_patterns() -> None:
    c = clause("ArnLike", "arn:aws:iam::${aws:PrincipalAccount}:role/*")
    assert c.evaluate({KEY: ROLE, "aws:principalaccount": "111122223333"})
    assert not c.evaluate({KEY: ROLE, "aws:principalaccount": "444455556666"})
