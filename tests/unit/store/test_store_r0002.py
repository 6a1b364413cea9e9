"""Migration 0002: a database made by 0001 upgrades with its data intact; a new one lands at
head; the new tables keep their foreign keys."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, text

from localiam.store import Database, IntegrityError, select
from localiam.store._engine import create_database_engine
from localiam.store._migrate import alembic_config, current_revision, head_revision
from localiam.store.models import (
    AccessKey,
    AccessReportJob,
    Account,
    Base,
    ReportKind,
    ServiceSpecificCredential,
    Tag,
    User,
)

ACCOUNT = "123456789012"
NOW = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)


def migrate(engine: Engine, revision: str, *, down: bool = False) -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        if down:
            command.downgrade(config, revision)
        else:
            command.upgrade(config, revision)


@pytest.fixture
def r0001_url(tmp_path: Path) -> str:
    """A database made by revision 0001 only, holding an account, a user, its key and a tag,
    written with 0001's own columns."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_database_engine(url)
    try:
        migrate(engine, "0001")
        stamp = "2025-01-02 03:04:05.000000"
        with engine.begin() as connection:
            connection.execute(
                text("INSERT INTO accounts (id, created_at, alias) VALUES (:id, :at, 'old')"),
                {"id": ACCOUNT, "at": stamp},
            )
            connection.execute(
                text(
                    "INSERT INTO users (user_id, account_id, name, path, arn, created_at) "
                    "VALUES ('AIDAOLDUSER0000000001', :account, 'Alice', '/', :arn, :at)"
                ),
                {"account": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:user/Alice", "at": stamp},
            )
            connection.execute(
                text(
                    "INSERT INTO access_keys (access_key_id, account_id, user_id, "
                    "secret_encrypted, created_at, status) VALUES ('AKIAOLDKEY0000000001', "
                    ":account, 'AIDAOLDUSER0000000001', 'token', :at, 'Active')"
                ),
                {"account": ACCOUNT, "at": stamp},
            )
            connection.execute(
                text(
                    "INSERT INTO tags (account_id, resource_arn, key, value, position) "
                    "VALUES (:account, :arn, 'team', 'blue', 0)"
                ),
                {"account": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:user/Alice"},
            )
        assert current_revision(engine) == "0001"
    finally:
        engine.dispose()
    return url


def test_0002_is_part_of_the_history() -> None:
    assert head_revision() >= "0002"


def test_a_0001_database_upgrades_with_its_data_intact(r0001_url: str) -> None:
    with Database(r0001_url) as db:
        assert current_revision(db.engine) == head_revision()
        with db.transaction() as session:
            account = session.get(Account, ACCOUNT)
            assert account is not None
            assert (account.alias, account.created_at) == ("old", NOW)
            # Existing accounts take AWS's defaults.
            assert account.sts_global_endpoint_token_version == "v1Token"
            assert account.outbound_web_identity_federation is False
            assert account.outbound_web_identity_issuer is None
            user = session.scalars(select(User)).one()
            assert (user.name, user.name_lower) == ("Alice", "alice")
            key = session.get(AccessKey, "AKIAOLDKEY0000000001")
            assert key is not None and key.user_id == user.user_id
            assert [t.key for t in session.scalars(select(Tag))] == ["team"]
            session.add(
                ServiceSpecificCredential(
                    credential_id="ACCAOLDUSERCREDENTIAL",
                    account_id=ACCOUNT,
                    user_id=user.user_id,
                    service_name="codecommit.amazonaws.com",
                    service_user_name=f"Alice-at-{ACCOUNT}",
                    secret_encrypted="token",
                    created_at=NOW,
                )
            )
            session.add(
                AccessReportJob(
                    job_id="00000000-0000-4000-8000-000000000001",
                    account_id=ACCOUNT,
                    kind=ReportKind.SERVICE_LAST_ACCESSED,
                    subject=user.arn,
                    created_at=NOW,
                )
            )
        with db.transaction() as session:
            session.delete(session.scalars(select(AccessKey)).one())
            session.delete(session.scalars(select(User)).one())
        with db.read() as session:
            # The credential went with its user (ON DELETE CASCADE); the job stays.
            assert session.scalars(select(ServiceSpecificCredential)).all() == []
            assert len(session.scalars(select(AccessReportJob)).all()) == 1


def test_downgrading_to_0001_and_back_keeps_the_accounts(r0001_url: str) -> None:
    Database(r0001_url).close()
    engine = create_database_engine(r0001_url)
    try:
        migrate(engine, "0001", down=True)
        assert current_revision(engine) == "0001"
        migrate(engine, "head")
        with engine.connect() as connection:
            ids = connection.execute(text("SELECT id FROM accounts")).scalars().all()
            users = connection.execute(text("SELECT name FROM users")).scalars().all()
        assert (ids, users) == ([ACCOUNT], ["Alice"])
    finally:
        engine.dispose()


def test_a_new_database_lands_at_head_and_matches_the_models(tmp_path: Path) -> None:
    with Database(f"sqlite:///{tmp_path / 'new.db'}") as db:
        assert current_revision(db.engine) == head_revision()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "compare_server_default": True}
            )
            assert compare_metadata(context, Base.metadata) == []


def test_a_credential_needs_an_existing_user(tmp_path: Path) -> None:
    with Database(f"sqlite:///{tmp_path / 'new.db'}") as db:
        with db.transaction() as session:
            session.add(Account(id=ACCOUNT, created_at=NOW))
        with pytest.raises(IntegrityError), db.transaction() as session:
            session.add(
                ServiceSpecificCredential(
                    credential_id="ACCANOUSER00000000001",
                    account_id=ACCOUNT,
                    user_id="AIDANOSUCHUSER0000001",
                    service_name="codecommit.amazonaws.com",
                    service_user_name=f"ghost-at-{ACCOUNT}",
                    secret_encrypted="token",
                    created_at=NOW,
                )
            )
