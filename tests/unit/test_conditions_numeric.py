"""localiam.policy.conditions._numeric: the Numeric* operators against Python's comparisons."""

from __future__ import annotations

import operator
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from localiam.policy import PolicyKind, parse_policy
from localiam.policy.conditions import ConditionClause
from localiam.policy.conditions._numeric import parse_number

BOUNDED = settings(max_examples=200, deadline=None)
KEY = "s3:max-keys"

COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "NumericEquals": operator.eq,
    "NumericNotEquals": operator.ne,
    "NumericLessThan": operator.lt,
    "NumericLessThanEquals": operator.le,
    "NumericGreaterThan": operator.gt,
    "NumericGreaterThanEquals": operator.ge,
}


def clause(op: str, values: Any) -> ConditionClause:
    d = parse_policy(
        {
            "Version": "2012-10-17",
            "Statement": {
                "Effect": "Allow",
                "Action": "s3:*",
                "Resource": "*",
                "Condition": {op: {KEY: values}},
            },
        },
        PolicyKind.IDENTITY,
    )
    return d.statements[0].conditions[0]


# Integers exactly representable as floats, and decimals of at most three places.
INTS = st.integers(min_value=-(2**53), max_value=2**53)
DECIMALS = st.decimals(
    min_value=-(10**9), max_value=10**9, places=3, allow_nan=False, allow_infinity=False
)
NUMBERS = st.one_of(INTS.map(Decimal), DECIMALS)


@BOUNDED
@given(policy=NUMBERS, value=NUMBERS, op=st.sampled_from(sorted(COMPARISONS)))
def test_agrees_with_python_comparison(policy: Decimal, value: Decimal, op: str) -> None:
    # context value compared to policy value: `value < policy` for NumericLessThan
    got = clause(op, str(policy)).evaluate({KEY: str(value)})
    assert got == COMPARISONS[op](value, policy)


@BOUNDED
@given(policy=INTS, value=INTS, op=st.sampled_from(sorted(COMPARISONS)))
def test_json_numbers_in_policies(policy: int, value: int, op: str) -> None:
    assert clause(op, policy).evaluate({KEY: str(value)}) == COMPARISONS[op](value, policy)


NON_NUMERIC = st.text(
    alphabet=st.characters(blacklist_categories=["Nd", "No", "Nl", "Cs"]), max_size=8
)


@BOUNDED
@given(
    text=NON_NUMERIC,
    number=INTS,
    op=st.sampled_from(sorted(set(COMPARISONS) - {"NumericNotEquals"})),
)
def test_non_numeric_strings_never_match(text: str, number: int, op: str) -> None:
    assert parse_number(text) is None
    assert not clause(op, str(number)).evaluate({KEY: text})
    assert not clause(op, text).evaluate({KEY: str(number)})


@pytest.mark.parametrize("text", ["", "abc", "inf", "-Infinity", "nan", "1.2.3", "0x10", "ten"])
def test_not_numbers(text: str) -> None:
    assert parse_number(text) is None
    assert not clause("NumericEquals", text).evaluate({KEY: text})


@pytest.mark.parametrize(
    ("text", "value"), [("10", 10.0), (" 10 ", 10.0), ("-3.5", -3.5), ("007", 7.0), ("1.50", 1.5)]
)
def test_numbers(text: str, value: float) -> None:
    assert parse_number(text) == value


def test_any_policy_value() -> None:
    c = clause("NumericEquals", [1, "2", "x"])
    assert c.evaluate({KEY: "2"})
    assert not c.evaluate({KEY: "3"})


@pytest.mark.parametrize("text", ["1_000", "١٢٣"])
def test_python_only_number_spellings_are_not_numbers(text: str) -> None:
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Numeric
    assert parse_number(text) is None
