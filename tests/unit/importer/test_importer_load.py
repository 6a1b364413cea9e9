"""Writing an import into the store: what the IAM service then shows is what the file held;
clashes with the store are refused and leave it as it was; --replace replaces."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from import_samples import (
    ACCOUNT,
    ARN,
    MANAGED,
    MANAGEMENT,
    NOW,
    OTHER,
    account_file,
    organization_file,
    read,
)

from localiam.importer import InvalidImport, load, read_organization
from localiam.policy import parse_caller
from localiam.protocol import encode_query_result, load_service_model
from localiam.services.iam._authorization_details import HANDLERS
from localiam.services.iam._context import IamContext
from localiam.store import Database, IdGenerator, Secrets, select
from localiam.store.models import (
    Account,
    Base,
    Group,
    InlinePolicy,
    OrgAccount,
    Organization,
    PolicyAttachment,
    Tag,
    User,
)

OPERATION = load_service_model("iam").operation_model("GetAccountAuthorizationDetails")


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'localiam.db'}")
    yield database
    database.close()


def details(db: Database, account_id: str = ACCOUNT) -> dict[str, Any]:
    """What the IAM service answers to GetAccountAuthorizationDetails (checked against the
    botocore model), with documents URL-decoded and parsed."""
    with db.transaction() as session:
        ctx = IamContext(
            session=session,
            account_id=account_id,
            caller=parse_caller(f"arn:aws:iam::{account_id}:root"),
            caller_user_id=None,
            now=NOW,
            ids=IdGenerator(),
            secrets=Secrets(Secrets.generate_key()),
            managed=MANAGED,
        )
        result = HANDLERS["GetAccountAuthorizationDetails"](ctx, {})
    encode_query_result(OPERATION, result, "req")
    shown: dict[str, Any] = json.loads(
        json.dumps(result, default=lambda d: d.isoformat()), object_hook=_decoded
    )
    return shown


def _decoded(node: dict[str, Any]) -> dict[str, Any]:
    for key in ("PolicyDocument", "Document", "AssumeRolePolicyDocument"):
        value = node.get(key)
        if isinstance(value, str):
            node[key] = json.loads(unquote(value))
    return node


def normalized(raw: dict[str, Any]) -> dict[str, Any]:
    """A file as the service would list it: documents decoded, dates in ISO form with an
    offset, AWS managed policies only as the service shows them."""
    text = json.dumps(raw).replace('Z"', '+00:00"')
    out: dict[str, Any] = json.loads(text, object_hook=_decoded)
    return out


def counts(db: Database) -> dict[str, int]:
    with db.transaction() as session:
        return {
            table.name: len(session.execute(table.select()).all())
            for table in Base.metadata.sorted_tables
        }


def test_the_service_shows_what_the_file_held(db: Database) -> None:
    raw = account_file()
    load(db, read(raw), None, replace=False, clock=lambda: NOW)
    shown = details(db)
    want = normalized(raw)
    for member, name in (
        ("UserDetailList", "UserName"),
        ("GroupDetailList", "GroupName"),
        ("RoleDetailList", "RoleName"),
    ):
        assert [e[name] for e in shown[member]] == [e[name] for e in want[member]]
        for got, expected in zip(shown[member], want[member], strict=True):
            for key, value in expected.items():
                if key == "InstanceProfileList":  # the sample lists only the roles' names
                    got[key] = [
                        {**p, "Roles": [r["RoleName"] for r in p["Roles"]]} for p in got[key]
                    ]
                    value = [{**p, "Roles": [r["RoleName"] for r in p["Roles"]]} for p in value]
                assert got[key] == value, (member, key)
    by_name = {p["PolicyName"]: p for p in shown["Policies"]}
    mine = by_name["mine"]
    expected = want["Policies"][0]
    for key in ("PolicyId", "Arn", "Path", "DefaultVersionId", "Description", "CreateDate"):
        assert mine[key] == expected[key], key
    assert (mine["AttachmentCount"], mine["PermissionsBoundaryUsageCount"]) == (2, 0)
    assert sorted(mine["PolicyVersionList"], key=lambda v: v["VersionId"]) == sorted(
        expected["PolicyVersionList"], key=lambda v: v["VersionId"]
    )
    # AWS managed policies in use come from the catalog, with their usage counts.
    assert by_name["ReadOnlyAccess"]["AttachmentCount"] == 1
    assert by_name["PowerUserAccess"]["PermissionsBoundaryUsageCount"] == 1


def test_the_service_shows_an_import_into_another_account_the_same_way(db: Database) -> None:
    load(db, read(account_file(), account_id=OTHER), None, replace=False, clock=lambda: NOW)
    shown = json.dumps(details(db, OTHER))
    assert ACCOUNT not in shown
    assert f"arn:aws:iam::{OTHER}:role/app" in shown
    assert details(db, ACCOUNT)["RoleDetailList"] == []


def test_an_existing_name_is_refused_and_nothing_is_written(db: Database) -> None:
    load(db, read(account_file()), None, replace=False, clock=lambda: NOW)
    before = counts(db)
    user = account_file()["UserDetailList"][0]
    user.update(UserName="ALICE", UserId="AIDAALICE00000000009", GroupList=[])
    user["Arn"] = f"{ARN}:user/people/ALICE"
    raw = {"UserDetailList": [user]}
    with pytest.raises(InvalidImport) as caught:
        load(db, read(raw), None, replace=False, clock=lambda: NOW, account_file="a.json")
    assert str(caught.value).startswith(
        "a.json: UserDetailList[0].UserName: EntityAlreadyExists: user `ALICE` already exists "
        f"in account {ACCOUNT} (give --replace"
    )
    assert counts(db) == before


def test_a_unique_id_used_in_another_account_is_refused(db: Database) -> None:
    load(db, read(account_file()), None, replace=False, clock=lambda: NOW)
    before = counts(db)
    with pytest.raises(InvalidImport, match=r"^Policies\[0\]\.PolicyId: unique id `ANPAMINE"):
        load(db, read(account_file(), account_id=OTHER), None, replace=False, clock=lambda: NOW)
    assert counts(db) == before
    with db.transaction() as session:
        assert session.get(Account, OTHER) is None  # not even the account


def test_an_organization_problem_undoes_the_whole_import(db: Database) -> None:
    org = read_organization(organization_file(), clock=lambda: NOW)
    load(db, read({"IsTruncated": False}, account_id=OTHER), org, replace=False, clock=lambda: NOW)
    before = counts(db)
    with pytest.raises(
        InvalidImport,
        match=r"^o\.json: Organization\.Id: organization `o-a1b2c3d4e5` already exists",
    ):
        load(
            db,
            read(account_file()),
            org,
            replace=False,
            clock=lambda: NOW,
            organization_file="o.json",
        )
    assert counts(db) == before  # the account's IAM entities were not kept


def test_replace_swaps_the_accounts_entities_and_keeps_the_rest(db: Database) -> None:
    load(db, read(account_file()), None, replace=False, clock=lambda: NOW)
    with db.transaction() as session:
        session.add(Account(id=OTHER, created_at=NOW))
        session.flush()
        session.add(User(user_id="AIDAOTHER0000000001", account_id=OTHER, name="carol", path="/",
                         arn=f"arn:aws:iam::{OTHER}:user/carol", created_at=NOW))  # fmt: skip
        session.add(Tag(account_id=OTHER, resource_arn=f"arn:aws:iam::{OTHER}:user/carol",
                        key="k", value="v", position=0))  # fmt: skip
    smaller = account_file()
    smaller["UserDetailList"] = []
    smaller["GroupDetailList"][0]["GroupName"] = "ops"
    smaller["GroupDetailList"][0]["Arn"] = f"{ARN}:group/ops"
    load(db, read(smaller), None, replace=True, clock=lambda: NOW)
    with db.transaction() as session:
        users = session.scalars(select(User.name).order_by(User.name)).all()
        groups = session.scalars(select(Group.name).where(Group.account_id == ACCOUNT)).all()
        tags = session.scalars(select(Tag.resource_arn)).all()
        inline = session.scalars(select(InlinePolicy.name).order_by(InlinePolicy.name)).all()
        attached = session.scalars(select(PolicyAttachment.policy_arn)).all()
    assert users == ["carol"]  # alice is gone; the other account's user stays
    assert groups == ["ops"]
    assert sorted(tags) == sorted(
        [f"arn:aws:iam::{OTHER}:user/carol", f"{ARN}:role/app", f"{ARN}:instance-profile/web"]
    )
    assert inline == ["bucket", "notify"]
    assert sorted(attached) == [f"{ARN}:policy/team/mine"] * 2


def test_replace_replaces_the_organization(db: Database) -> None:
    org = read_organization(organization_file(), clock=lambda: NOW)
    load(db, read(account_file()), org, replace=False, clock=lambda: NOW)
    changed = organization_file()
    changed["Organization"]["Id"] = "o-zzzzzzzzzz"
    changed["Accounts"][1]["ParentId"] = "r-ab12"
    again = read_organization(changed, clock=lambda: NOW)
    with pytest.raises(
        InvalidImport, match=f"^Organization.MasterAccountId: account {MANAGEMENT} already manages"
    ):
        load(db, read({"IsTruncated": False}, account_id=OTHER), again, replace=False,
             clock=lambda: NOW)  # fmt: skip
    load(db, read(account_file()), again, replace=True, clock=lambda: NOW)
    with db.transaction() as session:
        assert session.scalars(select(Organization.id)).all() == ["o-zzzzzzzzzz"]
        member = session.get(OrgAccount, ACCOUNT)
        assert member is not None and member.parent_id == "r-ab12"


def test_an_account_in_another_organization_is_refused(db: Database) -> None:
    load(db, read(account_file()), read_organization(organization_file(), clock=lambda: NOW),
         replace=False, clock=lambda: NOW)  # fmt: skip
    other = organization_file()
    other["Organization"].update(Id="o-bbbbbbbbbb", MasterAccountId=OTHER)
    other["Roots"][0]["Id"] = "r-cd34"
    other["OrganizationalUnits"] = []
    other["Accounts"] = [
        {"Id": OTHER, "Name": "M", "Email": "o@example.com", "ParentId": "r-cd34"},
        {"Id": ACCOUNT, "Name": "P", "Email": "p@example.com", "ParentId": "r-cd34"},
    ]
    other["Policies"] = []
    with pytest.raises(
        InvalidImport,
        match=rf"^Accounts\[1\]\.Id: account {ACCOUNT} is already a member of organization `o-a1b2c3d4e5`",
    ):
        load(db, read({"IsTruncated": False}, account_id=OTHER),
             read_organization(other, clock=lambda: NOW), replace=True, clock=lambda: NOW)  # fmt: skip
