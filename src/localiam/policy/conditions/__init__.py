"""Condition operators, one module per family, and the table that names them."""

from __future__ import annotations

from localiam.policy.conditions._arn import ARN_LIKE
from localiam.policy.conditions._base import (
    ConditionClause,
    Family,
    Operator,
    PolicyValue,
    SetQualifier,
)
from localiam.policy.conditions._bool import BINARY_EQUALS, BOOL, NULL
from localiam.policy.conditions._date import (
    DATE_EQUALS,
    DATE_GREATER_THAN,
    DATE_GREATER_THAN_EQUALS,
    DATE_LESS_THAN,
    DATE_LESS_THAN_EQUALS,
)
from localiam.policy.conditions._ip import IP_ADDRESS
from localiam.policy.conditions._numeric import (
    NUMERIC_EQUALS,
    NUMERIC_GREATER_THAN,
    NUMERIC_GREATER_THAN_EQUALS,
    NUMERIC_LESS_THAN,
    NUMERIC_LESS_THAN_EQUALS,
)
from localiam.policy.conditions._string import (
    STRING_EQUALS,
    STRING_EQUALS_IGNORE_CASE,
    STRING_LIKE,
)

# Operator base name -> (family, negated). The page lists every one:
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
OPERATORS: dict[str, tuple[Family, bool]] = {
    "StringEquals": (STRING_EQUALS, False),
    "StringNotEquals": (STRING_EQUALS, True),
    "StringEqualsIgnoreCase": (STRING_EQUALS_IGNORE_CASE, False),
    "StringNotEqualsIgnoreCase": (STRING_EQUALS_IGNORE_CASE, True),
    "StringLike": (STRING_LIKE, False),
    "StringNotLike": (STRING_LIKE, True),
    "NumericEquals": (NUMERIC_EQUALS, False),
    "NumericNotEquals": (NUMERIC_EQUALS, True),
    "NumericLessThan": (NUMERIC_LESS_THAN, False),
    "NumericLessThanEquals": (NUMERIC_LESS_THAN_EQUALS, False),
    "NumericGreaterThan": (NUMERIC_GREATER_THAN, False),
    "NumericGreaterThanEquals": (NUMERIC_GREATER_THAN_EQUALS, False),
    "DateEquals": (DATE_EQUALS, False),
    "DateNotEquals": (DATE_EQUALS, True),
    "DateLessThan": (DATE_LESS_THAN, False),
    "DateLessThanEquals": (DATE_LESS_THAN_EQUALS, False),
    "DateGreaterThan": (DATE_GREATER_THAN, False),
    "DateGreaterThanEquals": (DATE_GREATER_THAN_EQUALS, False),
    "Bool": (BOOL, False),
    "BinaryEquals": (BINARY_EQUALS, False),
    "IpAddress": (IP_ADDRESS, False),
    "NotIpAddress": (IP_ADDRESS, True),
    "ArnEquals": (ARN_LIKE, False),
    "ArnLike": (ARN_LIKE, False),
    "ArnNotEquals": (ARN_LIKE, True),
    "ArnNotLike": (ARN_LIKE, True),
    "Null": (NULL, False),
}


def parse_operator(name: str) -> Operator | None:
    """The operator named `name` (with its qualifier and IfExists), or None if IAM has none."""
    base = name
    qualifier: SetQualifier | None = None
    for q in SetQualifier:
        prefix = q.value + ":"
        if base.startswith(prefix):
            qualifier = q
            base = base[len(prefix) :]
            break
    if_exists = base.endswith("IfExists") and base != "IfExists"
    if if_exists:
        base = base[: -len("IfExists")]
    entry = OPERATORS.get(base)
    if entry is None or (base == "Null" and if_exists):
        return None
    family, negated = entry
    return Operator(name, family, negated, if_exists, qualifier)


__all__ = [
    "OPERATORS",
    "ConditionClause",
    "Family",
    "Operator",
    "PolicyValue",
    "SetQualifier",
    "parse_operator",
]
