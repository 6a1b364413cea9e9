"""ARN operators: ArnEquals, ArnLike, ArnNotEquals, ArnNotLike. Case-sensitive; each of the six
colon-separated parts is matched on its own and may hold `*` and `?` (ArnEquals and ArnLike
behave alike)."""

from __future__ import annotations

import re
from typing import Any

from localiam.policy._wildcard import Segment, arn_regex_source
from localiam.policy.conditions._base import Family


def _compile(pieces: tuple[Segment, ...]) -> re.Pattern[str]:
    if pieces == (("*", False),):
        return re.compile(r".*\Z", re.DOTALL)
    return re.compile(arn_regex_source(pieces, trailing_star_spans=False) + r"\Z", re.DOTALL)


def _test(value: str, compiled: Any) -> bool:
    return value.count(":") >= 5 and compiled.match(value) is not None


ARN_LIKE = Family("ArnLike", _compile, _test)
