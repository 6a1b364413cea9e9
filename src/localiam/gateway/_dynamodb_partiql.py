"""PartiQL statements as DynamoDB authorizes them: the statement's verb (SELECT, INSERT, UPDATE,
DELETE -> dynamodb:PartiQL<Verb>), the table or index it names, the attributes it reads or
writes, the partition-key values it pins, and RETURNING's values
(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-iam.html).

Statements are tokenized and their clauses located, not evaluated. A statement whose shape
is not one of DynamoDB's four is `PartiQLShapeError`: the gateway then cannot say which table
it acts on, and refuses it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from localiam.gateway._dynamodb_expressions import attribute_text
from localiam.protocol import ServiceError

_TOKEN = re.compile(
    r"\s+"
    r"|(?P<string>'(?:[^']|'')*')"
    r'|(?P<ident>"(?:[^"]|"")*")'
    r"|(?P<number>[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<param>\?)"
    r"|(?P<op><<|>>|<>|!=|<=|>=|\|\||[=<>(){}\[\],.:*+\-/%])"
)
_KEYWORDS = frozenset({
    "select", "from", "where", "and", "or", "not", "in", "between", "is", "missing", "null",
    "true", "false", "set", "remove", "insert", "into", "value", "update", "delete", "exists",
    "returning", "all", "old", "new", "modified", "order", "by", "asc", "desc",
})  # fmt: skip
_RETURNING = {
    ("all", "old"): "ALL_OLD",
    ("modified", "old"): "UPDATED_OLD",
    ("all", "new"): "ALL_NEW",
    ("modified", "new"): "UPDATED_NEW",
}
_OPEN = {"(": ")", "[": "]", "{": "}", "<<": ">>"}


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # string, ident, number, word, param, op
    text: str
    parameter: int = -1  # the position of a `?` among the statement's parameters

    def is_word(self, *words: str) -> bool:
        return self.kind == "word" and self.text.lower() in words

    def is_op(self, text: str) -> bool:
        return self.kind == "op" and self.text == text

    @property
    def name(self) -> str:
        """An identifier's name: `"Music"` -> Music, `Music` -> Music."""
        if self.kind == "ident":
            return self.text[1:-1].replace('""', '"')
        return self.text


class PartiQLShapeError(ValueError):
    """A statement that is not a SELECT, INSERT, UPDATE or DELETE localiam can read."""


@dataclass(frozen=True, slots=True)
class Statement:
    """One PartiQL statement: `verb` is Select, Insert, Update or Delete."""

    verb: str
    table: str
    index: str | None
    attributes: tuple[str, ...]
    all_attributes: bool = False
    returning: str | None = None
    where: tuple[Token, ...] = ()
    item: Mapping[str, Token] = field(default_factory=dict)

    def pinned(self, attribute: str, parameters: Sequence[Any]) -> list[str] | None:
        """The values the statement sets `attribute` equal to (INSERT's item, or an equality
        or IN of the WHERE clause in every disjunct), None when it does not pin it."""
        if self.verb == "Insert":
            token = self.item.get(attribute)
            return None if token is None else [_literal(token, parameters)]
        found = _pins(list(self.where), attribute)
        return None if found is None else [_literal(t, parameters) for t in found]


def tokenize(text: str) -> list[Token]:
    found: list[Token] = []
    position = 0
    parameters = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise PartiQLShapeError(f"unexpected character {text[position]!r}")
        position = match.end()
        kind = match.lastgroup
        if kind is None:
            continue
        if kind == "param":
            found.append(Token(kind, "?", parameters))
            parameters += 1
        else:
            found.append(Token(kind, match.group()))
    return found


def parse_statement(text: str) -> Statement:
    """The statement `text` is; `EXISTS(SELECT ...)` (a condition of ExecuteTransaction) is
    its SELECT."""
    found = tokenize(text)
    if found and found[0].is_word("exists"):
        if len(found) < 3 or not found[1].is_op("(") or _close(found, 1) != len(found) - 1:
            raise PartiQLShapeError("EXISTS needs one parenthesized SELECT")
        found = found[2:-1]
    if not found or found[0].kind != "word":
        raise PartiQLShapeError("a statement starts with SELECT, INSERT, UPDATE or DELETE")
    verb = found[0].text.lower()
    if verb == "select":
        return _select(found)
    if verb == "insert":
        return _insert(found)
    if verb == "update":
        return _update(found)
    if verb == "delete":
        return _delete(found)
    raise PartiQLShapeError(f"unknown statement {found[0].text}")


