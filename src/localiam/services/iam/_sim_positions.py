"""Where each statement of a policy sits in its JSON text, as the policy simulator reports it.

The simulator's `Statement` result carries `StartPosition` and `EndPosition` (`Line`, `Column`,
both counted from 1) of every statement it names
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_Statement.html). AWS computes them with a
streaming JSON parser and reports the parser's location *after* a token, which gives these rules
(checked against published responses of the real service, single-line and indented documents):

- `Statement` holding one object: the statement starts just after its `{`;
- `Statement` holding an array: the first statement starts just after the `[`, every later one
  just after the `}` of the statement before it (the `,` between them is not yet read);
- every statement ends just after its own `}`.

Why a scan of our own: Python's `json` module, like every JSON library we could depend on
(`simplejson`, `orjson`, `ujson`), returns values without the places they came from. The scan
below walks only the top-level object and the `Statement` array; `json.JSONDecoder.raw_decode`
does the real parsing of every value and tells where it ends, so the hand-written part is the
few structural characters between values. Line breaks are `\\n`, `\\r\\n` or a lone `\\r`, as in
AWS's parser; a column counts characters (a tab is one).
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from dataclasses import dataclass

_DECODER = json.JSONDecoder()
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True, slots=True)
class Position:
    """A place in a text: line and column, both from 1."""

    line: int
    column: int

    def to_shape(self) -> dict[str, int]:
        return {"Line": self.line, "Column": self.column}


@dataclass(frozen=True, slots=True)
class Span:
    """Where one statement starts and ends."""

    start: Position
    end: Position


class _Text:
    def __init__(self, text: str) -> None:
        self.text = text
        self.line_starts = [0] + [m.end() for m in _LINE_BREAK.finditer(text)]

    def skip(self, offset: int) -> int:
        match = _WHITESPACE.match(self.text, offset)
        assert match is not None  # the pattern matches the empty string
        return match.end()

    def position(self, offset: int) -> Position:
        line = bisect_right(self.line_starts, offset)
        return Position(line, offset - self.line_starts[line - 1] + 1)

    def value_end(self, offset: int) -> int:
        _, end = _DECODER.raw_decode(self.text, offset)
        return int(end)


def statement_spans(text: str) -> tuple[Span, ...]:
    """The span of each statement of the policy `text`, in statement order.

    `text` is expected to be a valid policy (it was parsed before); anything unexpected yields no
    spans rather than an error, since positions only decorate a result.
    """
    try:
        return _spans(_Text(text))
    except (ValueError, IndexError):
        return ()


def _spans(doc: _Text) -> tuple[Span, ...]:
    text = doc.text
    i = doc.skip(0)
    if text[i] != "{":
        return ()
    i = doc.skip(i + 1)
    found: tuple[Span, ...] = ()
    while text[i] != "}":
        key, i = json.decoder.scanstring(text, i + 1)  # type: ignore[attr-defined]
        i = doc.skip(i)
        if text[i] != ":":
            return ()
        i = doc.skip(i + 1)
        if key == "Statement":
            found = _statement_value(doc, i)  # a repeated key counts once, the last, like json
        i = doc.skip(doc.value_end(i))
        if text[i] == ",":
            i = doc.skip(i + 1)
    return found


def _statement_value(doc: _Text, i: int) -> tuple[Span, ...]:
    text = doc.text
    if text[i] == "{":
        end = doc.value_end(i)
        return (Span(doc.position(i + 1), doc.position(end)),)
    if text[i] != "[":
        return ()
    spans: list[Span] = []
    after_previous = i + 1
    i = doc.skip(i + 1)
    while text[i] != "]":
        end = doc.value_end(i)
        spans.append(Span(doc.position(after_previous), doc.position(end)))
        after_previous = end
        i = doc.skip(end)
        if text[i] == ",":
            i = doc.skip(i + 1)
    return tuple(spans)
