"""Encode query-protocol responses: results and errors as AWS's XML documents.

A result is walked along the operation's output shape: structures become elements named by
member (or `locationName`), lists wrap each element in `<member>` (repeat the element itself
when flattened), maps become `<entry><key>..</key><value>..</value></entry>`, timestamps are
ISO 8601 UTC to the second (`2026-11-28T07:28:17Z`), booleans `true`/`false`, blobs base64.
"""

from __future__ import annotations

import base64
import enum
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from localiam.protocol._errors import ServiceError
from localiam.protocol._model import list_element_name, map_names, wire_name, xml_namespace


def encode_query_result(operation: Any, result: Mapping[str, Any], request_id: str) -> bytes:
    """The `<OpResponse>` document for `result`, a mapping of output member names to values.

    Members whose value is None are left out; a key the output shape does not define is a
    programming error (`ValueError`). An operation without output answers only its
    `ResponseMetadata`.
    """
    name = operation.name
    out = [f"<{name}Response{_xmlns(xml_namespace(operation.service_model))}>"]
    shape = operation.output_shape
    if shape is not None:
        wrapper = shape.serialization.get("resultWrapper")
        if wrapper:
            out.append(f"<{wrapper}>")
        _members(shape, result, out)
        if wrapper:
            out.append(f"</{wrapper}>")
    elif result:
        raise ValueError(f"operation `{name}` has no output, yet got {sorted(result)}")
    out.append(
        f"<ResponseMetadata><RequestId>{_escape(request_id)}</RequestId></ResponseMetadata>"
        f"</{name}Response>"
    )
    return _bytes(out)


def encode_query_error(model: Any, error: ServiceError, request_id: str) -> tuple[int, bytes]:
    """The HTTP status and `<ErrorResponse>` document for `error`.

    `model` (a botocore `ServiceModel`, or None when no service was recognised) gives the
    document's XML namespace.
    """
    namespace = xml_namespace(model) if model is not None else None
    out = [
        f"<ErrorResponse{_xmlns(namespace)}><Error>",
        f"<Type>{'Sender' if error.sender else 'Receiver'}</Type>",
        f"<Code>{_escape(error.code)}</Code>",
        f"<Message>{_escape(error.message)}</Message>",
        f"</Error><RequestId>{_escape(request_id)}</RequestId></ErrorResponse>",
    ]
    return error.status, _bytes(out)


def _members(shape: Any, value: Mapping[str, Any], out: list[str]) -> None:
    members = shape.members
    unknown = [key for key in value if key not in members]
    if unknown:
        raise ValueError(f"{sorted(unknown)} are not members of shape `{shape.name}`")
    for name, member in members.items():
        member_value = value.get(name)
        if member_value is not None:
            _element(member, wire_name(member, name), member_value, out)


def _element(shape: Any, tag: str, value: Any, out: list[str]) -> None:
    kind = shape.type_name
    if kind == "structure":
        out.append(f"<{tag}>")
        _members(shape, value, out)
        out.append(f"</{tag}>")
    elif kind == "list":
        element_name = list_element_name(shape)
        if element_name is None:
            for element in value:
                _element(shape.member, tag, element, out)
            return
        out.append(f"<{tag}>")
        for element in value:
            _element(shape.member, element_name, element, out)
        out.append(f"</{tag}>")
    elif kind == "map":
        entry_name, key_name, value_name = map_names(shape)
        if entry_name is not None:
            out.append(f"<{tag}>")
        for key, item in value.items():
            out.append(f"<{entry_name or tag}>")
            _element(shape.key, key_name, key, out)
            _element(shape.value, value_name, item, out)
            out.append(f"</{entry_name or tag}>")
        if entry_name is not None:
            out.append(f"</{tag}>")
    else:
        out.append(f"<{tag}>{_escape(_scalar_text(kind, value))}</{tag}>")


def _scalar_text(kind: str, value: Any) -> str:
    if isinstance(value, enum.Enum):
        value = value.value
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "timestamp":
        return _timestamp_text(value)
    if kind == "blob":
        raw = value.encode("utf-8") if isinstance(value, str) else bytes(value)
        return base64.b64encode(raw).decode("ascii")
    if kind in ("float", "double") and not isinstance(value, str):
        return repr(float(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _timestamp_text(value: Any) -> str:
    """ISO 8601 in UTC to the second, as IAM and STS write dates: `2026-11-28T07:28:17Z`."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        value = datetime.fromtimestamp(value, UTC)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return str(value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))


def _escape(text: str) -> str:
    """Text for an XML element: `&`, `<`, `>` escaped, and `\\r` kept as a reference so that
    XML parsers' line-end normalisation does not turn it into `\\n`."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#xD;")
    )


def _xmlns(namespace: str | None) -> str:
    if not namespace:
        return ""
    return ' xmlns="' + _escape(namespace).replace('"', "&quot;") + '"'


def _bytes(parts: list[str]) -> bytes:
    # A lone surrogate cannot be written as UTF-8; it becomes `?` rather than a failure.
    return "".join(parts).encode("utf-8", "replace")
