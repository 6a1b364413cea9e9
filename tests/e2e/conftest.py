"""Fixtures: a live `localiam serve` for the whole session, reset before each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from live_server import LiveServer, start_server, stop_server


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    process, server = start_server(tmp_path_factory.mktemp("localiam-data"))
    try:
        yield server
    finally:
        stop_server(process)


@pytest.fixture
def server(live_server: LiveServer) -> LiveServer:
    """The live server, reset to a fresh state for this test."""
    live_server.reset()
    return live_server
