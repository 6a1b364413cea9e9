"""localiam.store.Database: migrations on open, transactions, reset, durability."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from localiam.store import Database, StoreError, select
from localiam.store._migrate import current_revision, head_revision
from localiam.store.models import Account, Base, Group, User

NOW = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)


def table_names(path: Path) -> set[str]:
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {row[0] for row in rows}


def test_opening_creates_every_table_at_the_head_revision(db: Database, tmp_path: Path) -> None:
    assert table_names(tmp_path / "localiam.db") == {*Base.metadata.tables, "alembic_version"}
    assert current_revision(db.engine) == head_revision() == "0004"


def test_migrated_schema_matches_the_models(db: Database) -> None:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_reopening_a_migrated_database_keeps_it_at_head(db_url: str, db: Database) -> None:
    db.close()
    with Database(db_url) as again:
        assert current_revision(again.engine) == head_revision()


def test_sqlite_connections_are_durable_and_check_foreign_keys(db: Database) -> None:
    with db.engine.connect() as connection:
        pragmas = {
            name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "synchronous", "foreign_keys")
        }
    assert pragmas == {"journal_mode": "wal", "synchronous": 2, "foreign_keys": 1}  # 2: FULL


def test_foreign_keys_are_enforced(db: Database) -> None:
    with pytest.raises(Exception, match="FOREIGN KEY"), db.transaction() as session:
        session.add(
            Group(
                group_id="AGPA1",
                account_id="999999999999",
                name="g",
                path="/",
                arn="arn:aws:iam::999999999999:group/g",
                created_at=NOW,
            )
        )


def test_a_transaction_commits_when_its_block_ends(
    db: Database, make_user: Callable[..., User]
) -> None:
    with db.transaction() as session:
        session.add(make_user("alice"))
    with db.transaction() as session:
        assert session.scalars(select(User.name)).all() == ["alice"]


def test_a_transaction_that_raises_leaves_nothing(
    db: Database, make_user: Callable[..., User]
) -> None:
    with pytest.raises(RuntimeError, match="handler failed"), db.transaction() as session:
        session.add(make_user("alice"))
        session.flush()  # the row was written inside the transaction
        assert session.scalars(select(User.name)).all() == ["alice"]
        raise RuntimeError("handler failed")
    with db.transaction() as session:
        assert session.scalars(select(User)).all() == []


def test_objects_stay_readable_after_commit(db: Database, make_user: Callable[..., User]) -> None:
    with db.transaction() as session:
        user = make_user("alice")
        session.add(user)
    assert (user.name, user.name_lower, user.created_at) == ("alice", "alice", NOW)


def test_reset_deletes_every_row_and_keeps_the_schema(
    db: Database, account_id: str, make_user: Callable[..., User]
) -> None:
    with db.transaction() as session:
        user = make_user("alice")
        group = Group(
            group_id="AGPA1",
            account_id=account_id,
            name="admins",
            path="/",
            arn=f"arn:aws:iam::{account_id}:group/admins",
            created_at=NOW,
        )
        group.members.append(user)
        session.add(group)
    db.reset()
    with db.transaction() as session:
        counts = {
            table.name: session.execute(select(table).with_only_columns(table.c[0])).all()
            for table in Base.metadata.sorted_tables
        }
    assert all(rows == [] for rows in counts.values())
    assert current_revision(db.engine) == head_revision()
    with db.transaction() as session:  # usable afterwards
        session.add(Account(id=account_id, created_at=NOW))


def test_a_committed_write_survives_closing_and_reopening(db_url: str, db: Database) -> None:
    with db.transaction() as session:
        session.add(Account(id="111122223333", created_at=NOW, alias="kept"))
    db.close()
    with Database(db_url) as reopened, reopened.transaction() as session:
        account = session.get(Account, "111122223333")
        assert account is not None
        assert (account.alias, account.created_at) == ("kept", NOW)


_WRITE_THEN_DIE = """
import os, signal, sys
from datetime import UTC, datetime
from localiam.store import Database
from localiam.store.models import Account
db = Database(sys.argv[1])
with db.transaction() as session:
    session.add(Account(id="111122223333", created_at=datetime.now(UTC)))
print("committed", flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
def test_a_committed_write_survives_kill_9(db_url: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", _WRITE_THEN_DIE, db_url],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (result.returncode, result.stdout) == (-signal.SIGKILL, "committed\n"), result.stderr
    # The process died with its write in the WAL, never checkpointed into the main file.
    assert os.path.getsize(tmp_path / "localiam.db-wal") > 0
    with Database(db_url) as reopened, reopened.transaction() as session:
        assert session.get(Account, "111122223333") is not None


def test_a_closed_database_refuses_transactions(db: Database) -> None:
    db.close()
    with pytest.raises(StoreError, match="closed"), db.transaction():
        pass


def test_an_in_memory_database_is_shared_by_its_transactions() -> None:
    with Database("sqlite://") as memory:
        with memory.transaction() as session:
            session.add(Account(id="111122223333", created_at=NOW))
        with memory.transaction() as session:
            assert session.get(Account, "111122223333") is not None


@pytest.mark.parametrize("url", ["mysql://db/iam", "not a url"])
def test_unsupported_urls_are_refused(url: str) -> None:
    with pytest.raises(StoreError, match="database url"):
        Database(url)


def test_the_parent_directory_of_a_sqlite_file_is_created(tmp_path: Path) -> None:
    path = tmp_path / "data" / "dir" / "localiam.db"
    with Database(f"sqlite:///{path}"):
        assert path.exists()
