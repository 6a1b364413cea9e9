"""What a DynamoDB request touches, read from its parameters the way DynamoDB reads them: the
top-level attribute names (dynamodb:Attributes) of keys, items and expressions, and the
partition-key values (dynamodb:LeadingKeys) of keys, items and key conditions.

Expressions are tokenized, not evaluated: a path starts with a name (`Genre`) or a placeholder
(`#g`, resolved with ExpressionAttributeNames); what follows a `.` or sits in `[...]` is nested
and not an attribute of the item; a name followed by `(` is a function; the keywords of the
expression grammar (AND, OR, NOT, BETWEEN, IN, SET, REMOVE, ADD, DELETE) are not names
(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.html).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from localiam.protocol import ServiceError

_TOKEN = re.compile(
    r"\s+|(?P<name>#[A-Za-z0-9_]+)|(?P<value>:[A-Za-z0-9_]+)|(?P<word>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<number>[0-9]+)|(?P<op><>|<=|>=|[=<>(),.\[\]+\-])"
)
_KEYWORDS = frozenset({"and", "or", "not", "between", "in", "set", "remove", "add", "delete"})

Token = tuple[str, str]  # (kind, text): kind is name, value, word, number or op


def tokens(expression: str, kind: str) -> list[Token]:
    """The tokens of `expression`; a character no expression may hold is DynamoDB's syntax
    error for the parameter `kind` (ProjectionExpression, ...)."""
    found: list[Token] = []
    position = 0
    while position < len(expression):
        match = _TOKEN.match(expression, position)
        if match is None:
            raise ServiceError(
                "ValidationException",
                f'Invalid {kind}: Syntax error; token: "{expression[position]}", '
                f'near: "{expression[max(0, position - 2) : position + 2]}"',
            )
        position = match.end()
        if match.lastgroup is not None:
            found.append((match.lastgroup, match.group()))
    return found


def resolve_name(token: Token, names: Mapping[str, str], kind: str) -> str:
    """The attribute a name token means: itself, or the placeholder's value."""
    token_kind, text = token
    if token_kind != "name":
        return text
    if text not in names:
        raise ServiceError(
            "ValidationException",
            f"Invalid {kind}: An expression attribute name used in the document path is not "
            f"defined; attribute name: {text}",
        )
    return names[text]


def _is_path_start(found: Sequence[Token], index: int) -> bool:
    kind, text = found[index]
    if kind not in ("name", "word"):
        return False
    if kind == "word" and text.lower() in _KEYWORDS:
        return False
    if index > 0 and found[index - 1] == ("op", "."):
        return False
    return not (index + 1 < len(found) and found[index + 1] == ("op", "("))


def expression_names(expression: str | None, kind: str, names: Mapping[str, str]) -> list[str]:
    """The top-level attribute names `expression` reads or writes, in order, once each."""
    if not expression:
        return []
    found = tokens(expression, kind)
    return _unique(
        resolve_name(t, names, kind) for i, t in enumerate(found) if _is_path_start(found, i)
    )


def key_condition_values(
    expression: str | None,
    names: Mapping[str, str],
    values: Mapping[str, Any],
    partition_key: str,
) -> list[str]:
    """The values a KeyConditionExpression sets the partition key equal to (`#pk = :v` or
    `:v = pk`): what DynamoDB's Query reads, so its dynamodb:LeadingKeys."""
    if not expression:
        return []
    found = tokens(expression, "KeyConditionExpression")
    pinned: list[str] = []
    for index, token in enumerate(found):
        if token != ("op", "=") or index == 0 or index + 1 >= len(found):
            continue
        for path, other in ((index - 1, index + 1), (index + 1, index - 1)):
            if (
                _is_path_start(found, path)
                and _single_element(found, path)
                and resolve_name(found[path], names, "KeyConditionExpression") == partition_key
                and found[other][0] == "value"
            ):
                pinned.append(attribute_text(_value(found[other][1], values)))
    return _unique(pinned)


def _single_element(found: Sequence[Token], index: int) -> bool:
    """Whether the path starting at `index` is a whole attribute (no `.member` or `[n]`)."""
    return index + 1 >= len(found) or found[index + 1] not in (("op", "."), ("op", "["))


def _value(placeholder: str, values: Mapping[str, Any]) -> Any:
    if placeholder not in values:
        raise ServiceError(
            "ValidationException",
            "Invalid KeyConditionExpression: An expression attribute value used in expression "
            f"is not defined; attribute value: {placeholder}",
        )
    return values[placeholder]


def attribute_text(value: Any) -> str:
    """A key's AttributeValue as policies compare it: the string or number as written, a
    binary value base64-encoded as on the wire."""
    if isinstance(value, Mapping):
        for kind in ("S", "N"):
            if kind in value:
                return str(value[kind])
        if "B" in value:
            data = value["B"]
            return base64.b64encode(data).decode() if isinstance(data, bytes) else str(data)
        if value:
            return str(next(iter(value.values())))
    return str(value)


def legacy_key_condition_values(conditions: Mapping[str, Any], partition_key: str) -> list[str]:
    """The partition-key values of a legacy KeyConditions map (`EQ` on the partition key)."""
    condition = conditions.get(partition_key)
    if not isinstance(condition, Mapping) or condition.get("ComparisonOperator") != "EQ":
        return []
    return [attribute_text(v) for v in condition.get("AttributeValueList", [])[:1]]


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def request_attributes(params: Mapping[str, Any]) -> list[str]:
    """Every top-level attribute name an item request (or one element of a batch or
    transaction) names: its key and item, the attributes it projects, updates or tests in
    expressions and in the legacy parameters. "These attributes can be read, written, or
    evaluated in a conditional write or scan filter"
    (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html)."""
    names: Mapping[str, str] = params.get("ExpressionAttributeNames") or {}
    found: list[str] = []
    for member in ("Key", "Item"):
        found.extend(params.get(member) or {})
    for keys in params.get("Keys") or []:
        found.extend(keys)
    for member in (
        "KeyConditionExpression",
        "ProjectionExpression",
        "FilterExpression",
        "ConditionExpression",
        "UpdateExpression",
    ):
        found.extend(expression_names(params.get(member), member, names))
    found.extend(params.get("AttributesToGet") or [])
    for member in ("AttributeUpdates", "Expected", "KeyConditions", "QueryFilter", "ScanFilter"):
        found.extend(params.get(member) or {})
    return _unique(found)


def has_projection(params: Mapping[str, Any]) -> bool:
    return bool(params.get("ProjectionExpression") or params.get("AttributesToGet"))
