"""localiam.policy._context: request context values as conditions compare them."""

from __future__ import annotations

import pytest

from localiam.policy import normalize_context
from localiam.policy._context import context_string


@pytest.mark.parametrize(
    ("value", "text"),
    [(True, "true"), (False, "false"), (3, "3"), (3.0, "3"), (2.5, "2.5"), ("Abc", "Abc")],
)
def test_context_string(value: object, text: str) -> None:
    assert context_string(value) == text


def test_normalize_lowercases_keys_and_stringifies_values() -> None:
    got = normalize_context(
        {"aws:SourceIp": "203.0.113.7", "aws:TagKeys": ["a", 1, True], "aws:SecureTransport": True}
    )
    assert got == {
        "aws:sourceip": "203.0.113.7",
        "aws:tagkeys": ("a", "1", "true"),
        "aws:securetransport": "true",
    }


def test_empty_list_stays_an_empty_tuple() -> None:
    assert normalize_context({"aws:TagKeys": []}) == {"aws:tagkeys": ()}
