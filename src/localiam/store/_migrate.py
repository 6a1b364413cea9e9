"""Alembic migrations, run in code: no `alembic.ini`, the script directory ships in the package."""

from __future__ import annotations

import threading
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

MIGRATIONS_DIRECTORY = Path(__file__).parent / "migrations"

# Alembic's `context` and `op` are process-wide proxies: two threads migrating at once would
# run each other's operations (and deadlock on PostgreSQL's advisory lock). One at a time.
_ALEMBIC_PROXIES_LOCK = threading.Lock()


def alembic_config() -> Config:
    """The Alembic configuration of localiam's migrations (for `alembic.command` functions)."""
    config = Config()
    # ConfigParser interpolates `%`; a directory name may contain one.
    config.set_main_option("script_location", str(MIGRATIONS_DIRECTORY).replace("%", "%%"))
    config.set_main_option("path_separator", "os")
    return config


def head_revision() -> str:
    """The newest migration's revision id."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError(f"no migration found in {MIGRATIONS_DIRECTORY}")
    return head


def upgrade_to_head(engine: Engine) -> None:
    """Bring the database's schema to the newest revision, in one transaction.

    Concurrent openers wait for each other: threads of one process by a lock, processes by
    SQLite's write lock or a PostgreSQL advisory lock (taken in `migrations/env.py`).
    """
    config = alembic_config()
    with _ALEMBIC_PROXIES_LOCK, engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at; None for a database never migrated."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        value = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        return None if value is None else str(value)
