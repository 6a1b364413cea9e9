"""Decode an AWS query request: form fields -> the operation and its parameters.

The parameters come out as botocore's serializer takes them in (`{"UserName": "alice",
"Tags": [{"Key": "k", "Value": "v"}]}`), found by walking the operation's input shape:
structures as `Foo.Bar`, lists as `Names.member.1` (or `Names.1` when flattened), maps as
`Attrs.entry.1.key` / `Attrs.entry.1.value` (names per the model's `locationName`).
Form fields no member names are ignored, as AWS ignores them.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from email.utils import parsedate_to_datetime
from typing import Any, Final
from urllib.parse import parse_qsl

from localiam.protocol._errors import (
    ConstraintViolation,
    ServiceError,
    element_path,
    member_path,
)
from localiam.protocol._model import api_version, list_element_name, map_names, wire_name

_INTEGER_BITS: Final = {"byte": 8, "short": 16, "integer": 32, "long": 64}
_INTEGER: Final = re.compile(r"[+-]?[0-9]+")
_EPOCH: Final = re.compile(r"-?[0-9]+(\.[0-9]+)?")


class _Absent:
    """Marks a member the request does not carry."""


_ABSENT: Final = _Absent()


@dataclass(slots=True)
class _Node:
    """The form fields under one dotted prefix: `Tags` holds `member`, which holds `1`, ..."""

    value: str | None = None
    children: dict[str, _Node] = field(default_factory=dict)

    def indexed(self) -> list[_Node]:
        """The children named by positive integers, in numeric order."""
        numbered = [
            (int(name), child)
            for name, child in self.children.items()
            if name.isascii() and name.isdigit() and int(name) > 0
        ]
        return [child for _, child in sorted(numbered, key=lambda pair: pair[0])]


def form_parameters(query_string: str, content_type: str | None, body: bytes) -> dict[str, str]:
    """A query-protocol request's parameters: its query string, then a form-encoded body (one
    with no content type counts as form-encoded); SigV4's own `X-Amz-*` fields are left out.
    Bytes that are not UTF-8 or a malformed escape give AWS's `MalformedQueryString` (404)."""
    try:
        pairs = parse_qsl(query_string, keep_blank_values=True, errors="strict")
        kind = (content_type or "").lower()
        if body and (not kind or "x-www-form-urlencoded" in kind):
            pairs += parse_qsl(body.decode("utf-8"), keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise ServiceError("MalformedQueryString", "The query string is malformed.", 404) from None
    return {key: value for key, value in pairs if not key.startswith("X-Amz-")}


def decode_query(model: Any, form: Mapping[str, str]) -> tuple[Any, dict[str, Any]]:
    """The operation a query request names and its decoded input parameters.

    `Action` picks the operation; a `Version` other than the model's API version, or an action
    the model lacks, is AWS's `InvalidAction` ("Could not find operation X for version Y");
    no `Action` at all is `MissingAction`. A value that is not of its member's type (a number,
    `true`/`false`, a timestamp, base64) is a `ValidationError`. The parameters are not checked
    against the model's constraints here: that is `validate_input`.
    """
    action = form.get("Action")
    if not action:
        raise ServiceError.from_model(model, "MissingAction", "Missing Action")
    version = form.get("Version")
    if (version is not None and version != api_version(model)) or (
        action not in model.operation_names
    ):
        shown = api_version(model) if version is None else version
        raise ServiceError.from_model(
            model, "InvalidAction", f"Could not find operation {action} for version {shown}"
        )
    operation = model.operation_model(action)
    shape = operation.input_shape
    if shape is None:
        return operation, {}
    root = _Node()
    for key, value in form.items():
        node = root
        for part in key.split("."):
            node = node.children.setdefault(part, _Node())
        node.value = value
    return operation, _structure(shape, root, "")


def _decode(shape: Any, node: _Node, path: str) -> Any:
    kind = shape.type_name
    if kind == "structure":
        return _structure(shape, node, path)
    if kind == "list":
        return _list(shape, node, path)
    if kind == "map":
        return _map(shape, node, path)
    if node.value is None:
        return _ABSENT
    return _scalar(shape, node.value, path)


def _structure(shape: Any, node: _Node, path: str) -> dict[str, Any]:
    decoded: dict[str, Any] = {}
    for name, member in shape.members.items():
        child = node.children.get(wire_name(member, name))
        if child is None:
            continue
        value = _decode(member, child, member_path(path, name))
        if value is not _ABSENT:
            decoded[name] = value
    return decoded


def _list(shape: Any, node: _Node, path: str) -> Any:
    element_name = list_element_name(shape)
    holder = node if element_name is None else node.children.get(element_name)
    if holder is None or not holder.children:
        # botocore and the AWS SDKs send an empty list as `Names=`.
        return [] if node.value == "" else _ABSENT
    decoded = []
    for position, child in enumerate(holder.indexed(), 1):
        value = _decode(shape.member, child, element_path(path, position))
        if value is not _ABSENT:
            decoded.append(value)
    return decoded


def _map(shape: Any, node: _Node, path: str) -> Any:
    entry_name, key_name, value_name = map_names(shape)
    holder = node if entry_name is None else node.children.get(entry_name)
    if holder is None or not holder.children:
        return {} if node.value == "" else _ABSENT
    decoded: dict[Any, Any] = {}
    for entry in holder.indexed():
        key_node = entry.children.get(key_name)
        value_node = entry.children.get(value_name)
        if key_node is None or key_node.value is None or value_node is None:
            continue
        key = _scalar(shape.key, key_node.value, path)
        value = _decode(shape.value, value_node, f"{path}.{key}")
        if value is not _ABSENT:
            decoded[key] = value
    return decoded


def _scalar(shape: Any, raw: str, path: str) -> Any:
    kind = shape.type_name
    if kind in _INTEGER_BITS:
        bits = _INTEGER_BITS[kind]
        # The length bound keeps `int` away from absurdly long digit strings.
        if (
            len(raw) <= 21
            and _INTEGER.fullmatch(raw)
            and -(2 ** (bits - 1)) <= int(raw) < 2 ** (bits - 1)
        ):
            return int(raw)
        raise _malformed(shape, raw, path, f"Member must be a {bits}-bit integer")
    if kind in ("float", "double"):
        try:
            return float(raw)
        except ValueError:
            raise _malformed(shape, raw, path, "Member must be a number") from None
    if kind == "boolean":
        if raw.lower() in ("true", "false"):
            return raw.lower() == "true"
        raise _malformed(shape, raw, path, "Member must be true or false")
    if kind == "timestamp":
        return _timestamp(shape, raw, path)
    if kind == "blob":
        try:
            return base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            raise _malformed(shape, raw, path, "Member must be base64-encoded") from None
    if kind == "bigInteger" and len(raw) <= 4000 and _INTEGER.fullmatch(raw):
        return int(raw)
    if kind == "bigDecimal":
        try:
            return Decimal(raw)
        except InvalidOperation:
            raise _malformed(shape, raw, path, "Member must be a number") from None
    return raw


def _timestamp(shape: Any, raw: str, path: str) -> datetime:
    """An ISO 8601 timestamp, epoch seconds, or an RFC 822 date, as an aware UTC datetime."""
    try:
        if _EPOCH.fullmatch(raw):
            return datetime.fromtimestamp(float(raw), UTC)
        try:
            value = datetime.fromisoformat(raw)
        except ValueError:
            value = parsedate_to_datetime(raw)
    except (ValueError, TypeError, OverflowError, OSError):
        raise _malformed(shape, raw, path, "Member must be a timestamp") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _malformed(shape: Any, raw: str, path: str, constraint: str) -> ServiceError:
    sensitive = bool(shape.metadata.get("sensitive"))
    return ServiceError.validation([ConstraintViolation(path, constraint, raw, sensitive)])
