"""The context keys a policy refers to, as GetContextKeysForCustomPolicy and
GetContextKeysForPrincipalPolicy list them.

https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetContextKeysForCustomPolicy.html: every
key named in a `Condition` block and every policy variable (`${aws:username}`) in `Resource`,
`NotResource` and condition values, spelt as the policy writes it, each once (key names compare
ignoring case), in the order they appear. Variables count only under Version 2012-10-17, where
they are substituted; `${*}`, `${?}` and `${$}` are escapes, not keys.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_ESCAPES = {"*", "?", "$"}


def _variables(value: object) -> Iterator[str]:
    texts = value if isinstance(value, list) else [value]
    for text in texts:
        if not isinstance(text, str):
            continue
        for match in _VARIABLE.finditer(text):
            inner = match.group(1)
            if inner in _ESCAPES:
                continue
            key = inner.split(",", 1)[0].strip()  # `${key, 'default'}`
            if key:
                yield key


def _statement_keys(statement: Mapping[str, Any], variables: bool) -> Iterator[str]:
    for element, value in statement.items():
        if element in ("Resource", "NotResource") and variables:
            yield from _variables(value)
        elif element == "Condition" and isinstance(value, Mapping):
            for block in value.values():
                if not isinstance(block, Mapping):
                    continue
                for key, values in block.items():
                    yield key
                    if variables:
                        yield from _variables(values)


def policy_keys(text: str) -> Iterator[str]:
    """The context keys one (already validated) policy text refers to, in document order."""
    raw = json.loads(text)
    if not isinstance(raw, Mapping):
        return
    variables = raw.get("Version") == "2012-10-17"
    statements = raw.get("Statement")
    for statement in statements if isinstance(statements, list) else [statements]:
        if isinstance(statement, Mapping):
            yield from _statement_keys(statement, variables)


def distinct_keys(texts: Iterable[str]) -> list[str]:
    """The keys of several policies, each once (the first spelling met), in order met."""
    seen: dict[str, str] = {}
    for text in texts:
        for key in policy_keys(text):
            seen.setdefault(key.lower(), key)
    return list(seen.values())
