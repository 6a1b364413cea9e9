"""An optional account of every statement considered, and why it matched or not.

Evaluation records into a `Trace` only when one is passed; without it nothing is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class TraceEvent:
    """One statement's outcome: `matched`, or the first element that did not match."""

    policy_type: str
    policy: str
    index: int
    sid: str | None
    effect: str
    outcome: str  # matched | action | resource | principal | condition
    detail: str

    def render(self) -> str:
        sid = f" ({self.sid})" if self.sid else ""
        head = f"{self.policy_type} {self.policy} Statement[{self.index}]{sid} {self.effect}"
        if self.outcome == "matched":
            return f"{head}: matched"
        return f"{head}: no match — {self.detail}"


@dataclass(slots=True)
class Trace:
    """Collects events and notes during one evaluation (mutable by design)."""

    events: list[TraceEvent] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def render(self) -> str:
        return "\n".join([*(e.render() for e in self.events), *self.notes])
