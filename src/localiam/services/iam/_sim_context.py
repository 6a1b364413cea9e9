"""The simulator's request context: `ContextEntries` checked against their `ContextKeyType`.

https://docs.aws.amazon.com/IAM/latest/APIReference/API_ContextEntry.html: each entry names a
key, its values and their type (`string`, `numeric`, `boolean`, `ip`, `binary`, `date`, each with
a `...List` form for multivalued keys). The simulator supplies only these values: it derives no
key from the simulated caller, and neither the time nor the source address of the call, so a
policy that reads `aws:username` or `aws:CurrentTime` needs them given
(https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_testing-policies.html).
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
from collections.abc import Mapping, Sequence
from typing import Any

from localiam.policy import ContextValue

# The very parsers the Date and Numeric operators apply, so that a value accepted here is one
# the conditions can compare.
from localiam.policy.conditions._date import parse_date
from localiam.policy.conditions._numeric import parse_number
from localiam.services.iam._errors import invalid_input


def _numeric(value: str) -> str | None:
    return value if parse_number(value) is not None else None


def _boolean(value: str) -> str | None:
    lowered = value.strip().lower()
    return lowered if lowered in ("true", "false") else None


def _ip(value: str) -> str | None:
    try:
        ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    return value.strip()


def _date(value: str) -> str | None:
    return value if parse_date(value) is not None else None


def _binary(value: str) -> str | None:
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None
    return value


def _string(value: str) -> str | None:
    return value


# Each base type and how one of its values is checked (and normalised).
_CHECKS = {
    "string": _string,
    "numeric": _numeric,
    "boolean": _boolean,
    "ip": _ip,
    "binary": _binary,
    "date": _date,
}


def context_from_entries(entries: Sequence[Mapping[str, Any]] | None) -> dict[str, ContextValue]:
    """The request context the entries describe, keys lowercased as the engine reads them.

    Raises `InvalidInput` for an entry without a name or type, a value that is not of its type,
    or a single-valued type given other than one value. A key given twice keeps its last entry.
    """
    context: dict[str, ContextValue] = {}
    for number, entry in enumerate(entries or (), start=1):
        name = entry.get("ContextKeyName")
        key_type = entry.get("ContextKeyType")
        values = [str(v) for v in entry.get("ContextKeyValues") or ()]
        if not name:
            raise invalid_input(f"ContextEntries.member.{number}: ContextKeyName is required.")
        if not key_type:
            raise invalid_input(f"ContextKeyType is required for context key {name}.")
        is_list = key_type.endswith("List")
        check = _CHECKS.get(key_type[: -len("List")] if is_list else key_type)
        if check is None:
            raise invalid_input(f"Invalid ContextKeyType {key_type} for context key {name}.")
        if not is_list and len(values) != 1:
            raise invalid_input(
                f"Context key {name} of type {key_type} takes exactly one value; "
                f"{len(values)} were given."
            )
        checked: list[str] = []
        for value in values:
            normal = check(value)
            if normal is None:
                raise invalid_input(
                    f"Invalid value {value} for context key {name} of type {key_type}."
                )
            checked.append(normal)
        context[name.lower()] = tuple(checked) if is_list else checked[0]
    return context
