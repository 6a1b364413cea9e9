"""Check decoded input against the constraints of the service model, in AWS's words.

AWS reports every broken constraint of a request at once, as one `ValidationError`:
"2 validation errors detected: Value '' at 'roleArn' failed to satisfy constraint: Member
must satisfy regular expression pattern: ...; Value '' at 'roleArn' failed to satisfy
constraint: Member must have length greater than or equal to 20". Members are visited in the
model's order; for one value the pattern is reported before the length, as STS does.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from localiam.protocol._errors import (
    ConstraintViolation,
    ServiceError,
    element_path,
    member_path,
)
from localiam.protocol._patterns import compile_java_pattern

_NUMBERS = ("byte", "short", "integer", "long", "float", "double", "bigInteger", "bigDecimal")


def validate_input(operation: Any, params: Mapping[str, Any]) -> None:
    """Raise AWS's `ValidationError` naming every constraint `params` breaks.

    Checked: required members ("Member must not be null"), the length of strings, lists, maps
    and blobs (`min`/`max`; string length counted in UTF-16 code units as Java counts it),
    `pattern`, `enum`, and the `min`/`max` of numbers.
    """
    found = input_violations(operation, params)
    if found:
        raise ServiceError.validation(found)


def input_violations(operation: Any, params: Mapping[str, Any]) -> list[ConstraintViolation]:
    """Every constraint `params` breaks, in the order `validate_input` reports them.

    For services that answer with their own error rather than `ValidationError`, such as
    Organizations' `InvalidInputException`, whose `Reason` follows each violation's `kind`.
    """
    shape = operation.input_shape
    found: list[ConstraintViolation] = []
    if shape is not None:
        _check_structure(shape, params, "", found)
    return found


def _check(shape: Any, value: Any, path: str, found: list[ConstraintViolation]) -> None:
    kind = shape.type_name
    if kind == "structure" and isinstance(value, Mapping):
        _check_structure(shape, value, path, found)
    elif kind == "list" and isinstance(value, Sequence) and not isinstance(value, str):
        _check_length(shape, value, len(value), path, found)
        for position, element in enumerate(value, 1):
            if element is not None:
                _check(shape.member, element, element_path(path, position), found)
    elif kind == "map" and isinstance(value, Mapping):
        _check_length(shape, value, len(value), path, found)
        _check_map_entries(shape, value, path, found)
    elif kind == "string" and isinstance(value, str):
        _check_string(shape, value, path, found)
    elif kind == "blob" and isinstance(value, bytes | bytearray):
        _check_length(shape, value, len(value), path, found)
    elif kind in _NUMBERS and isinstance(value, int | float) and not isinstance(value, bool):
        _check_range(shape, value, path, found)


def _check_structure(
    shape: Any, value: Mapping[str, Any], path: str, found: list[ConstraintViolation]
) -> None:
    required = set(shape.required_members)
    for name, member in shape.members.items():
        member_value = value.get(name)
        where = member_path(path, name)
        if member_value is None:
            if name in required:
                found.append(
                    ConstraintViolation(where, "Member must not be null", None, kind="required")
                )
            continue
        _check(member, member_value, where, found)


def _check_string(shape: Any, value: str, path: str, found: list[ConstraintViolation]) -> None:
    pattern = shape.metadata.get("pattern")
    if pattern is not None:
        compiled = compile_java_pattern(pattern)
        if compiled is not None and compiled.fullmatch(value) is None:
            found.append(
                _violation(
                    shape,
                    value,
                    path,
                    f"Member must satisfy regular expression pattern: {pattern}",
                    "pattern",
                )
            )
    _check_length(shape, value, len(value.encode("utf-16-le")) // 2, path, found)
    enum = shape.enum
    if enum and value not in enum:
        allowed = ", ".join(enum)
        found.append(
            _violation(
                shape, value, path, f"Member must satisfy enum value set: [{allowed}]", "enum"
            )
        )


def _check_length(
    shape: Any, value: Any, length: int, path: str, found: list[ConstraintViolation]
) -> None:
    low = shape.metadata.get("min")
    high = shape.metadata.get("max")
    if low is not None and length < low:
        sentence = f"Member must have length greater than or equal to {_number(low)}"
        found.append(_violation(shape, value, path, sentence, "min_length"))
    if high is not None and length > high:
        sentence = f"Member must have length less than or equal to {_number(high)}"
        found.append(_violation(shape, value, path, sentence, "max_length"))


def _check_range(shape: Any, value: float, path: str, found: list[ConstraintViolation]) -> None:
    low = shape.metadata.get("min")
    high = shape.metadata.get("max")
    if low is not None and value < low:
        sentence = f"Member must have value greater than or equal to {_number(low)}"
        found.append(_violation(shape, value, path, sentence, "min_value"))
    if high is not None and value > high:
        sentence = f"Member must have value less than or equal to {_number(high)}"
        found.append(_violation(shape, value, path, sentence, "max_value"))


def _check_map_entries(
    shape: Any, value: Mapping[Any, Any], path: str, found: list[ConstraintViolation]
) -> None:
    """Keys and scalar values are reported for the whole map, as AWS does:
    "Map keys must satisfy constraint: [Member must have length less than or equal to 128]".
    Values that are structures or lists are checked inside, at `path.<key>`. Such a
    violation's `kind` is that of the first rule the keys (or values) break.
    """
    for role, member, items in (
        ("keys", shape.key, list(value.keys())),
        ("value", shape.value, list(value.values())),
    ):
        if member.type_name in ("structure", "list", "map"):
            for key, item in value.items():
                if item is not None:
                    _check(member, item, f"{path}.{key}", found)
            continue
        sentences: list[str] = []
        kinds: list[str] = []
        for item in items:
            broken: list[ConstraintViolation] = []
            _check(member, item, path, broken)
            for violation in broken:
                if violation.constraint not in sentences:
                    sentences.append(violation.constraint)
                    kinds.append(violation.kind)
        if sentences:
            sentence = f"Map {role} must satisfy constraint: [{', '.join(sentences)}]"
            found.append(_violation(shape, value, path, sentence, kinds[0]))


def _violation(
    shape: Any, value: Any, path: str, constraint: str, kind: str
) -> ConstraintViolation:
    sensitive = bool(shape.metadata.get("sensitive"))
    return ConstraintViolation(path, constraint, _shown(value), sensitive, kind)


def _shown(value: Any) -> str:
    """A value as AWS's (Java) messages print it: `[a, b]` for lists, `{k=v}` for maps."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}={_shown(v)}" for k, v in value.items()) + "}"
    if isinstance(value, Sequence):
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    return str(value)


def _number(limit: float) -> str:
    return str(int(limit)) if float(limit).is_integer() else str(limit)
