"""The database: engine, migrations on open, one transaction per request."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from localiam.store._engine import READ_ONLY, create_database_engine
from localiam.store._errors import StoreError
from localiam.store._generation import StateGeneration
from localiam.store._migrate import upgrade_to_head
from localiam.store.models import Base


class Database:
    """localiam's database: SQLite (`sqlite:////abs/path/localiam.db`, or `sqlite://` in memory)
    or PostgreSQL (`postgresql+psycopg://user:password@host/dbname`).

    Opening it migrates the schema to the newest revision. Work happens in transactions:

        with db.transaction() as session:
            session.add(user)

    commits when the block ends and rolls back if it raises. Do not nest transactions: on
    SQLite the inner one would wait for the outer one's write lock. On SQLite transactions run
    one at a time (each begins with `BEGIN IMMEDIATE`); on PostgreSQL they run concurrently at
    READ COMMITTED, and the unique indexes settle races on names. The in-memory `sqlite://`
    database has a single connection: use it from one thread at a time (tests).
    """

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self._engine = create_database_engine(url, echo=echo)
        try:
            upgrade_to_head(self._engine)
        except BaseException:
            self._engine.dispose()
            raise
        # Objects stay readable after commit: handlers encode their results after the block.
        self._sessions = sessionmaker(self._engine, expire_on_commit=False)
        #: Bumped after each committed write transaction; caches key on it.
        self.generation = StateGeneration()
        self._closed = False

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine (for tests and maintenance; handlers use `transaction`)."""
        return self._engine

    @property
    def backend(self) -> str:
        """`sqlite` or `postgresql`."""
        return self._engine.dialect.name

    @contextmanager
    def transaction(self, *, changes_state: bool = True) -> Iterator[Session]:
        """A session in a new transaction: committed on success, rolled back on any exception.

        After a commit the generation moves on, unless the caller says the transaction changes
        nothing that caches hold (`changes_state=False`, as for the audit log).
        """
        if self._closed:
            raise StoreError("the database is closed")
        with self._sessions() as session, session.begin():
            yield session
        if changes_state:
            self.generation.bump()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading only: one consistent snapshot, no write lock, nothing
        committed (it is rolled back at the end; writes made in it are discarded)."""
        if self._closed:
            raise StoreError("the database is closed")
        with self._engine.connect() as connection:
            connection.info[READ_ONLY] = True
            try:
                with Session(bind=connection, expire_on_commit=False) as session:
                    yield session
                    session.rollback()
            finally:
                connection.info.pop(READ_ONLY, None)

    def reset(self) -> None:
        """Delete every row of every table, in one transaction (the schema stays)."""
        with self.transaction() as session:
            for table in reversed(Base.metadata.sorted_tables):
                session.execute(table.delete())

    def close(self) -> None:
        """Close every connection. The database cannot be used afterwards."""
        self._closed = True
        self._engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
