"""Policy variables: `${aws:username}`, `${aws:PrincipalTag/team}`, `${key, 'default'}`, `${*}`.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
- Variables are replaced only under Version 2012-10-17; elsewhere the text is literal.
- `${*}`, `${?}` and `${$}` stand for the literal characters.
- A key the request does not carry (or carries with several values) leaves the variable
  unresolved, and the policy value that holds it matches nothing, unless a default is given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from localiam.policy._context import Context
from localiam.policy._wildcard import Segment

_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_DEFAULT = re.compile(r"^\s*([^,\s]+)\s*,\s*'([^']*)'\s*$")
_SPECIAL = {"*": "*", "?": "?", "$": "$"}


@dataclass(frozen=True, slots=True)
class Variable:
    """A `${...}` reference: the context key (lowercased) and its default, if any."""

    key: str
    default: str | None


@dataclass(frozen=True, slots=True)
class Escaped:
    """`${*}`, `${?}` or `${$}`: a character that is never a wildcard."""

    char: str


Part = str | Variable | Escaped


@dataclass(frozen=True, slots=True)
class Template:
    """A policy value with variables in it, split into literal text and variables."""

    text: str
    parts: tuple[Part, ...]

    def resolve(self, context: Context) -> tuple[Segment, ...] | None:
        """The value for this request as (text, is_literal) pieces, or None if unresolved.

        Pieces that came from a variable are literal: a `*` in a user name is not a wildcard.
        """
        out: list[Segment] = []
        for part in self.parts:
            if isinstance(part, str):
                out.append((part, False))
                continue
            if isinstance(part, Escaped):
                out.append((part.char, True))
                continue
            value = context.get(part.key)
            if isinstance(value, str):
                out.append((value, True))
            elif part.default is not None:
                out.append((part.default, True))
            else:
                return None
        return tuple(out)

    def resolve_text(self, context: Context) -> str | None:
        pieces = self.resolve(context)
        return None if pieces is None else "".join(text for text, _ in pieces)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(p.key for p in self.parts if isinstance(p, Variable))


def parse_template(text: str) -> Template | None:
    """Split `text` into literal and variable parts; None when it holds no variable."""
    if "${" not in text:
        return None
    parts: list[Part] = []
    pos = 0
    for m in _VARIABLE.finditer(text):
        if m.start() > pos:
            parts.append(text[pos : m.start()])
        inner = m.group(1)
        if inner in _SPECIAL:
            parts.append(Escaped(_SPECIAL[inner]))
        else:
            d = _DEFAULT.match(inner)
            if d:
                parts.append(Variable(d.group(1).lower(), d.group(2)))
            else:
                parts.append(Variable(inner.strip().lower(), None))
        pos = m.end()
    if pos < len(text):
        parts.append(text[pos:])
    merged: list[Part] = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] = merged[-1] + part
        else:
            merged.append(part)
    return Template(text, tuple(merged))
