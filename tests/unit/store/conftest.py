"""Fixtures of the store tests: a migrated SQLite database in a temporary directory."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from localiam.store import Database, IdGenerator
from localiam.store.models import Account, User


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'localiam.db'}"


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    yield database
    database.close()


@pytest.fixture
def account_id(db: Database) -> str:
    with db.transaction() as session:
        session.add(Account(id="123456789012", created_at=datetime(2025, 1, 1, tzinfo=UTC)))
    return "123456789012"


@pytest.fixture
def make_user(account_id: str) -> Callable[..., User]:
    """A user in the fixture account (not yet added to a session), with a fresh unique id."""
    ids = IdGenerator(random.Random(7))

    def make(name: str, path: str = "/") -> User:
        return User(
            user_id=ids.new_unique_id("AIDA"),
            account_id=account_id,
            name=name,
            path=path,
            arn=f"arn:aws:iam::{account_id}:user{path}{name}",
            created_at=datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
        )

    return make
