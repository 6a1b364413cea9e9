"""What every condition operator shares: values compiled once, IfExists, set qualifiers.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from localiam.policy._context import Context
from localiam.policy._variables import Template
from localiam.policy._wildcard import Segment

# Compiles one policy value (given as text pieces, variable values marked literal); None means
# the value can never match (for example `abc` under NumericEquals).
Compiler = Callable[[tuple[Segment, ...]], Any]
# Tests one context value against one compiled policy value.
Tester = Callable[[str, Any], bool]


@dataclass(frozen=True, slots=True)
class Family:
    """One operator family: how its policy values compile and how one value is tested."""

    name: str
    compile: Compiler
    test: Tester


@dataclass(frozen=True, slots=True)
class Operator:
    """A condition operator as written, such as `ForAllValues:StringNotLikeIfExists`."""

    name: str
    family: Family
    negated: bool
    if_exists: bool
    qualifier: SetQualifier | None


class SetQualifier(enum.Enum):
    FOR_ANY_VALUE = "ForAnyValue"
    FOR_ALL_VALUES = "ForAllValues"


def _never(_: tuple[Segment, ...]) -> Any:
    return None


@dataclass(frozen=True, slots=True)
class PolicyValue:
    """A policy value: compiled at parse time, or a template resolved per request."""

    text: str
    compiled: Any
    template: Template | None

    def for_request(self, family: Family, context: Context) -> Any:
        if self.template is None:
            return self.compiled
        pieces = self.template.resolve(context)
        return None if pieces is None else family.compile(pieces)


@dataclass(frozen=True, slots=True)
class ConditionClause:
    """One key under one operator: `"StringLike": {"s3:prefix": ["home/", "home/*"]}`."""

    operator: Operator
    key: str  # as written in the policy
    key_lower: str
    values: tuple[PolicyValue, ...]

    def evaluate(self, context: Context) -> bool:
        op = self.operator
        raw = context.get(self.key_lower)
        if op.family.name == "Null":
            return _evaluate_null(raw, self.values)
        if raw is None or raw == ():
            if op.if_exists or op.qualifier is SetQualifier.FOR_ALL_VALUES:
                return True
            if op.qualifier is SetQualifier.FOR_ANY_VALUE:
                return False
            return op.negated
        family = op.family
        compiled = [v.for_request(family, context) for v in self.values]
        test = family.test

        def positive(value: str) -> bool:
            return any(c is not None and test(value, c) for c in compiled)

        values = raw if isinstance(raw, tuple) else (raw,)
        if op.qualifier is None:
            hit = any(positive(v) for v in values)
            return not hit if op.negated else hit
        if op.qualifier is SetQualifier.FOR_ANY_VALUE:
            return any(positive(v) != op.negated for v in values)
        return all(positive(v) != op.negated for v in values)


def _evaluate_null(raw: object, values: tuple[PolicyValue, ...]) -> bool:
    """Null: `true` matches an absent key (an empty list counts as absent), `false` a present one."""
    absent = raw is None or raw == ()
    for value in values:
        if value.compiled is None:
            continue
        if value.compiled == absent:
            return True
    return False
