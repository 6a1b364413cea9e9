"""Bool, BinaryEquals and Null.

Bool compares `true`/`false` without regard to case; BinaryEquals compares the bytes of two
base64 values; Null tests whether a key is absent (its values are compiled here, evaluated in
`_base`)."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from localiam.policy._wildcard import Segment
from localiam.policy.conditions._base import Family


def _text(pieces: tuple[Segment, ...]) -> str:
    return "".join(text for text, _ in pieces)


def _bool_compile(pieces: tuple[Segment, ...]) -> str | None:
    value = _text(pieces).strip().lower()
    return value if value in ("true", "false") else None


def _bool_test(value: str, compiled: Any) -> bool:
    return bool(value.strip().lower() == compiled)


def _decode(text: str) -> bytes | None:
    try:
        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None


def _binary_compile(pieces: tuple[Segment, ...]) -> bytes | None:
    return _decode(_text(pieces))


def _binary_test(value: str, compiled: Any) -> bool:
    decoded = _decode(value)
    return decoded is not None and decoded == compiled


def _null_compile(pieces: tuple[Segment, ...]) -> bool | None:
    value = _text(pieces).strip().lower()
    return {"true": True, "false": False}.get(value)


def _null_test(value: str, compiled: Any) -> bool:  # pragma: no cover - Null is special-cased
    return False


BOOL = Family("Bool", _bool_compile, _bool_test)
BINARY_EQUALS = Family("BinaryEquals", _binary_compile, _binary_test)
NULL = Family("Null", _null_compile, _null_test)
