"""localiam.policy._errors: findings carry their place; errors carry every finding."""

from __future__ import annotations

from localiam.policy import MalformedPolicyDocument, PolicyFinding


def test_finding_str_includes_location_when_there_is_one() -> None:
    assert str(PolicyFinding("Statement[1].Effect", "Invalid effect: x")) == (
        "Statement[1].Effect: Invalid effect: x"
    )
    assert str(PolicyFinding("", "Syntax errors in policy.")) == "Syntax errors in policy."


def test_error_keeps_all_findings_and_answers_with_the_first() -> None:
    err = MalformedPolicyDocument([PolicyFinding("A", "first"), PolicyFinding("B", "second")])
    assert isinstance(err, ValueError)
    assert err.message == "first"
    assert str(err) == "A: first; B: second"
    assert len(err.findings) == 2


def test_error_without_findings_has_aws_default_message() -> None:
    assert MalformedPolicyDocument([]).message == "Syntax errors in policy."


def test_prefixed_locates_findings_inside_a_place() -> None:
    err = MalformedPolicyDocument(
        [PolicyFinding("Statement[0].Effect", "x"), PolicyFinding("", "y")]
    )
    moved = err.prefixed("identityPolicies[2]")
    assert [f.location for f in moved.findings] == [
        "identityPolicies[2].Statement[0].Effect",
        "identityPolicies[2]",
    ]
    assert [f.message for f in moved.findings] == ["x", "y"]
    assert [f.location for f in err.findings] == ["Statement[0].Effect", ""]  # unchanged
