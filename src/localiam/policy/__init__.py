"""The policy language: parse JSON into frozen, compiled types. Pure: no I/O, no clock."""

from localiam.policy._ast import (
    ActionMatcher,
    Effect,
    PolicyDocument,
    PolicyKind,
    ResourceMatcher,
    Statement,
)
from localiam.policy._context import Context, ContextValue, normalize_context
from localiam.policy._errors import MalformedPolicyDocument, PolicyFinding
from localiam.policy._parser import parse_policy
from localiam.policy._principal import (
    Caller,
    CallerKind,
    Grant,
    PrincipalMatcher,
    is_unique_id,
    parse_caller,
)

__all__ = [
    "ActionMatcher",
    "Caller",
    "CallerKind",
    "Context",
    "ContextValue",
    "Effect",
    "Grant",
    "MalformedPolicyDocument",
    "PolicyDocument",
    "PolicyFinding",
    "PolicyKind",
    "PrincipalMatcher",
    "ResourceMatcher",
    "Statement",
    "is_unique_id",
    "normalize_context",
    "parse_caller",
    "parse_policy",
]
