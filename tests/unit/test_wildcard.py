"""localiam.policy._wildcard: glob and ARN patterns against independent reference matchers."""

from __future__ import annotations

import re
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from localiam.policy._wildcard import (
    LazyPattern,
    arn_regex_source,
    compile_arn,
    compile_glob,
    glob_regex_source,
    has_wildcard,
    split_patterns,
)

BOUNDED = settings(max_examples=200, deadline=None)


# --- reference matchers (dynamic programming over tokens, no regular expressions) -------------

Token = tuple[str, str, bool]  # (kind: "lit" | "one" | "star", literal char, may cross a colon)


def _match_tokens(tokens: tuple[Token, ...], text: str) -> bool:
    @cache
    def go(i: int, j: int) -> bool:
        if i == len(tokens):
            return j == len(text)
        kind, char, spans = tokens[i]
        if kind == "lit":
            return j < len(text) and text[j] == char and go(i + 1, j + 1)
        if kind == "one":
            return j < len(text) and (spans or text[j] != ":") and go(i + 1, j + 1)
        # star: match nothing, or eat one character and stay on the star
        if go(i + 1, j):
            return True
        return j < len(text) and (spans or text[j] != ":") and go(i, j + 1)

    return go(0, 0)


def ref_glob(pattern: str, text: str) -> bool:
    tokens = tuple(
        ("star", "", True) if c == "*" else ("one", "", True) if c == "?" else ("lit", c, True)
        for c in pattern
    )
    return _match_tokens(tokens, text)


def ref_arn(pattern: str, text: str, trailing_star_spans: bool) -> bool:
    """The rule as stated: wildcards in the first five colon-separated parts stay in their part,
    except a `*` ending a part when trailing_star_spans; in the sixth part they match freely."""
    tokens: list[Token] = []
    for i, c in enumerate(pattern):
        part = pattern[:i].count(":")
        if c == "*":
            last_of_part = i + 1 == len(pattern) or pattern[i + 1] == ":"
            tokens.append(("star", "", part >= 5 or (trailing_star_spans and last_of_part)))
        elif c == "?":
            tokens.append(("one", "", part >= 5))
        else:
            tokens.append(("lit", c, True))
    return _match_tokens(tuple(tokens), text)


def ref_arn_by_parts(pattern: str, text: str) -> bool:
    """ArnLike as the docs state it: the six parts are matched one by one."""
    p_parts, t_parts = pattern.split(":", 5), text.split(":", 5)
    return len(p_parts) == len(t_parts) and all(
        ref_glob(p, t) for p, t in zip(p_parts, t_parts, strict=True)
    )


# --- compile_glob ------------------------------------------------------------------------------

GLOB_TEXT = st.text(alphabet="ab.[]\\\n", max_size=8)
GLOB_PATTERN = st.text(alphabet="ab.[]\\\n*?", max_size=8)


@BOUNDED
@given(pattern=GLOB_PATTERN, text=GLOB_TEXT)
def test_compile_glob_agrees_with_reference(pattern: str, text: str) -> None:
    assert (compile_glob(pattern).match(text) is not None) == ref_glob(pattern, text)


@BOUNDED
@given(text=GLOB_TEXT, data=st.data())
def test_a_text_matches_itself_with_any_characters_replaced_by_wildcards(
    text: str, data: st.DataObject
) -> None:
    chars = [data.draw(st.sampled_from([c, "?", "*"])) for c in text]
    pattern = "".join(chars)
    assert compile_glob(pattern).match(text) is not None


@BOUNDED
@given(pattern=st.text(alphabet="aAbB*?", max_size=8), text=st.text(alphabet="aAbB", max_size=8))
def test_compile_glob_ignore_case(pattern: str, text: str) -> None:
    got = compile_glob(pattern, ignore_case=True).match(text) is not None
    assert got == ref_glob(pattern.lower(), text.lower())
    assert (compile_glob(pattern).match(text) is not None) == ref_glob(pattern, text)


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        ("s3:Get*", "s3:GetObject", True),
        ("s3:Get*", "s3:PutObject", False),
        ("s3:Get?bject", "s3:GetObject", True),
        ("s3:Get?bject", "s3:Getbject", False),
        ("[ab]", "a", False),  # no character classes, unlike fnmatch
        ("[ab]", "[ab]", True),
        ("a.c", "abc", False),  # `.` is literal
        ("*", "", True),
        ("?", "", False),
        ("a*", "a\nb", True),  # `*` crosses newlines
        ("abc", "abcd", False),  # anchored at the end
    ],
)
def test_compile_glob_examples(pattern: str, text: str, expected: bool) -> None:
    assert (compile_glob(pattern).match(text) is not None) is expected


def test_glob_regex_source_keeps_variable_values_literal() -> None:
    source = glob_regex_source([("home/", False), ("a*?", True), ("/*", False)])
    regex = re.compile(source + r"\Z", re.DOTALL)
    assert regex.match("home/a*?/x")
    assert not regex.match("home/abc/x")


