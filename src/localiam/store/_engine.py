"""Engines for the two supported backends, configured for durability.

SQLite connections run in WAL mode with `synchronous=FULL` and foreign keys on, and every
transaction starts with `BEGIN IMMEDIATE`. Why FULL: in WAL mode `synchronous=NORMAL` already
keeps committed transactions through a crash of the process (`kill -9`), because the WAL is
written before `COMMIT` returns; but it may lose the last commits if the machine itself stops
(power loss, kernel panic) before the next checkpoint. localiam promises that committed work is
never lost, and IAM's write rate is low, so one `fsync` per commit is a cheap price.
Why IMMEDIATE: a transaction takes the write lock when it starts, so a read-then-write request
never fails half-way with `SQLITE_BUSY` because another writer committed in between; requests
are serialized, waiting up to `SQLITE_BUSY_TIMEOUT_SECONDS` for each other.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.pool import StaticPool

from localiam.store._errors import StoreError

SQLITE_BUSY_TIMEOUT_SECONDS = 30.0

_SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
)


def create_database_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for `sqlite:///…` (file or `:memory:`) or `postgresql+psycopg://…`.

    `postgresql://` without a driver means psycopg 3, the driver localiam depends on.
    """
    try:
        parsed = make_url(url)
    except Exception as error:  # SQLAlchemy raises ArgumentError and ValueError alike
        raise StoreError(f"invalid database url `{url}`: {error}") from error
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(parsed, echo=echo)
    if backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(parsed, echo=echo, pool_pre_ping=True)
    shown = parsed.render_as_string(hide_password=True)
    raise StoreError(
        f"unsupported database url `{shown}`: use `sqlite:///<path>` or `postgresql+psycopg://…`"
    )


def is_in_memory(url: URL) -> bool:
    """Whether a SQLite URL names a private in-memory database."""
    return url.database in (None, "", ":memory:") or url.query.get("mode") == "memory"


def _sqlite_engine(url: URL, *, echo: bool) -> Engine:
    if is_in_memory(url):
        # One connection shared by every session: each new connection would see an empty database.
        engine = create_engine(
            url,
            echo=echo,
            poolclass=StaticPool,
            connect_args={"check_same_thread": False},
        )
    else:
        if url.database is not None and not url.database.startswith("file:"):
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, echo=echo, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS}
        )
    event.listen(engine, "connect", _configure_sqlite_connection)
    event.listen(engine, "begin", _begin_immediate)
    return engine


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        raise StoreError(f"expected a sqlite3 connection, got {type(dbapi_connection).__name__}")
    # SQLAlchemy, not the sqlite3 module, decides when transactions begin (see `_begin_immediate`).
    dbapi_connection.isolation_level = None
    for pragma in _SQLITE_PRAGMAS:
        dbapi_connection.execute(pragma).close()


READ_ONLY = "localiam_read_only"


def _begin_immediate(connection: Connection) -> None:
    # A read-only transaction (Database.read) takes no write lock: it sees one snapshot of the
    # WAL and never waits for writers nor makes them wait.
    if connection.info.get(READ_ONLY):
        connection.exec_driver_sql("BEGIN DEFERRED")
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
