"""The request context as conditions and policy variables read it.

Keys are stored lowercased (condition key names are case-insensitive:
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html);
a value is a string or, for a multivalued key, a tuple of strings.
"""

from __future__ import annotations

from collections.abc import Mapping

ContextValue = str | tuple[str, ...]
Context = Mapping[str, ContextValue]


def context_string(value: object) -> str:
    """The string form IAM compares: booleans as `true`/`false`, numbers as written."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def normalize_context(raw: Mapping[str, object]) -> dict[str, ContextValue]:
    """Lowercase the keys and turn every value into a string or a tuple of strings."""
    out: dict[str, ContextValue] = {}
    for key, value in raw.items():
        if isinstance(value, list | tuple):
            out[key.lower()] = tuple(context_string(v) for v in value)
        else:
            out[key.lower()] = context_string(value)
    return out
