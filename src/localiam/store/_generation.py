"""A counter of committed writes, for caches that must never serve stale state."""

from __future__ import annotations

import threading


class StateGeneration:
    """Bumped after every committed write transaction (mutable by design, thread-safe).

    A cache filled under one generation is dropped when the number moves on; see
    `localiam.services._generation.GenerationCache`.
    """

    __slots__ = ("_lock", "_value")

    def __init__(self) -> None:
        self._value = 0
        self._lock = threading.Lock()

    @property
    def value(self) -> int:
        return self._value

    def bump(self) -> None:
        with self._lock:
            self._value += 1
