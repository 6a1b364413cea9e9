"""The policy language as frozen types. A document is parsed once into these; matchers are
compiled at parse time and the evaluator never sees raw JSON.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field

from localiam.policy._context import Context
from localiam.policy._principal import PrincipalMatcher
from localiam.policy._variables import Template
from localiam.policy._wildcard import LazyPattern, arn_regex_source
from localiam.policy.conditions import ConditionClause


class PolicyKind(enum.Enum):
    """Which policy type a document is; each has its own rules of form."""

    IDENTITY = "identity"
    RESOURCE = "resource"
    TRUST = "trust"
    BOUNDARY = "boundary"
    SESSION = "session"
    SCP = "scp"
    RCP = "rcp"


class Effect(enum.Enum):
    ALLOW = "Allow"
    DENY = "Deny"


@dataclass(frozen=True, slots=True)
class ActionMatcher:
    """Action or NotAction: case-insensitive, `*` and `?` wildcards.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
    """

    patterns: tuple[str, ...]
    negated: bool
    match_all: bool
    exact: frozenset[str]  # lowercased actions without wildcards
    prefixes: tuple[str, ...]  # lowercased `prefix*` patterns, without the `*`
    wildcard: LazyPattern | None  # one alternation of the other wildcard patterns
    services: frozenset[str] | None  # lowercased service prefixes; None when any may match

    def listed(self, action_lower: str) -> bool:
        """Whether the element's list names the action (before NotAction's inversion)."""
        return (
            self.match_all
            or action_lower in self.exact
            or (bool(self.prefixes) and action_lower.startswith(self.prefixes))
            or (self.wildcard is not None and self.wildcard.match(action_lower))
        )

    def matches(self, action_lower: str) -> bool:
        return self.listed(action_lower) != self.negated


@dataclass(frozen=True, slots=True)
class ResourceMatcher:
    """Resource or NotResource: case-sensitive ARN patterns, with policy variables.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
    """

    patterns: tuple[str, ...]
    negated: bool
    match_all: bool
    exact: frozenset[str]  # patterns without wildcards or variables
    prefixes: tuple[str, ...]  # `prefix*` patterns (a final `*` always runs to the end)
    static: LazyPattern | None  # alternation of the other patterns without variables
    templates: tuple[Template, ...]
    _cache: dict[tuple[str, ...], re.Pattern[str]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def listed(self, resource: str, context: Context) -> bool:
        if self.match_all or resource in self.exact:
            return True
        if self.prefixes and resource.startswith(self.prefixes):
            return True
        if self.static is not None and self.static.match(resource):
            return True
        for template in self.templates:
            pieces = template.resolve(context)
            if pieces is None:
                continue  # an unresolved variable matches nothing
            key = tuple(f"{int(lit)}{text}" for text, lit in pieces)
            compiled = self._cache.get(key)
            if compiled is None:
                compiled = re.compile(arn_regex_source(pieces) + r"\Z", re.DOTALL)
                if len(self._cache) < 4096:  # bounded: one entry per distinct resolution
                    self._cache[key] = compiled
            if compiled.match(resource) is not None:
                return True
        return False

    def matches(self, resource: str, context: Context) -> bool:
        return self.listed(resource, context) != self.negated


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement, its elements compiled."""

    index: int
    sid: str | None
    effect: Effect
    action: ActionMatcher
    resource: ResourceMatcher | None  # None: the element is absent (trust policies)
    principal: PrincipalMatcher | None  # None: the element is absent (identity policies)
    conditions: tuple[ConditionClause, ...]
    condition_keys: tuple[str, ...]  # each key as written, once

    def conditions_hold(self, context: Context) -> bool:
        return all(clause.evaluate(context) for clause in self.conditions)

    def missing_keys(self, context: Context) -> list[str]:
        return [k for k in self.condition_keys if k.lower() not in context]


@dataclass(frozen=True, slots=True)
class PolicyDocument:
    """A parsed policy: its kind, Version, Id and statements."""

    kind: PolicyKind
    version: str
    policy_id: str | None
    statements: tuple[Statement, ...]
    variables: bool  # whether ${...} is substituted (Version 2012-10-17 only)
