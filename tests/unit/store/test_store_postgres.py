"""localiam.store on PostgreSQL: the same schema and rules as on SQLite.

Runs only when LOCALIAM_TEST_POSTGRES_URL names a throwaway database, for example
`postgresql+psycopg://localiam@127.0.0.1:5432/localiam_test`: each test resets it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from localiam.store import Database, IntegrityError, find_by_name, list_page, select
from localiam.store._migrate import current_revision, head_revision
from localiam.store.models import Account, Base, User

URL = os.environ.get("LOCALIAM_TEST_POSTGRES_URL")
ACCOUNT = "123456789012"
NOW = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)

pytestmark = pytest.mark.skipif(
    URL is None, reason="set LOCALIAM_TEST_POSTGRES_URL to a throwaway PostgreSQL database"
)


def user(user_id: str, name: str, path: str = "/") -> User:
    return User(
        user_id=user_id,
        account_id=ACCOUNT,
        name=name,
        path=path,
        arn=f"arn:aws:iam::{ACCOUNT}:user{path}{name}",
        created_at=NOW,
    )


@pytest.fixture
def pg() -> Iterator[Database]:
    assert URL is not None
    database = Database(URL)
    database.reset()
    with database.transaction() as session:
        session.add(Account(id=ACCOUNT, created_at=NOW))
    yield database
    database.close()


def test_postgres_is_migrated_to_head_and_matches_the_models(pg: Database) -> None:
    assert pg.backend == "postgresql"
    assert current_revision(pg.engine) == head_revision()
    with pg.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_postgres_names_collide_ignoring_case_and_rollback_leaves_nothing(pg: Database) -> None:
    with pg.transaction() as session:
        session.add(user("AIDA1", "Bob"))
    with pytest.raises(IntegrityError, match="uq_users_account_name"), pg.transaction() as s:
        s.add(user("AIDA2", "bob", path="/x/"))
    with pytest.raises(RuntimeError), pg.transaction() as session:
        session.add(user("AIDA3", "carol"))
        session.flush()
        raise RuntimeError("handler failed")
    with pg.transaction() as session:
        assert session.scalars(select(User.name)).all() == ["Bob"]
        found = find_by_name(session, User, ACCOUNT, "BOB")
        assert found is not None
        assert found.created_at == NOW


def test_postgres_pages_and_durability(pg: Database) -> None:
    with pg.transaction() as session:
        for n, name in enumerate(["carol", "Alice", "bob", "Dave"]):
            session.add(user(f"AIDA{n}", name, path="/dev/" if n % 2 else "/"))
    with pg.transaction() as session:
        first = list_page(session, User, ACCOUNT, max_items=3)
        rest = list_page(session, User, ACCOUNT, marker=first.marker, max_items=3)
        dev = list_page(session, User, ACCOUNT, path_prefix="/dev/")
    assert [u.name for u in first.items + rest.items] == ["Alice", "bob", "carol", "Dave"]
    assert rest.marker is None
    assert [u.name for u in dev.items] == ["Alice", "Dave"]
    pg.close()
    assert URL is not None
    with Database(URL) as reopened, reopened.transaction() as session:
        assert len(session.scalars(select(User)).all()) == 4


def test_postgres_threads_opening_the_database_at_once_all_succeed(pg: Database) -> None:
    assert URL is not None
    url = URL
    outcomes: list[str] = []

    def open_and_close() -> None:
        try:
            Database(url).close()
            outcomes.append("ok")
        except Exception as error:
            outcomes.append(repr(error))

    threads = [threading.Thread(target=open_and_close, daemon=True) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert outcomes == ["ok"] * 4
