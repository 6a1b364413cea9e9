"""A progress bar on standard error for large imports (tqdm), shown only to a terminal."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any, Protocol


class Progress(Protocol):
    """What the import tells the bar: entities read, and the step it is at."""

    def advance(self, count: int) -> None: ...

    def step(self, name: str) -> None: ...


class _Silent:
    def advance(self, count: int) -> None:
        pass

    def step(self, name: str) -> None:
        pass


class _Bar:
    def __init__(self, bar: Any) -> None:  # a tqdm bar (tqdm ships no type hints)
        self._bar = bar

    def advance(self, count: int) -> None:
        self._bar.update(count)

    def step(self, name: str) -> None:
        self._bar.set_description_str(name)


@contextmanager
def progress(total: int, stream: IO[str], *, enabled: bool) -> Iterator[Progress]:
    """A bar of `total` entities on `stream` when `enabled` and `stream` is a terminal;
    otherwise a progress that shows nothing."""
    if not enabled or not stream.isatty():
        yield _Silent()
        return
    from tqdm import tqdm

    bar = tqdm(total=total, file=stream, unit=" entities", desc="reading", leave=False)
    try:
        yield _Bar(bar)
    finally:
        bar.close()
