"""localiam.policy.conditions._bool: Bool, BinaryEquals (Null is in test_conditions_base)."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from localiam.policy import PolicyKind, parse_policy
from localiam.policy.conditions import ConditionClause


def clause(op: str, key: str, values: Any) -> ConditionClause:
    d = parse_policy(
        {
            "Version": "2012-10-17",
            "Statement": {
                "Effect": "Allow",
                "Action": "s3:*",
                "Resource": "*",
                "Condition": {op: {key: values}},
            },
        },
        PolicyKind.IDENTITY,
    )
    return d.statements[0].conditions[0]


@pytest.mark.parametrize(
    ("policy", "value", "expected"),
    [
        ("true", "true", True),
        (True, "true", True),
        ("True", "TRUE", True),
        ("true", "false", False),
        (False, "false", True),
        ("false", "true", False),
        ("true", "yes", False),
        ("true", "1", False),
        ("maybe", "maybe", False),  # not a boolean: never matches
    ],
)
def test_bool(policy: Any, value: str, expected: bool) -> None:
    c = clause("Bool", "aws:SecureTransport", policy)
    assert c.evaluate({"aws:securetransport": value}) is expected


def test_bool_if_exists() -> None:
    c = clause("BoolIfExists", "aws:MultiFactorAuthPresent", "false")
    assert c.evaluate({})
    assert not c.evaluate({"aws:multifactorauthpresent": "true"})


@settings(max_examples=200, deadline=None)
@given(policy=st.binary(max_size=12), value=st.binary(max_size=12))
def test_binary_equals_compares_decoded_bytes(policy: bytes, value: bytes) -> None:
    c = clause("BinaryEquals", "s3:x", base64.b64encode(policy).decode())
    assert c.evaluate({"s3:x": base64.b64encode(value).decode()}) == (policy == value)


@pytest.mark.parametrize("value", ["not base64!", "QUJ", "QU"])
def test_binary_equals_rejects_bad_base64(value: str) -> None:
    assert not clause("BinaryEquals", "s3:x", "QUJD").evaluate({"s3:x": value})
    assert not clause("BinaryEquals", "s3:x", value).evaluate({"s3:x": value})
