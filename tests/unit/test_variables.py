"""localiam.policy._variables: `${...}` policy variables, defaults and escapes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from localiam.policy._variables import Escaped, Template, Variable, parse_template


def test_text_without_variables_is_not_a_template() -> None:
    assert parse_template("arn:aws:s3:::bucket/*") is None
    assert parse_template("$ {not} a variable") is None


def test_parts_split_literal_text_and_variables() -> None:
    t = parse_template("arn:aws:s3:::b/${aws:username}/*")
    assert t is not None
    assert t.parts == ("arn:aws:s3:::b/", Variable("aws:username", None), "/*")
    assert t.text == "arn:aws:s3:::b/${aws:username}/*"


def test_variable_keys_are_lowercased_and_stripped() -> None:
    t = parse_template("${ aws:PrincipalTag/Team }")
    assert t is not None
    assert t.parts == (Variable("aws:principaltag/team", None),)
    assert t.keys == ("aws:principaltag/team",)


def test_default_value() -> None:
    t = parse_template("${aws:PrincipalTag/team, 'none'}")
    assert t is not None
    assert t.parts == (Variable("aws:principaltag/team", "none"),)
    assert t.resolve_text({}) == "none"
    assert t.resolve_text({"aws:principaltag/team": "red"}) == "red"


def test_default_may_be_empty() -> None:
    t = parse_template("x${aws:foo,''}y")
    assert t is not None
    assert t.resolve_text({}) == "xy"


@pytest.mark.parametrize("char", ["*", "?", "$"])
def test_escapes_are_literal_characters(char: str) -> None:
    t = parse_template(f"a${{{char}}}b")
    assert t is not None
    assert t.parts == ("a", Escaped(char), "b")
    assert t.resolve({}) == (("a", False), (char, True), ("b", False))


def test_adjacent_literal_parts_are_merged() -> None:
    # an unterminated `${` stays in the text, merged with what follows
    t = parse_template("a${x}b${c")
    assert t is not None
    assert t.parts == ("a", Variable("x", None), "b${c")


def test_missing_key_leaves_the_template_unresolved() -> None:
    t = parse_template("home/${aws:username}")
    assert t is not None
    assert t.resolve({}) is None
    assert t.resolve_text({}) is None


def test_multivalued_key_is_unresolved_unless_a_default_is_given() -> None:
    t = parse_template("${aws:TagKeys}")
    d = parse_template("${aws:TagKeys, 'x'}")
    assert t is not None and d is not None
    context = {"aws:tagkeys": ("a", "b")}
    assert t.resolve(context) is None
    assert d.resolve_text(context) == "x"


def test_variable_values_are_marked_literal() -> None:
    t = parse_template("${aws:username}*")
    assert t is not None
    assert t.resolve({"aws:username": "a*b"}) == (("a*b", True), ("*", False))


@settings(max_examples=200, deadline=None)
@given(
    prefix=st.text(alphabet="ab/*:", max_size=5),
    value=st.text(alphabet="ab*?${}", max_size=6),
    suffix=st.text(alphabet="ab/*:", max_size=5),
)
def test_resolution_concatenates_the_value(prefix: str, value: str, suffix: str) -> None:
    t = parse_template(f"{prefix}${{aws:username}}{suffix}")
    assert isinstance(t, Template)
    assert t.resolve_text({"aws:username": value}) == prefix + value + suffix
