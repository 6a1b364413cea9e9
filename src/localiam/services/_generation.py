"""Caches that stay correct: every committed write bumps a generation number, and a cache
filled under an older generation is dropped.

localiam serves from one process, so the process sees every write it makes; a deployment with
several processes sharing one database must not use these caches (they are per process).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from localiam.store import StateGeneration

_V = TypeVar("_V")


class GenerationCache(Generic[_V]):
    """A bounded memo valid for one generation of the stored state (none: no memo)."""

    __slots__ = ("_entries", "_generation", "_limit", "_seen")

    def __init__(self, generation: StateGeneration | None, limit: int = 10000) -> None:
        self._generation = generation
        self._seen = -1
        self._entries: dict[Hashable, _V] = {}
        self._limit = limit

    def get(self, key: Hashable, factory: Callable[[], _V]) -> _V:
        """The memoized value, or `factory()`; without a generation nothing is memoized."""
        if self._generation is None:
            return factory()
        current = self._generation.value
        if current != self._seen:
            self._entries = {}
            self._seen = current
        if key in self._entries:
            return self._entries[key]
        value = factory()
        if self._generation.value == current and len(self._entries) < self._limit:
            self._entries[key] = value
        return value
