"""Decode an AWS JSON 1.1 request: `X-Amz-Target` and body -> the operation and its parameters.

The protocol is Smithy's `awsJson1_1`, as botocore's `JSONSerializer` writes it: a POST whose
`X-Amz-Target` header is `<targetPrefix>.<Operation>` and whose body is the input structure as
a JSON object, members named by their `locationName` if they have one. Lists are arrays, maps
objects, timestamps epoch seconds, blobs base64 strings. The parameters come out as botocore's
serializer takes them in. Members the input shape does not define are ignored, and `null`
counts as absent, as AWS's JSON services do.
Source: https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Final, NoReturn

from localiam.protocol._errors import ServiceError, element_path, member_path

_INTEGER_BITS: Final = {"byte": 8, "short": 16, "integer": 32, "long": 64}
# Smithy writes the floats JSON cannot express as strings.
_SPECIAL_FLOATS: Final = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


class _Absent:
    """Marks a member the request sends as `null`."""


_ABSENT: Final = _Absent()


def decode_json(model: Any, target: str | None, body: bytes) -> tuple[Any, dict[str, Any]]:
    """The operation a JSON request names and its decoded input parameters.

    `target` is the `X-Amz-Target` header (`AWSOrganizationsV20161128.ListAccounts`); one that
    is missing, has another service's prefix or names an operation the model lacks is AWS's
    `UnknownOperationException`. An empty body is `{}`; a body that is not a JSON object, or a
    value of the wrong JSON type, is `SerializationException`. The parameters are not checked
    against the model's constraints here: that is `validate_input`.
    """
    if not target:
        raise ServiceError("UnknownOperationException", "Missing X-Amz-Target header", 400)
    prefix, _, name = target.rpartition(".")
    if prefix != model.metadata.get("targetPrefix") or name not in model.operation_names:
        raise ServiceError("UnknownOperationException", f"Could not find operation {target}", 400)
    operation = model.operation_model(name)
    document = _parse(body)
    shape = operation.input_shape
    if shape is None:
        return operation, {}
    return operation, _structure(shape, document, "")


def _parse(body: bytes) -> dict[str, Any]:
    """The body as a JSON object; `NaN` and `Infinity` literals are not JSON and are refused."""
    if not body.strip():
        return {}
    try:
        document = json.loads(body.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ServiceError(
            "SerializationException", "The request body is not valid JSON."
        ) from None
    if not isinstance(document, dict):
        raise ServiceError(
            "SerializationException",
            f"The request body must be a JSON object, not {_json_type(document)}.",
        )
    return document


def _no_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")


def _decode(shape: Any, value: Any, path: str) -> Any:
    if value is None:
        return _ABSENT
    kind = shape.type_name
    if kind == "structure":
        if shape.metadata.get("document"):
            return value
        return _structure(shape, value, path)
    if kind == "list":
        if not isinstance(value, list):
            _wrong_type(value, path, "an array")
        decoded = [
            _decode(shape.member, item, element_path(path, i)) for i, item in enumerate(value, 1)
        ]
        return [item for item in decoded if item is not _ABSENT]
    if kind == "map":
        if not isinstance(value, dict):
            _wrong_type(value, path, "an object")
        entries = (
            (key, _decode(shape.value, item, f"{path}.{key}")) for key, item in value.items()
        )
        return {key: item for key, item in entries if item is not _ABSENT}
    return _scalar(kind, value, path)


def _structure(shape: Any, value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        _wrong_type(value, path, "an object")
    decoded: dict[str, Any] = {}
    for name, member in shape.members.items():
        wire = str(member.serialization.get("name") or name)
        if wire in value:
            member_value = _decode(member, value[wire], member_path(path, name))
            if member_value is not _ABSENT:
                decoded[name] = member_value
    return decoded


def _scalar(kind: str, value: Any, path: str) -> Any:
    if kind in ("string", "character"):
        if isinstance(value, str):
            return value
        _wrong_type(value, path, "a string")
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        _wrong_type(value, path, "a boolean")
    if kind in _INTEGER_BITS or kind == "bigInteger":
        return _integer(kind, value, path)
    if kind in ("float", "double"):
        if isinstance(value, str) and value in _SPECIAL_FLOATS:
            return _SPECIAL_FLOATS[value]
        if _is_number(value):
            return float(value)
        _wrong_type(value, path, "a number")
    if kind == "bigDecimal":
        if _is_number(value):
            return Decimal(str(value))
        _wrong_type(value, path, "a number")
    if kind == "timestamp":
        return _timestamp(value, path)
    if kind == "blob":
        return _blob(value, path)
    return value


def _integer(kind: str, value: Any, path: str) -> int:
    """A whole JSON number (`5` or `5.0`) that fits the member's width; `true` is not one."""
    if not _is_number(value) or (isinstance(value, float) and not value.is_integer()):
        _wrong_type(value, path, "an integer")
    number = int(value)
    bits = _INTEGER_BITS.get(kind)
    if bits is not None and not -(2 ** (bits - 1)) <= number < 2 ** (bits - 1):
        raise ServiceError(
            "SerializationException", f"Value {number} at '{path}' is not a {bits}-bit integer."
        )
    return number


def _timestamp(value: Any, path: str) -> datetime:
    """Epoch seconds (what botocore sends), or an ISO 8601 string, as an aware UTC datetime."""
    try:
        if _is_number(value):
            return datetime.fromtimestamp(value, UTC)
        if isinstance(value, str):
            parsed = datetime.fromisoformat(value)
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=UTC)
            return parsed.astimezone(UTC)
    except (ValueError, OverflowError, OSError):
        pass
    _wrong_type(value, path, "a timestamp")


def _blob(value: Any, path: str) -> bytes:
    if isinstance(value, str):
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            pass
    _wrong_type(value, path, "a base64-encoded string")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _wrong_type(value: Any, path: str, expected: str) -> NoReturn:
    raise ServiceError(
        "SerializationException", f"Expected {expected} at '{path}', but got {_json_type(value)}."
    )


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return "null"
