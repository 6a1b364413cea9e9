"""localiam.policy.conditions._date: ISO 8601 and epoch dates, and the Date* operators."""

from __future__ import annotations

import calendar
import operator
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from localiam.policy import PolicyKind, parse_policy
from localiam.policy.conditions import ConditionClause
from localiam.policy.conditions._date import parse_date

BOUNDED = settings(max_examples=200, deadline=None)
KEY = "aws:currenttime"

COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "DateEquals": operator.eq,
    "DateNotEquals": operator.ne,
    "DateLessThan": operator.lt,
    "DateLessThanEquals": operator.le,
    "DateGreaterThan": operator.gt,
    "DateGreaterThanEquals": operator.ge,
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


def epoch_seconds(moment: datetime) -> float:
    """An independent computation of the epoch time of an aware datetime."""
    return calendar.timegm(moment.utctimetuple()) + moment.microsecond / 1_000_000


OFFSETS = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
MOMENTS = st.datetimes(
    min_value=datetime(1900, 1, 2), max_value=datetime(2199, 12, 30), timezones=OFFSETS
)


@st.composite
def iso_text(draw: st.DrawFn) -> tuple[str, datetime]:
    """An ISO 8601 spelling of a random moment, with Z or an offset and optional fractions."""
    moment = draw(MOMENTS)
    digits = draw(st.sampled_from([0, 3, 6]))
    if digits == 0:
        moment = moment.replace(microsecond=0)
    elif digits == 3:
        moment = moment.replace(microsecond=moment.microsecond // 1000 * 1000)
    clock = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if digits:
        clock += "." + f"{moment.microsecond:06d}"[:digits]
    offset = moment.utcoffset()
    assert offset is not None
    if offset == timedelta(0) and draw(st.booleans()):
        zone = draw(st.sampled_from(["Z", "z"]))
    else:
        minutes = int(offset.total_seconds()) // 60
        sign = "-" if minutes < 0 else "+"
        zone = f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    return clock + zone, moment


@BOUNDED
@given(case=iso_text())
def test_iso_dates_agree_with_epoch_seconds(case: tuple[str, datetime]) -> None:
    text, moment = case
    got = parse_date(text)
    assert got is not None
    assert got == pytest.approx(epoch_seconds(moment), abs=1e-6)


@BOUNDED
@given(moment=MOMENTS.map(lambda m: m.replace(microsecond=0)))
def test_epoch_seconds_and_iso_are_the_same_instant(moment: datetime) -> None:
    seconds = calendar.timegm(moment.utctimetuple())
    assert clause("DateEquals", str(seconds)).evaluate({KEY: moment.isoformat()})
    assert clause("DateEquals", moment.isoformat()).evaluate({KEY: str(seconds)})


@BOUNDED
@given(policy=iso_text(), value=iso_text(), op=st.sampled_from(sorted(COMPARISONS)))
def test_operators_agree_with_datetime_comparison(
    policy: tuple[str, datetime], value: tuple[str, datetime], op: str
) -> None:
    got = clause(op, policy[0]).evaluate({KEY: value[0]})
    assert got == COMPARISONS[op](value[1], policy[1])


@BOUNDED
@given(moment=iso_text(), shift=st.integers(min_value=-(10**6), max_value=10**6))
def test_nearby_instants_order(moment: tuple[str, datetime], shift: int) -> None:
    text, when = moment
    other = (when + timedelta(microseconds=shift)).astimezone(UTC)
    other_text = other.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert clause("DateLessThan", text).evaluate({KEY: other_text}) == (shift < 0)
    assert clause("DateEquals", text).evaluate({KEY: other_text}) == (shift == 0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-01T00:00:00Z", 1704067200.0),
        ("2024-01-01T00:00:00", 1704067200.0),  # no offset: UTC
        ("2024-01-01", 1704067200.0),
        ("2024-01-01T01:00:00+01:00", 1704067200.0),
        ("2023-12-31T19:00:00-05:00", 1704067200.0),
        ("2024-01-01T00:00:00.250Z", 1704067200.25),
        (" 2024-01-01T00:00:00Z ", 1704067200.0),
        ("1704067200", 1704067200.0),
        ("1704067200.5", 1704067200.5),
        ("-86400", -86400.0),
    ],
)
def test_parse_date_examples(text: str, expected: float) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text", ["", "yesterday", "2024-13-01", "2024-02-30T00:00:00Z", "01/02/2024", "12:00"]
)
def test_not_dates_never_match(text: str) -> None:
    assert parse_date(text) is None
    for op in set(COMPARISONS) - {"DateNotEquals"}:
        assert not clause(op, "2024-01-01T00:00:00Z").evaluate({KEY: text})
        assert not clause(op, text).evaluate({KEY: "2024-01-01T00:00:00Z"})


def test_non_ascii_digits_are_not_epoch_seconds() -> None:
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Date
    # (dates are ISO 8601 W3C profile or epoch seconds, written in ASCII digits)
    assert parse_date("١٧٠٤٠٦٧٢٠٠") is None
