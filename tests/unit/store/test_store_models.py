"""localiam.store.models: IAM's naming rules, column types and relationships as stored."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest

from localiam.store import Database, IntegrityError, select
from localiam.store.models import (
    AccessKey,
    Account,
    Group,
    GroupMembership,
    InstanceProfile,
    KeyStatus,
    ManagedPolicy,
    MfaDevice,
    PolicyAttachment,
    PolicyVersion,
    PrincipalType,
    Role,
    User,
)

NOW = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
TRUST = '{"Version":"2012-10-17","Statement":[]}'


def role(account_id: str, role_id: str, name: str) -> Role:
    return Role(
        role_id=role_id,
        account_id=account_id,
        name=name,
        path="/",
        arn=f"arn:aws:iam::{account_id}:role/{name}",
        created_at=NOW,
        assume_role_policy=TRUST,
    )


def policy(account_id: str, policy_id: str, name: str) -> ManagedPolicy:
    return ManagedPolicy(
        policy_id=policy_id,
        account_id=account_id,
        name=name,
        path="/",
        arn=f"arn:aws:iam::{account_id}:policy/{name}",
        created_at=NOW,
        updated_at=NOW,
    )


def test_user_names_collide_ignoring_case(db: Database, make_user: Callable[..., User]) -> None:
    with db.transaction() as session:
        session.add(make_user("Bob"))
    with pytest.raises(IntegrityError, match="name_lower"), db.transaction() as session:
        session.add(make_user("bob", path="/other/"))
    with db.transaction() as session:
        assert session.scalars(select(User.name)).all() == ["Bob"]


def test_the_same_name_may_exist_in_two_accounts(
    db: Database, account_id: str, make_user: Callable[..., User]
) -> None:
    with db.transaction() as session:
        session.add(Account(id="210987654321", created_at=NOW))
        session.add(make_user("bob"))
        other = make_user("BOB")
        other.account_id, other.arn = "210987654321", "arn:aws:iam::210987654321:user/BOB"
        session.add(other)
    with db.transaction() as session:
        assert sorted(session.scalars(select(User.name_lower)).all()) == ["bob", "bob"]


@pytest.mark.parametrize("kind", ["role", "policy"])
def test_other_names_collide_ignoring_case(db: Database, account_id: str, kind: str) -> None:
    make = role if kind == "role" else policy
    with db.transaction() as session:
        session.add(make(account_id, "ID1", "Deploy"))
    with pytest.raises(IntegrityError), db.transaction() as session:
        session.add(make(account_id, "ID2", "DEPLOY"))


def test_renaming_recomputes_the_lowercased_name(
    db: Database, make_user: Callable[..., User]
) -> None:
    with db.transaction() as session:
        user = make_user("Alice")
        session.add(user)
        session.add(make_user("Bob"))
    with db.transaction() as session:
        renamed = session.get(User, user.user_id)
        assert renamed is not None
        renamed.name = "Carol"
    with db.transaction() as session:
        assert session.scalars(select(User.name_lower).order_by(User.name_lower)).all() == [
            "bob",
            "carol",
        ]


def test_times_are_read_back_aware_in_utc(db: Database) -> None:
    eastern = timezone(timedelta(hours=-5))
    with db.transaction() as session:
        session.add(Account(id="111122223333", created_at=datetime(2025, 1, 1, 7, tzinfo=eastern)))
    with db.transaction() as session:
        account = session.get(Account, "111122223333")
        assert account is not None
        assert account.created_at == datetime(2025, 1, 1, 12, tzinfo=UTC)
        assert account.created_at.tzinfo == UTC


def test_naive_times_are_refused(db: Database) -> None:
    with pytest.raises(Exception, match="naive datetime"), db.transaction() as session:
        session.add(Account(id="111122223333", created_at=datetime(2025, 1, 1)))


def test_enums_are_stored_as_the_aws_spelling(db: Database, account_id: str) -> None:
    with db.transaction() as session:
        session.add(
            AccessKey(
                access_key_id="AKIAEXAMPLE",
                account_id=account_id,
                user_id=None,
                secret_encrypted="x",
                created_at=NOW,
            )
        )
        session.add(
            PolicyAttachment(
                account_id=account_id,
                principal_type=PrincipalType.ROLE,
                principal_id="AROA1",
                policy_arn="arn:aws:iam::aws:policy/ReadOnlyAccess",
            )
        )
    with db.engine.connect() as connection:
        status = connection.exec_driver_sql("SELECT status FROM access_keys").scalar()
        kind = connection.exec_driver_sql("SELECT principal_type FROM policy_attachments").scalar()
    assert (status, kind) == ("Active", "role")
    with db.transaction() as session:
        key = session.get(AccessKey, "AKIAEXAMPLE")
        assert key is not None
        assert key.status is KeyStatus.ACTIVE


def test_an_attachment_is_unique_per_principal_and_policy(db: Database, account_id: str) -> None:
    def attachment() -> PolicyAttachment:
        return PolicyAttachment(
            account_id=account_id,
            principal_type=PrincipalType.USER,
            principal_id="AIDA1",
            policy_arn="arn:aws:iam::aws:policy/A",
        )

    with db.transaction() as session:
        session.add(attachment())
    with pytest.raises(IntegrityError), db.transaction() as session:
        session.add(attachment())


def test_group_membership_goes_both_ways_and_ends_with_the_user(
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
        user.groups.append(group)
        session.add(user)
    with db.transaction() as session:
        loaded = session.get(Group, "AGPA1")
        assert loaded is not None
        assert [member.name for member in loaded.members] == ["alice"]
        session.delete(loaded.members[0])
    with db.transaction() as session:
        assert session.scalars(select(GroupMembership)).all() == []


def test_policy_versions_belong_to_their_policy(db: Database, account_id: str) -> None:
    with db.transaction() as session:
        managed = policy(account_id, "ANPA1", "Deploy")
        managed.versions.append(
            PolicyVersion(
                policy_id="ANPA1", version_id="v1", document="{}", is_default=True, created_at=NOW
            )
        )
        session.add(managed)
    with db.transaction() as session:
        loaded = session.get(ManagedPolicy, "ANPA1")
        assert loaded is not None
        assert [(v.version_id, v.is_default) for v in loaded.versions] == [("v1", True)]
        session.delete(loaded)
    with db.transaction() as session:
        assert session.scalars(select(PolicyVersion)).all() == []


def test_deleting_an_account_deletes_what_it_scopes(
    db: Database, account_id: str, make_user: Callable[..., User]
) -> None:
    with db.transaction() as session:
        session.add(make_user("alice"))
        session.add(role(account_id, "AROA1", "app"))
        session.add(
            InstanceProfile(
                instance_profile_id="AIPA1",
                account_id=account_id,
                name="app",
                path="/",
                created_at=NOW,
                arn=f"arn:aws:iam::{account_id}:instance-profile/app",
            )
        )
    with db.transaction() as session:
        account = session.get(Account, account_id)
        assert account is not None
        session.delete(account)
    with db.transaction() as session:
        assert session.scalars(select(User)).all() == []
        assert session.scalars(select(Role)).all() == []
        assert session.scalars(select(InstanceProfile)).all() == []


def test_deleting_a_user_unassigns_its_mfa_device(
    db: Database, account_id: str, make_user: Callable[..., User]
) -> None:
    with db.transaction() as session:
        user = make_user("alice")
        session.add(user)
        session.flush()
        session.add(
            MfaDevice(
                serial_number=f"arn:aws:iam::{account_id}:mfa/alice",
                account_id=account_id,
                name="alice",
                path="/",
                seed_encrypted="x",
                created_at=NOW,
                user_id=user.user_id,
                enabled_at=NOW,
            )
        )
    with db.transaction() as session:
        session.delete(session.get_one(User, user.user_id))
    with db.transaction() as session:
        device = session.scalars(select(MfaDevice)).one()
        assert device.user_id is None