def _select(found: list[Token]) -> Statement:
    start = _find_word(found, 1, "from")
    projection = found[1:start]
    table, index, after = _table(found, start + 1)
    where = _clause(found, after, "where")
    rest = found[after:]
    return Statement(
        "Select",
        table,
        index,
        tuple(_unique(_names(projection) + _names(rest))),
        all_attributes=len(projection) == 1 and projection[0].is_op("*"),
        where=tuple(where),
    )


def _insert(found: list[Token]) -> Statement:
    if len(found) < 2 or not found[1].is_word("into"):
        raise PartiQLShapeError("INSERT needs INTO")
    table, index, after = _table(found, 2)
    if after >= len(found) or not found[after].is_word("value"):
        raise PartiQLShapeError("INSERT needs VALUE")
    start = after + 1
    if start >= len(found) or not found[start].is_op("{"):
        raise PartiQLShapeError("INSERT's VALUE is a tuple")
    end = _close(found, start)
    item: dict[str, Token] = {}
    depth = 0
    for position in range(start + 1, end):
        token = found[position]
        if token.kind == "op" and token.text in _OPEN:
            depth += 1
        elif token.kind == "op" and token.text in _OPEN.values():
            depth -= 1
        elif (
            depth == 0
            and token.kind == "string"
            and position + 2 < end
            and found[position + 1].is_op(":")
        ):
            item[_unquote(token)] = found[position + 2]
    return Statement("Insert", table, index, tuple(item), item=item)


def _update(found: list[Token]) -> Statement:
    table, index, after = _table(found, 1)
    body = found[after:]
    return Statement(
        "Update",
        table,
        index,
        tuple(_unique(_names(_without_returning(body)))),
        returning=_returning(body),
        where=tuple(_clause(found, after, "where")),
    )


def _delete(found: list[Token]) -> Statement:
    if len(found) < 2 or not found[1].is_word("from"):
        raise PartiQLShapeError("DELETE needs FROM")
    table, index, after = _table(found, 2)
    body = found[after:]
    return Statement(
        "Delete",
        table,
        index,
        tuple(_unique(_names(_without_returning(body)))),
        returning=_returning(body),
        where=tuple(_clause(found, after, "where")),
    )


def _table(found: list[Token], position: int) -> tuple[str, str | None, int]:
    """The table (and index) named at `position`, and the position after them."""
    if position >= len(found) or found[position].kind not in ("ident", "word"):
        raise PartiQLShapeError("a table name is expected")
    table = found[position].name
    if position + 1 < len(found) and found[position + 1].is_op("."):
        if position + 2 >= len(found) or found[position + 2].kind not in ("ident", "word"):
            raise PartiQLShapeError("an index name is expected")
        return table, found[position + 2].name, position + 3
    return table, None, position + 1


def _find_word(found: Sequence[Token], start: int, word: str) -> int:
    depth = 0
    for position in range(start, len(found)):
        token = found[position]
        if token.kind == "op" and token.text in _OPEN:
            depth += 1
        elif token.kind == "op" and token.text in _OPEN.values():
            depth -= 1
        elif depth == 0 and token.is_word(word):
            return position
    raise PartiQLShapeError(f"{word.upper()} is expected")


def _clause(found: list[Token], start: int, word: str) -> list[Token]:
    """The tokens of the top-level clause `word` (WHERE ...) up to RETURNING or ORDER."""
    try:
        begin = _find_word(found, start, word) + 1
    except PartiQLShapeError:
        return []
    end = begin
    depth = 0
    while end < len(found):
        token = found[end]
        if token.kind == "op" and token.text in _OPEN:
            depth += 1
        elif token.kind == "op" and token.text in _OPEN.values():
            depth -= 1
        elif depth == 0 and token.is_word("returning", "order"):
            break
        end += 1
    return found[begin:end]


