"""The answer: a decision, the statements behind it, what blocked it and AWS's sentence."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any


class DecisionKind(enum.Enum):
    ALLOWED = "allowed"
    EXPLICIT_DENY = "explicitDeny"
    IMPLICIT_DENY = "implicitDeny"


class PolicyType(enum.Enum):
    """The policy types of the evaluation flow, in the order the flow chart visits them."""

    RCP = "rcp"
    SCP = "scp"
    RESOURCE = "resource"
    IDENTITY = "identity"
    BOUNDARY = "boundary"
    SESSION = "session"


# How AWS names each type in an access denied message
# (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html).
_PHRASES = {
    PolicyType.RCP: ("a", "resource control policy"),
    PolicyType.SCP: ("a", "service control policy"),
    PolicyType.RESOURCE: ("a", "resource-based policy"),
    PolicyType.IDENTITY: ("an", "identity-based policy"),
    PolicyType.BOUNDARY: ("a", "permissions boundary"),
    PolicyType.SESSION: ("a", "session policy"),
}


@dataclass(frozen=True, slots=True)
class MatchedStatement:
    """A statement that matched the request: its policy, the policy's type, Sid and position."""

    policy: str
    type: PolicyType
    sid: str | None
    index: int
    effect: str

    def to_json(self) -> dict[str, Any]:
        return {
            "policy": self.policy,
            "type": self.type.value,
            "sid": self.sid,
            "index": self.index,
            "effect": self.effect,
        }


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of `evaluate`, explaining itself."""

    decision: DecisionKind
    principal: str
    action: str
    resource: str
    matched_statements: tuple[MatchedStatement, ...]
    blocked_by: PolicyType | None
    missing_context_keys: tuple[str, ...]
    denying_policy: str | None = None  # the id of the first denying policy, for the message

    @property
    def allowed(self) -> bool:
        return self.decision is DecisionKind.ALLOWED

    @property
    def message(self) -> str:
        """The sentence AWS gives for this outcome."""
        on = "" if self.resource == "*" else f" on resource: {self.resource}"
        head = f"User: {self.principal}"
        if self.decision is DecisionKind.ALLOWED:
            return f"{head} is allowed to perform: {self.action}{on}"
        assert self.blocked_by is not None
        article, phrase = _PHRASES[self.blocked_by]
        head = f"{head} is not authorized to perform: {self.action}{on}"
        if self.decision is DecisionKind.EXPLICIT_DENY:
            tail = ""
            # AWS names the denying managed policy or SCP/RCP by ARN, but not a resource-based
            # policy (the resource's own), https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
            if (
                self.denying_policy is not None
                and self.denying_policy.startswith("arn:")
                and self.blocked_by is not PolicyType.RESOURCE
            ):
                tail = f": {self.denying_policy}"
            return f"{head} with an explicit deny in {article} {phrase}{tail}"
        return f"{head} because no {phrase} allows the {self.action} action"

    def to_json(self) -> dict[str, Any]:
        return {
            "decision": self.decision.value,
            "matchedStatements": [m.to_json() for m in self.matched_statements],
            "blockedBy": None if self.blocked_by is None else self.blocked_by.value,
            "missingContextKeys": list(self.missing_context_keys),
            "message": self.message,
        }
