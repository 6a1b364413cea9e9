"""Reading an organization file: its rows, the levels of SCPs and RCPs the store then gives an
account, and every problem at its place."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from import_samples import (
    ACCOUNT,
    MANAGEMENT,
    NOW,
    RCP_DENY_OUTSIDE,
    SCP_DENY_SQS,
    account_file,
    doc,
    organization_file,
    read,
)

from localiam.importer import InvalidImport, load, read_organization
from localiam.services.organizations._tree import FULL_AWS_ACCESS_TEXT, level_texts, placement
from localiam.store import Database
from localiam.store.models import (
    OrgAccount,
    Organization,
    OrgPolicy,
    OrgPolicyAttachment,
    OrgUnit,
)

ORG = "o-a1b2c3d4e5"
SCP_ARN = f"arn:aws:organizations::{MANAGEMENT}:policy/{ORG}/service_control_policy/p-12345678"
RCP_ARN = f"arn:aws:organizations::{MANAGEMENT}:policy/{ORG}/resource_control_policy/p-87654321"


def read_org(raw: object) -> Any:
    return read_organization(raw, clock=lambda: NOW)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'localiam.db'}")
    yield database
    database.close()


def test_the_rows_of_an_organization() -> None:
    imported = read_org(organization_file())
    assert (imported.org_id, imported.management_account_id) == (ORG, MANAGEMENT)
    assert list(imported.accounts) == [MANAGEMENT, ACCOUNT]
    assert (imported.units, imported.policies, imported.attachments) == (3, 2, 12)
    rows = imported.rows
    (org,) = [r for r in rows if isinstance(r, Organization)]
    assert org.arn == f"arn:aws:organizations::{MANAGEMENT}:organization/{ORG}"
    assert (org.management_account_id, org.feature_set) == (MANAGEMENT, "ALL")
    units = {r.id: r for r in rows if isinstance(r, OrgUnit)}
    assert units["r-ab12"].parent_id is None
    assert units["r-ab12"].arn == f"arn:aws:organizations::{MANAGEMENT}:root/{ORG}/r-ab12"
    assert [t["Type"] for t in units["r-ab12"].policy_types] == [
        "SERVICE_CONTROL_POLICY",
        "RESOURCE_CONTROL_POLICY",
    ]
    assert units["ou-ab12-22222222"].parent_id == "ou-ab12-11111111"
    members = {r.account_id: r for r in rows if isinstance(r, OrgAccount)}
    prod = members[ACCOUNT]
    assert (prod.parent_id, prod.name, prod.email, prod.joined_method, prod.status) == (
        "ou-ab12-11111111",
        "Prod",
        "p@example.com",
        "INVITED",
        "ACTIVE",
    )
    assert prod.joined_at == datetime(2023, 1, 1, tzinfo=UTC)
    assert members[MANAGEMENT].joined_method == "CREATED"
    policies = {r.id: r for r in rows if isinstance(r, OrgPolicy)}
    assert sorted(policies) == ["p-12345678", "p-87654321"]  # AWS's own policies have no row
    assert policies["p-12345678"].arn == SCP_ARN
    assert json.loads(policies["p-12345678"].content) == SCP_DENY_SQS
    assert json.loads(policies["p-87654321"].content) == RCP_DENY_OUTSIDE  # given as an object
    attachments = [r for r in rows if isinstance(r, OrgPolicyAttachment)]
    assert [a.position for a in attachments] == list(range(12))
    assert {(a.policy_id, a.target_id) for a in attachments} >= {
        ("p-12345678", "ou-ab12-11111111"),
        ("p-FullAWSAccess", ACCOUNT),
        ("p-RCPFullAWSAccess", "r-ab12"),
    }


def test_the_store_then_gives_an_account_its_levels(db: Database) -> None:
    load(db, read(account_file()), read_org(organization_file()), replace=False, clock=lambda: NOW)
    with db.read() as session:
        where = placement(session, ACCOUNT)
        assert where is not None
        assert where.org_path == f"{ORG}/r-ab12/ou-ab12-11111111/"
        assert not where.is_management
        scps = level_texts(session, where, "SERVICE_CONTROL_POLICY")
        rcps = level_texts(session, where, "RESOURCE_CONTROL_POLICY")
        management = placement(session, MANAGEMENT)
    assert scps == [
        [("p-FullAWSAccess", FULL_AWS_ACCESS_TEXT)],
        # In the order of the file: its Policies, each one's Targets.
        [(SCP_ARN, json.dumps(SCP_DENY_SQS)), ("p-FullAWSAccess", FULL_AWS_ACCESS_TEXT)],
        [("p-FullAWSAccess", FULL_AWS_ACCESS_TEXT)],
    ]
    assert rcps is not None and [[name for name, _ in level] for level in rcps] == [
        [RCP_ARN],
        [],
        [],
    ]
    assert management is not None and management.is_management


def test_a_policy_type_not_enabled_gives_no_levels(db: Database) -> None:
    raw = organization_file()
    raw["Roots"][0]["PolicyTypes"] = []
    load(db, read(account_file()), read_org(raw), replace=False, clock=lambda: NOW)
    with db.read() as session:
        where = placement(session, ACCOUNT)
        assert where is not None
        assert level_texts(session, where, "SERVICE_CONTROL_POLICY") is None


def test_rcp_full_aws_access_is_not_parsed_and_other_types_are_kept_as_json() -> None:
    raw = organization_file()
    raw["Policies"][3]["Content"] = "not even JSON"  # AWS's own policy: its content is ignored
    raw["Policies"].append(
        {
            "Id": "p-tag00001",
            "Name": "Tags",
            "Type": "TAG_POLICY",
            "Content": {"tags": {"costcenter": {"tag_key": {"@@assign": "CostCenter"}}}},
            "Targets": [],
        }
    )
    rows = read_org(raw).rows
    tag = next(r for r in rows if isinstance(r, OrgPolicy) and r.type == "TAG_POLICY")
    assert json.loads(tag.content)["tags"]["costcenter"]["tag_key"]["@@assign"] == "CostCenter"


def _set(raw: dict[str, Any], path: str, value: object) -> None:
    *parents, last = path.split(".")
    node: Any = raw
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    if value is ...:
        del node[last]
    elif last.isdigit():
        node[int(last)] = value
    else:
        node[last] = value


PROBLEMS: list[tuple[str, object, str | None]] = [
    ("Organization", ..., "Organization: missing; it is required"),
    ("Organization.Id", "org-1", "Organization.Id: `org-1` is not an organization id"),
    ("Organization.MasterAccountId", "123", "Organization.MasterAccountId: `123` is not a 12-digit account id"),
    ("Organization.FeatureSet", "SOME", "Organization.FeatureSet: `SOME` is not ALL or CONSOLIDATED_BILLING"),
    ("Roots", [], "Roots: an organization has one root, not 0"),
    ("Roots.0.Id", "root-1", "Roots[0].Id: `root-1` is not a root id"),
    ("OrganizationalUnits.0.Id", "ou-1", "OrganizationalUnits[0].Id: `ou-1` is not an OU id"),
    ("OrganizationalUnits.1.ParentId", "ou-ab12-99999999", "OrganizationalUnits[1].ParentId: `ou-ab12-99999999` is not the root or an OU of the file"),
    ("OrganizationalUnits.0.ParentId", "ou-ab12-22222222", "OrganizationalUnits[0].ParentId: `ou-ab12-11111111` is inside itself (a cycle of OUs)"),
    ("OrganizationalUnits.1.Name", None, "OrganizationalUnits[1].Name: missing; it is required"),
    ("Accounts.1.ParentId", ACCOUNT, f"Accounts[1].ParentId: `{ACCOUNT}` is not the root or an OU of the file"),
    ("Accounts.1.Id", "1111", "Accounts[1].Id: `1111` is not a 12-digit account id"),
    ("Accounts.0", {"Id": ACCOUNT, "Name": "x", "Email": "e", "ParentId": "r-ab12"}, f"Accounts[1].Id: `{ACCOUNT}` is already in the file, at Accounts[0].Id"),
    ("Accounts.0.Id", "222233334444", f"Accounts: the management account {MANAGEMENT} is not listed"),
    ("Accounts.1.Email", None, "Accounts[1].Email: missing; it is required"),
    ("Policies.0.Id", "p-1", "Policies[0].Id: `p-1` is not a policy id"),
    ("Policies.0.Content", json.dumps(doc({"Effect": "Allow", "Action": "*"})), "Policies[0].Content: malformed policy document"),
    ("Policies.0.Content", "{not json", "Policies[0].Content: malformed policy document"),
    # An RCP is read as an RCP: it needs its Principal.
    ("Policies.1.Content", json.dumps(SCP_DENY_SQS), "Policies[1].Content: malformed policy document"),
    ("Policies.1.Name", "DenySqs", None),  # an RCP may share an SCP's name
    ("Policies.1.Type", "SERVICE_CONTROL_POLICY", "Policies[1].Content: malformed policy document"),
    ("Policies.0.Targets", ["ou-ab12-11111111", "ou-ab12-11111111"], "Policies[0].Targets[1]: `ou-ab12-11111111` is given twice"),
    ("Policies.0.Targets", ["ou-ab12-33333333"], "Policies[0].Targets[0]: `ou-ab12-33333333` is not the root, an OU or an account of the file"),
    ("Policies.2.Id", "p-12345678", "Policies[2].Id: policy `p-12345678` is already in the file, at Policies[0].Id"),
]  # fmt: skip


@pytest.mark.parametrize(("path", "value", "message"), PROBLEMS, ids=[f"{p[0]}" for p in PROBLEMS])
def test_a_problem_is_reported_at_its_place(path: str, value: object, message: str | None) -> None:
    raw = organization_file()
    _set(raw, path, value)
    if message is None:
        read_org(raw)
        return
    with pytest.raises(InvalidImport) as caught:
        read_org(raw)
    assert str(caught.value).startswith(message)


def test_two_policies_of_a_type_with_one_name() -> None:
    raw = organization_file()
    raw["Policies"].append({**raw["Policies"][0], "Id": "p-11112222", "Targets": []})
    with pytest.raises(
        InvalidImport,
        match=r"^Policies\[4\]\.Name: SERVICE_CONTROL_POLICY `DenySqs` is already in the file, at Policies\[0\]\.Name$",
    ):
        read_org(raw)


def test_two_ous_of_a_name_under_one_parent() -> None:
    raw = organization_file()
    raw["OrganizationalUnits"][1]["ParentId"] = "r-ab12"
    raw["OrganizationalUnits"][1]["Name"] = "Prod"
    with pytest.raises(
        InvalidImport, match=r"^OrganizationalUnits\[1\]\.Name: OU `Prod` is already in its parent"
    ):
        read_org(raw)
