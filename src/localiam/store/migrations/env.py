"""Alembic environment: migrates the connection that `localiam.store` hands over.

Run only through `localiam.store._migrate` (which puts the connection in
`config.attributes["connection"]`); offline SQL generation is not supported.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import text
from sqlalchemy.engine import Connection

from localiam.store.models import Base

#: Key of the PostgreSQL advisory lock that serializes concurrent migrations ("localiam").
_ADVISORY_LOCK_KEY = 0x6C6F63616C69616D


def run_migrations(connection: Connection) -> None:
    """Run the pending migrations inside the connection's transaction."""
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK_KEY}
            )
        context.run_migrations()


def _main() -> None:
    if context.is_offline_mode():
        raise RuntimeError("localiam migrations run online only, through localiam.store")
    connection = context.config.attributes.get("connection")
    if not isinstance(connection, Connection):
        raise RuntimeError("localiam migrations need the connection given by localiam.store")
    run_migrations(connection)


_main()
