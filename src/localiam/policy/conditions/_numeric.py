"""Numeric operators: NumericEquals, NumericNotEquals, NumericLessThan, NumericLessThanEquals,
NumericGreaterThan, NumericGreaterThanEquals. Integers and decimals; a value that is not a number
never matches."""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable
from typing import Any

from localiam.policy._wildcard import Segment
from localiam.policy.conditions._base import Family

# Integers and decimals as AWS writes them: ASCII digits, an optional sign and point.
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$", re.ASCII)


def parse_number(text: str) -> float | None:
    text = text.strip()
    if not _NUMBER.match(text):
        return None
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _compile(pieces: tuple[Segment, ...]) -> float | None:
    return parse_number("".join(text for text, _ in pieces))


def _family(name: str, compare: Callable[[float, float], bool]) -> Family:
    def test(value: str, compiled: Any) -> bool:
        number = parse_number(value)
        return number is not None and compare(number, compiled)

    return Family(name, _compile, test)


NUMERIC_EQUALS = _family("NumericEquals", operator.eq)
NUMERIC_LESS_THAN = _family("NumericLessThan", operator.lt)
NUMERIC_LESS_THAN_EQUALS = _family("NumericLessThanEquals", operator.le)
NUMERIC_GREATER_THAN = _family("NumericGreaterThan", operator.gt)
NUMERIC_GREATER_THAN_EQUALS = _family("NumericGreaterThanEquals", operator.ge)
