"""Wildcard patterns (`*` and `?`) compiled once into regular expressions.

IAM uses the same two wildcards everywhere (Action, Resource, StringLike, ArnLike), but where a
wildcard may stop differs: actions and strings match freely, ARNs match segment by segment
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html).
`fnmatch` is not used because it also treats `[...]` as a character class, which IAM does not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# A text piece and whether it came from a policy variable: variable values are always literal.
Segment = tuple[str, bool]


def has_wildcard(text: str) -> bool:
    return "*" in text or "?" in text


def glob_regex_source(segments: Iterable[Segment]) -> str:
    """Regex source for a free wildcard pattern: `*` is any run of characters, `?` any one."""
    out: list[str] = []
    for text, literal in segments:
        if literal:
            out.append(re.escape(text))
            continue
        for ch in text:
            if ch == "*":
                out.append(".*")
            elif ch == "?":
                out.append(".")
            else:
                out.append(re.escape(ch))
    return "".join(out)


def compile_glob(pattern: str, *, ignore_case: bool = False) -> re.Pattern[str]:
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    return re.compile(glob_regex_source([(pattern, False)]) + r"\Z", flags)


def arn_regex_source(segments: Iterable[Segment], *, trailing_star_spans: bool = True) -> str:
    """Regex source for an ARN pattern, matched as AWS matches Resource and ArnLike.

    The first five colon-separated parts (arn, partition, service, region, account) are matched
    one by one: there `*` and `?` stay inside their part. The sixth part (the resource, which may
    itself contain colons) matches freely. In the Resource element a `*` that is the last
    character of a part may also run past the colons (`trailing_star_spans`); the ARN condition
    operators check each part on its own
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN).
    """
    flat: list[tuple[str, bool]] = []
    for text, literal in segments:
        flat.extend((ch, literal) for ch in text)
    out: list[str] = []
    colons = 0
    for i, (ch, literal) in enumerate(flat):
        if literal:
            out.append(re.escape(ch))
            if ch == ":":
                colons += 1
            continue
        if ch == ":":
            colons += 1
            out.append(":")
        elif ch == "*":
            at_end_of_part = trailing_star_spans and (i + 1 == len(flat) or flat[i + 1][0] == ":")
            out.append(".*" if colons >= 5 or at_end_of_part else "[^:]*")
        elif ch == "?":
            out.append("." if colons >= 5 else "[^:]")
        else:
            out.append(re.escape(ch))
    return "".join(out)


def compile_arn(pattern: str) -> re.Pattern[str]:
    return re.compile(arn_regex_source([(pattern, False)]) + r"\Z", re.DOTALL)


class LazyPattern:
    """A regular expression compiled on its first use.

    Most statements of a large policy set never meet a request that reaches their wildcard
    patterns, so compiling every pattern at parse time would make cold start the slowest part.
    The compiled form is a memo of `source`; the object is otherwise immutable.
    """

    __slots__ = ("_compiled", "flags", "source")

    def __init__(self, source: str, flags: int = 0) -> None:
        self.source = source
        self.flags = flags
        self._compiled: re.Pattern[str] | None = None

    def match(self, text: str) -> bool:
        compiled = self._compiled
        if compiled is None:
            compiled = self._compiled = re.compile(self.source, self.flags)
        return compiled.match(text) is not None

    def __repr__(self) -> str:
        return f"LazyPattern({self.source!r})"


def split_patterns(patterns: Iterable[str]) -> tuple[frozenset[str], tuple[str, ...], list[str]]:
    """Sort wildcard patterns into exact values, plain prefixes (`abc*`) and the rest."""
    exact: set[str] = set()
    prefixes: list[str] = []
    rest: list[str] = []
    for p in patterns:
        if not has_wildcard(p):
            exact.add(p)
        elif p.endswith("*") and not has_wildcard(p[:-1]):
            prefixes.append(p[:-1])
        else:
            rest.append(p)
    return frozenset(exact), tuple(prefixes), rest
