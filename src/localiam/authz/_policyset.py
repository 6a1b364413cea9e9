"""Policies of one type, with their statements indexed by action.

A decision never visits a statement whose Action/NotAction cannot match: statements are grouped
by service prefix when built, and the candidates for each action are worked out once and kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from localiam.policy import PolicyDocument, Statement


@dataclass(frozen=True, slots=True)
class Entry:
    """A statement together with the id of the policy that holds it."""

    policy: str
    statement: Statement


class PolicySet:
    """Named, parsed policies of one type. Immutable apart from its memo of candidates."""

    __slots__ = ("_by_service", "_cache", "_unbound", "entries", "policies")

    _MAX_CACHED_ACTIONS = 65536

    def __init__(self, policies: Iterable[tuple[str, PolicyDocument]]) -> None:
        self.policies: tuple[tuple[str, PolicyDocument], ...] = tuple(policies)
        self.entries: tuple[Entry, ...] = tuple(
            Entry(pid, stmt) for pid, doc in self.policies for stmt in doc.statements
        )
        by_service: dict[str, list[int]] = {}
        unbound: list[int] = []
        for i, entry in enumerate(self.entries):
            action = entry.statement.action
            if action.negated or action.services is None:
                unbound.append(i)
            else:
                for service in action.services:
                    by_service.setdefault(service, []).append(i)
        self._by_service = by_service
        self._unbound = unbound
        self._cache: dict[str, tuple[Entry, ...]] = {}

    def __len__(self) -> int:
        return len(self.policies)

    def candidates(self, action_lower: str, service: str) -> tuple[Entry, ...]:
        """The statements whose Action/NotAction matches the action, in policy order."""
        hit = self._cache.get(action_lower)
        if hit is not None:
            return hit
        indexes = sorted(self._by_service.get(service, []) + self._unbound)
        found = tuple(
            self.entries[i]
            for i in indexes
            if self.entries[i].statement.action.matches(action_lower)
        )
        if len(self._cache) < self._MAX_CACHED_ACTIONS:
            self._cache[action_lower] = found
        return found
