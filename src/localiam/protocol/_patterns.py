"""The `pattern` constraints of AWS models, which are Java regular expressions, for Python `re`.

AWS checks a value against the whole pattern (Java's `Matcher.matches`), with Java's rules:
`\\w`, `\\d` and `\\s` are ASCII-only, `\\uXXXX` takes exactly four hex digits (so the STS
pattern's `\\u10000-\\u10FFFF` means `\\u1000`, `0-\\u10FF`, `F`, `F` there as here), and
`\\p{L}`, `\\p{Z}`, `\\p{N}` ... name Unicode general categories, which Python's `re` lacks: those
are written out as code point ranges taken from `unicodedata`. A pattern this cannot express
(a negated category inside a class, a nested class) is not checked rather than misjudged.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from functools import lru_cache
from types import MappingProxyType
from typing import Final

# Java's POSIX classes (`\p{Alpha}` ...), which are ASCII-only unless UNICODE_CHARACTER_CLASS.
_POSIX: Final = MappingProxyType(
    {
        "Lower": "a-z",
        "Upper": "A-Z",
        "ASCII": "\\x00-\\x7F",
        "Alpha": "a-zA-Z",
        "Digit": "0-9",
        "Alnum": "a-zA-Z0-9",
        "Punct": "!-/:-@\\[-`{-~",
        "Graph": "!-~",
        "Print": " -~",
        "Blank": " \\t",
        "Cntrl": "\\x00-\\x1F\\x7F",
        "XDigit": "0-9a-fA-F",
        "Space": " \\t\\n\\x0B\\f\\r",
    }
)
_PROPERTY: Final = re.compile(r"\{(\w+)\}|([A-Z])")


class _Unsupported(Exception):
    """The pattern uses Java syntax this translation does not cover."""


@lru_cache(maxsize=512)
def compile_java_pattern(pattern: str) -> re.Pattern[str] | None:
    """`pattern` compiled for `fullmatch`, or None when it cannot be expressed faithfully."""
    try:
        return re.compile(_translate(pattern), re.ASCII)
    except (_Unsupported, re.error):
        return None


def _translate(pattern: str) -> str:
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            if i + 1 >= len(pattern):
                raise _Unsupported(pattern)
            escaped = pattern[i + 1]
            if escaped in "pP":
                found = _PROPERTY.match(pattern, i + 2)
                if found is None:
                    raise _Unsupported(pattern)
                ranges = _property_ranges(found.group(1) or found.group(2))
                if in_class and escaped == "P":
                    raise _Unsupported(pattern)
                if in_class:
                    out.append(ranges)
                else:
                    out.append(f"[{'^' if escaped == 'P' else ''}{ranges}]")
                i = found.end()
                continue
            if escaped in "QEGZzRXhHvVk":
                raise _Unsupported(pattern)
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if char == "[":
            if in_class:
                raise _Unsupported(pattern)
            in_class = True
            out.append(char)
            if pattern.startswith("^", i + 1):
                out.append("^")
                i += 1
            i += 1
            continue
        if char == "]" and in_class:
            in_class = False
        elif char == "&" and in_class and pattern.startswith("&&", i):
            raise _Unsupported(pattern)
        out.append(char)
        i += 1
    return "".join(out)


def _property_ranges(name: str) -> str:
    """The body of a character class for `\\p{name}`."""
    if name in _POSIX:
        return _POSIX[name]
    category = name.removeprefix("Is")
    if len(category) in (1, 2) and category[0] in "LMNPSZC":
        spans = _category_spans(category)
        if spans:
            return "".join(
                f"\\U{low:08X}" if low == high else f"\\U{low:08X}-\\U{high:08X}"
                for low, high in spans
            )
    raise _Unsupported(name)


@lru_cache(maxsize=64)
def _category_spans(prefix: str) -> tuple[tuple[int, int], ...]:
    """The code point ranges whose general category starts with `prefix` (`L`, `Lu`, `Zs`)."""
    chosen = sorted(
        span
        for category, spans in _category_table().items()
        if category.startswith(prefix)
        for span in spans
    )
    merged: list[tuple[int, int]] = []
    for low, high in chosen:
        if merged and merged[-1][1] + 1 == low:
            merged[-1] = (merged[-1][0], high)
        else:
            merged.append((low, high))
    return tuple(merged)


@lru_cache(maxsize=1)
def _category_table() -> MappingProxyType[str, tuple[tuple[int, int], ...]]:
    """Every general category with its runs of consecutive code points (one pass, ~0.2 s)."""
    table: dict[str, list[tuple[int, int]]] = {}
    start, current = 0, unicodedata.category(chr(0))
    for code in range(1, sys.maxunicode + 1):
        category = unicodedata.category(chr(code))
        if category != current:
            table.setdefault(current, []).append((start, code - 1))
            start, current = code, category
    table.setdefault(current, []).append((start, sys.maxunicode))
    return MappingProxyType({category: tuple(spans) for category, spans in table.items()})
