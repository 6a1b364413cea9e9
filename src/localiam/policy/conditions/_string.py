"""String operators: StringEquals, StringNotEquals, StringEqualsIgnoreCase,
StringNotEqualsIgnoreCase, StringLike, StringNotLike (case-sensitive unless IgnoreCase; `*` and
`?` only under Like)."""

from __future__ import annotations

import re
from typing import Any

from localiam.policy._wildcard import Segment, glob_regex_source
from localiam.policy.conditions._base import Family


def _join(pieces: tuple[Segment, ...]) -> str:
    return "".join(text for text, _ in pieces)


def _equals(value: str, compiled: Any) -> bool:
    return bool(value == compiled)


def _ignore_case_compile(pieces: tuple[Segment, ...]) -> str:
    return _join(pieces).casefold()


def _ignore_case(value: str, compiled: Any) -> bool:
    return bool(value.casefold() == compiled)


def _like_compile(pieces: tuple[Segment, ...]) -> re.Pattern[str]:
    return re.compile(glob_regex_source(pieces) + r"\Z", re.DOTALL)


def _like(value: str, compiled: Any) -> bool:
    return compiled.match(value) is not None


STRING_EQUALS = Family("StringEquals", _join, _equals)
STRING_EQUALS_IGNORE_CASE = Family("StringEqualsIgnoreCase", _ignore_case_compile, _ignore_case)
STRING_LIKE = Family("StringLike", _like_compile, _like)
