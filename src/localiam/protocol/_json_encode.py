"""Encode AWS JSON 1.1 responses: results and errors as JSON objects.

A result is walked along the operation's output shape, as botocore's JSON parser reads it:
structures become objects keyed by member (or `locationName`), lists arrays, maps objects,
timestamps epoch seconds with millisecond precision (`1764316097.123`, Smithy's
`epoch-seconds`), blobs base64 strings, and NaN or infinite floats the strings `NaN`,
`Infinity`, `-Infinity`. An error is `{"__type": code, "Message": message}` plus the further
members the error carries. Source: https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html
"""

from __future__ import annotations

import base64
import enum
import json
import math
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from localiam.protocol._errors import ServiceError

JSON_CONTENT_TYPE: Final = "application/x-amz-json-1.1"

_INTEGERS: Final = ("byte", "short", "integer", "long", "bigInteger")
_FLOATS: Final = ("float", "double", "bigDecimal")
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


def encode_json_result(operation: Any, result: Mapping[str, Any]) -> bytes:
    """The JSON body for `result`, a mapping of output member names to values.

    Members whose value is None are left out; a key the output shape does not define is a
    programming error (`ValueError`). An operation without output answers `{}`.
    """
    shape = operation.output_shape
    if shape is None:
        if result:
            raise ValueError(
                f"operation `{operation.name}` has no output, yet got {sorted(result)}"
            )
        return b"{}"
    return _dumps(_structure(shape, result))


def encode_json_error(model: Any, error: ServiceError) -> tuple[int, bytes]:
    """The HTTP status and JSON body for `error`: `{"__type": code, "Message": message, ...}`.

    The message member is named as the error's shape in `model` names it (Organizations'
    shapes say `Message`, many services' `message`); when `model` is None or defines no such
    shape, `message`. botocore reads either. `error.fields` follow, such as `Reason`; one that
    would replace `__type` or the message is a programming error (`ValueError`).
    """
    message_name = _message_name(model, error.code)
    body: dict[str, str] = {"__type": error.code, message_name: error.message}
    clashing = sorted(name for name in error.fields if name in body)
    if clashing:
        raise ValueError(f"error fields {clashing} would replace `__type` or the message")
    body.update(error.fields)
    return error.status, _dumps(body)


def _message_name(model: Any, code: str) -> str:
    if model is not None:
        for shape in model.error_shapes:
            wire_code = (shape.metadata.get("error") or {}).get("code", shape.name)
            if code in (wire_code, shape.name):
                for name, member in shape.members.items():
                    if name.lower() == "message":
                        return _wire_name(member, name)
    return "message"


def _structure(shape: Any, value: Mapping[str, Any]) -> dict[str, Any]:
    members = shape.members
    unknown = [key for key in value if key not in members]
    if unknown:
        raise ValueError(f"{sorted(unknown)} are not members of shape `{shape.name}`")
    return {
        _wire_name(member, name): _encode(member, value[name])
        for name, member in members.items()
        if value.get(name) is not None
    }


def _encode(shape: Any, value: Any) -> Any:
    if value is None:
        return None
    kind = shape.type_name
    if kind == "structure":
        if shape.metadata.get("document"):
            return value
        return _structure(shape, value)
    if kind == "list":
        return [_encode(shape.member, element) for element in value]
    if kind == "map":
        return {_scalar("string", key): _encode(shape.value, item) for key, item in value.items()}
    return _scalar(kind, value)


def _scalar(kind: str, value: Any) -> Any:
    if isinstance(value, enum.Enum):
        value = value.value
    if kind == "boolean":
        return bool(value)
    if kind in _INTEGERS:
        return int(value)
    if kind in _FLOATS:
        number = float(value)
        if math.isnan(number):
            return "NaN"
        if math.isinf(number):
            return "Infinity" if number > 0 else "-Infinity"
        return number
    if kind == "timestamp":
        return _epoch_seconds(value)
    if kind == "blob":
        raw = value.encode("utf-8") if isinstance(value, str) else bytes(value)
        return base64.b64encode(raw).decode("ascii")
    return str(value)


def _epoch_seconds(value: Any) -> int | float:
    """Seconds since the epoch, whole when the time is, else to the millisecond (truncated, as
    Java's `Instant.toEpochMilli` does). A naive datetime is taken to be UTC; an ISO 8601
    string is read; a number is taken as epoch seconds already."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    elapsed: timedelta = value - _EPOCH
    millis = (elapsed.days * 86400 + elapsed.seconds) * 1000 + elapsed.microseconds // 1000
    if millis % 1000 == 0:
        return millis // 1000
    # Dividing two ints rounds once, so 1764316097123 / 1000 is written `1764316097.123`.
    return millis / 1000


def _wire_name(shape: Any, member_name: str) -> str:
    return str(shape.serialization.get("name") or member_name)


def _dumps(document: Any) -> bytes:
    # A lone surrogate cannot be written as UTF-8; it becomes `?` rather than a failure.
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.encode("utf-8", "replace")
