"""Date operators: DateEquals, DateNotEquals, DateLessThan, DateLessThanEquals, DateGreaterThan,
DateGreaterThanEquals. Values are ISO 8601 dates and times (a time without an offset is UTC) or
epoch seconds; a value that is neither never matches."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from localiam.policy._wildcard import Segment
from localiam.policy.conditions._base import Family

_EPOCH = re.compile(r"^-?\d+(\.\d+)?$", re.ASCII)


def parse_date(text: str) -> float | None:
    """Seconds since the epoch, from ISO 8601 or from epoch seconds."""
    text = text.strip()
    if _EPOCH.match(text):
        return float(text)
    if not text.isascii():
        return None
    try:
        moment = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _compile(pieces: tuple[Segment, ...]) -> float | None:
    return parse_date("".join(text for text, _ in pieces))


def _family(name: str, compare: Callable[[float, float], bool]) -> Family:
    def test(value: str, compiled: Any) -> bool:
        moment = parse_date(value)
        return moment is not None and compare(moment, compiled)

    return Family(name, _compile, test)


DATE_EQUALS = _family("DateEquals", operator.eq)
DATE_LESS_THAN = _family("DateLessThan", operator.lt)
DATE_LESS_THAN_EQUALS = _family("DateLessThanEquals", operator.le)
DATE_GREATER_THAN = _family("DateGreaterThan", operator.gt)
DATE_GREATER_THAN_EQUALS = _family("DateGreaterThanEquals", operator.ge)
