"""localiam.store paging: keyset pages by lowercased name, path prefixes, lookups by name."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import insert

from localiam.store import Database, find_by_name, list_page, page_query
from localiam.store.models import Role, User

NOW = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)


def add_users(db: Database, account_id: str, count: int, path: str = "/") -> None:
    rows = [
        {
            "user_id": f"AIDA{path.strip('/').upper():X<4}{n:013d}",
            "account_id": account_id,
            "name": f"User{n:05d}",
            "path": path,
            "arn": f"arn:aws:iam::{account_id}:user{path}User{n:05d}",
            "created_at": NOW,
        }
        for n in range(count)
    ]
    with db.transaction() as session:
        session.execute(insert(User), rows)


def test_pages_walk_every_user_once_in_name_order(
    db: Database, account_id: str, make_user: Callable[..., User]
) -> None:
    with db.transaction() as session:
        for name in ["carol", "Alice", "bob", "Dave", "erin"]:
            session.add(make_user(name))
    names: list[str] = []
    marker: str | None = None
    pages = 0
    while True:
        with db.transaction() as session:
            page = list_page(session, User, account_id, marker=marker, max_items=2)
        names += [user.name for user in page.items]
        pages += 1
        marker = page.marker
        if marker is None:
            break
    assert names == ["Alice", "bob", "carol", "Dave", "erin"]
    assert pages == 3


def test_an_exactly_full_last_page_has_no_marker(db: Database, account_id: str) -> None:
    add_users(db, account_id, 4)
    with db.transaction() as session:
        first = list_page(session, User, account_id, max_items=2)
        second = list_page(session, User, account_id, marker=first.marker, max_items=2)
    assert first.marker == "user00001"
    assert [user.name for user in second.items] == ["User00002", "User00003"]
    assert second.marker is None


def test_path_prefix_is_a_case_sensitive_prefix(
    db: Database, account_id: str, make_user: Callable[..., User]
) -> None:
    with db.transaction() as session:
        session.add(make_user("a", path="/dev/"))
        session.add(make_user("b", path="/dev/team/"))
        session.add(make_user("c", path="/Dev/"))
        session.add(make_user("d", path="/devops/"))
        session.add(make_user("e", path="/"))
    with db.transaction() as session:
        dev = list_page(session, User, account_id, path_prefix="/dev/")
        every = list_page(session, User, account_id, path_prefix="/")
        devs = list_page(session, User, account_id, path_prefix="/dev")
    assert [user.name for user in dev.items] == ["a", "b"]
    assert [user.name for user in every.items] == ["a", "b", "c", "d", "e"]
    assert [user.name for user in devs.items] == ["a", "b", "d"]


def test_pages_stay_in_their_account(
    db: Database, account_id: str, make_user: Callable[..., User]
) -> None:
    with db.transaction() as session:
        session.add(make_user("alice"))
    with db.transaction() as session:
        assert list_page(session, User, "210987654321").items == ()
        assert list_page(session, Role, account_id).items == ()


def test_find_by_name_ignores_case(
    db: Database, account_id: str, make_user: Callable[..., User]
) -> None:
    with db.transaction() as session:
        session.add(make_user("Alice"))
    with db.transaction() as session:
        found = find_by_name(session, User, account_id, "aLICE")
        missing = find_by_name(session, User, account_id, "alicia")
    assert found is not None
    assert found.name == "Alice"
    assert missing is None


def query_plan(db: Database, marker: str | None, path_prefix: str = "/") -> str:
    query = page_query(User, "123456789012", path_prefix=path_prefix, marker=marker, limit=101)
    sql = query.compile(db.engine, compile_kwargs={"literal_binds": True})
    with db.engine.connect() as connection:
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}").all()
    return " | ".join(str(row[3]) for row in rows)


def test_a_page_of_10000_users_reads_the_name_index_without_sorting(
    db: Database, account_id: str
) -> None:
    add_users(db, account_id, 10_000)
    with db.engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE")
    for plan in [
        query_plan(db, marker=None),
        query_plan(db, marker="user09000"),
        query_plan(db, marker="user05000", path_prefix="/dev/"),
    ]:
        assert "USING INDEX uq_users_account_name" in plan, plan
        assert "TEMP B-TREE" not in plan, plan  # rows come out of the index in order
    with db.transaction() as session:
        last = list_page(session, User, account_id, marker="user09899", max_items=100)
    assert [last.items[0].name, last.items[-1].name, last.marker] == [
        "User09900",
        "User09999",
        None,
    ]