# --- arn_regex_source --------------------------------------------------------------------------

ARN_TEXT = st.text(alphabet="ab:", max_size=12)
ARN_PATTERN = st.text(alphabet="ab:*?", max_size=12)


def _arn_matches(pattern: str, text: str, trailing: bool) -> bool:
    regex = re.compile(arn_regex_source([(pattern, False)], trailing_star_spans=trailing) + r"\Z")
    return regex.match(text) is not None


@BOUNDED
@given(pattern=ARN_PATTERN, text=ARN_TEXT, trailing=st.booleans())
def test_arn_regex_agrees_with_segment_reference(pattern: str, text: str, trailing: bool) -> None:
    assert _arn_matches(pattern, text, trailing) == ref_arn(pattern, text, trailing)


@BOUNDED
@given(pattern=ARN_PATTERN, text=ARN_TEXT)
def test_arn_without_trailing_span_matches_part_by_part(pattern: str, text: str) -> None:
    assert _arn_matches(pattern, text, False) == ref_arn_by_parts(pattern, text)


@BOUNDED
@given(text=ARN_TEXT, data=st.data())
def test_arn_pattern_derived_from_text_matches_it(text: str, data: st.DataObject) -> None:
    pattern = "".join(data.draw(st.sampled_from([c, "?", "*"])) if c != ":" else c for c in text)
    assert _arn_matches(pattern, text, False)
    assert _arn_matches(pattern, text, True)


@pytest.mark.parametrize(
    ("pattern", "text", "trailing", "expected"),
    [
        # `*` inside the region part stays in it
        ("arn:aws:s3:*x:111122223333:b", "arn:aws:s3:us:x:111122223333:b", True, False),
        # a trailing `*` of a part crosses colons in the Resource element...
        ("arn:aws:iam::*", "arn:aws:iam::111122223333:role/R", True, True),
        # ...but not under the ARN condition operators
        ("arn:aws:iam::*", "arn:aws:iam::111122223333:role/R", False, False),
        ("arn:aws:iam::*:role/R", "arn:aws:iam::111122223333:role/R", False, True),
        # `?` never crosses a colon in the first five parts
        ("arn:aws:s3?::b", "arn:aws:s3:::b", True, False),
        # the sixth part (resource) matches freely, colons included
        (
            "arn:aws:logs:us-east-1:1:log-group:*",
            "arn:aws:logs:us-east-1:1:log-group:g:s",
            False,
            True,
        ),
        ("arn:aws:logs:us-east-1:1:*:x", "arn:aws:logs:us-east-1:1:a:b:x", False, True),
        ("arn:aws:logs:us-east-1:1:a?b", "arn:aws:logs:us-east-1:1:a:b", False, True),
    ],
)
def test_arn_examples(pattern: str, text: str, trailing: bool, expected: bool) -> None:
    assert _arn_matches(pattern, text, trailing) is expected


def test_arn_literal_segments_count_colons() -> None:
    # a variable value holding colons moves the part count on, and its `*` is literal
    pieces = [("arn:aws:s3:::", False), ("a*:b", True), ("/*", False)]
    regex = re.compile(arn_regex_source(pieces) + r"\Z")
    assert regex.match("arn:aws:s3:::a*:b/x:y")
    assert not regex.match("arn:aws:s3:::abc:b/x")


def test_compile_arn_is_anchored_and_dotall() -> None:
    assert compile_arn("arn:aws:s3:::b/*").match("arn:aws:s3:::b/x\ny")
    assert not compile_arn("arn:aws:s3:::b").match("arn:aws:s3:::bb")


# --- helpers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"), [("abc", False), ("a*", True), ("?", True), ("", False)]
)
def test_has_wildcard(text: str, expected: bool) -> None:
    assert has_wildcard(text) is expected


def test_split_patterns_sorts_exact_prefix_and_rest() -> None:
    exact, prefixes, rest = split_patterns(["s3:getobject", "s3:get*", "s3:*object", "*", "a?*"])
    assert exact == frozenset({"s3:getobject"})
    assert prefixes == ("s3:get", "")
    assert rest == ["s3:*object", "a?*"]


@BOUNDED
@given(patterns=st.lists(st.text(alphabet="ab*?", max_size=5), max_size=5), text=ARN_TEXT)
def test_split_patterns_preserves_meaning(patterns: list[str], text: str) -> None:
    exact, prefixes, rest = split_patterns(patterns)
    via_split = (
        text in exact or text.startswith(prefixes) or any(compile_glob(p).match(text) for p in rest)
    )
    assert via_split == any(ref_glob(p, text) for p in patterns)


def test_lazy_pattern_compiles_once_on_first_use() -> None:
    lazy = LazyPattern(r"ab+\Z")
    assert lazy._compiled is None
    assert lazy.match("abbb")
    first = lazy._compiled
    assert first is not None
    assert not lazy.match("abc")
    assert lazy._compiled is first
    assert "ab+" in repr(lazy)
