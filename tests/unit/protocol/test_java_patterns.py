"""Java regular expressions of AWS models, read by Python's `re` with Java's meaning."""

import pytest

from localiam.protocol._patterns import compile_java_pattern

TAG = r"[\p{L}\p{Z}\p{N}_.:/=+\-@]+"
STS_ARN = r"[\u0009\u000A\u000D\u0020-\u007E\u0085\u00A0-\uD7FF\uE000-\uFFFD\u10000-\u10FFFF]+"


@pytest.mark.parametrize(
    ("pattern", "value", "matches"),
    [
        (TAG, "Team é 日本 ٣", True),  # letters, a space separator, an Arabic-Indic digit
        (TAG, "a\u3000b", True),  # IDEOGRAPHIC SPACE is Zs
        (TAG, "a,b", False),
        (TAG, "a\tb", False),  # a tab is Cc, not Z
        (TAG, "😀", False),  # So
        (r"[\w+=,.@-]+", "alice_b", True),
        (r"[\w+=,.@-]+", "josé", False),  # Java's \w is ASCII
        (r"[\d]*", "٣", False),  # and so is \d
        (r"[\d]*", "", True),
        (STS_ARN, "arn:aws:iam::123456789012:role/x", True),
        (STS_ARN, "\x00", False),
        (r"[\u0009\u000A\u000D\u0020-\u00FF]+", "ÿ", True),
        (r"[\u0009\u000A\u000D\u0020-\u00FF]+", "Ā", False),
        (r"^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$", "ab-cd", True),
        (r"^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$", "ab--cd", False),
        (r"\d{12}", "123456789012", True),
        (r"\d{12}", "1234567890123", False),  # the whole value must match
        (r"[abc]+", "abc\n", False),
        (r"\p{Alpha}+", "abcXYZ", True),
        (r"\p{Alpha}+", "é", False),
        (r"[^\p{L}]+", "123", True),
        (r"\P{L}+", "12", True),
        (r"\P{L}+", "a", False),
        (r"\p{Lu}\p{Ll}+", "Alice", True),
    ],
)
def test_patterns(pattern: str, value: str, matches: bool) -> None:
    compiled = compile_java_pattern(pattern)
    assert compiled is not None
    assert (compiled.fullmatch(value) is not None) is matches


@pytest.mark.parametrize(
    "pattern",
    [r"[\P{L}a]", r"[a-z&&[^e]]", r"\Qa.b\E", r"[a-z[A-Z]]", r"\p{IsGreek}", "(unclosed"],
)
def test_what_cannot_be_expressed_is_not_checked(pattern: str) -> None:
    assert compile_java_pattern(pattern) is None