def _close(found: Sequence[Token], start: int) -> int:
    """The position of the bracket closing the one at `start`."""
    depth = 0
    for position in range(start, len(found)):
        token = found[position]
        if token.kind == "op" and token.text in _OPEN:
            depth += 1
        elif token.kind == "op" and token.text in _OPEN.values():
            depth -= 1
            if depth == 0:
                return position
    raise PartiQLShapeError("unbalanced brackets")


def _names(found: Sequence[Token]) -> list[str]:
    """The top-level attribute names in `found`: identifiers that start a path, are not a
    keyword and do not call a function."""
    names: list[str] = []
    for position, token in enumerate(found):
        if token.kind not in ("ident", "word"):
            continue
        if token.kind == "word" and token.text.lower() in _KEYWORDS:
            continue
        if position > 0 and found[position - 1].is_op("."):
            continue
        if position + 1 < len(found) and found[position + 1].is_op("("):
            continue
        names.append(token.name)
    return names


def _without_returning(found: list[Token]) -> list[Token]:
    for position, token in enumerate(found):
        if token.is_word("returning"):
            return found[:position]
    return found


def _returning(found: list[Token]) -> str | None:
    for position, token in enumerate(found):
        if token.is_word("returning") and position + 2 < len(found):
            key = (found[position + 1].text.lower(), found[position + 2].text.lower())
            return _RETURNING.get(key)
    return None


def _split(found: list[Token], word: str) -> list[list[Token]]:
    """`found` split at its top-level `word` (AND / OR); BETWEEN's own AND does not split."""
    parts: list[list[Token]] = [[]]
    depth = 0
    between = False
    for token in found:
        if token.kind == "op" and token.text in _OPEN:
            depth += 1
        elif token.kind == "op" and token.text in _OPEN.values():
            depth -= 1
        if depth == 0 and token.is_word("between"):
            between = True
        if depth == 0 and token.is_word(word):
            if word == "and" and between:
                between = False
            else:
                parts.append([])
                continue
        parts[-1].append(token)
    return parts


def _pins(found: list[Token], attribute: str) -> list[Token] | None:
    """The literals `found` (a condition) sets `attribute` equal to in each of its disjuncts,
    None when some disjunct leaves it free."""
    if not found:
        return None
    values: list[Token] = []
    for disjunct in _split(found, "or"):
        pinned = _pins_of_conjunction(disjunct, attribute)
        if pinned is None:
            return None
        values.extend(pinned)
    return values


def _pins_of_conjunction(found: list[Token], attribute: str) -> list[Token] | None:
    for conjunct in _split(found, "and"):
        if (
            len(conjunct) > 1
            and conjunct[0].is_op("(")
            and _close(conjunct, 0) == len(conjunct) - 1
        ):
            nested = _pins(conjunct[1:-1], attribute)
            if nested is not None:
                return nested
            continue
        pinned = _pins_of_comparison(conjunct, attribute)
        if pinned is not None:
            return pinned
    return None


def _pins_of_comparison(found: list[Token], attribute: str) -> list[Token] | None:
    literal = ("string", "number", "param")
    if len(found) == 3 and found[1].is_op("="):
        left, right = found[0], found[2]
        if _is_attribute(left, attribute) and right.kind in literal:
            return [right]
        if _is_attribute(right, attribute) and left.kind in literal:
            return [left]
    if (
        len(found) >= 4
        and _is_attribute(found[0], attribute)
        and found[1].is_word("in")
        and found[2].kind == "op"
        and found[2].text in ("(", "[")
        and _close(found, 2) == len(found) - 1
    ):
        items = found[3:-1]
        values = items[0::2]
        commas = items[1::2]
        if all(v.kind in literal for v in values) and all(c.is_op(",") for c in commas):
            return values
    return None


def _is_attribute(token: Token, attribute: str) -> bool:
    if token.kind == "word" and token.text.lower() in _KEYWORDS:
        return False
    return token.kind in ("ident", "word") and token.name == attribute


def _literal(token: Token, parameters: Sequence[Any]) -> str:
    if token.kind == "string":
        return _unquote(token)
    if token.kind == "param":
        if token.parameter >= len(parameters):
            raise ServiceError(
                "ValidationException",
                "Number of parameters in request and statement don't match.",
            )
        return attribute_text(parameters[token.parameter])
    return token.text


def _unquote(token: Token) -> str:
    return token.text[1:-1].replace("''", "'")


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
