"""Centralized root access (IAM's ListOrganizationsFeatures, Enable/Disable
OrganizationsRootCredentialsManagement and OrganizationsRootSessions) and sts:AssumeRoot, through
`IamService.call`, `StsService.call` and `OrganizationsService.call` on a migrated SQLite store;
every STS result is encoded with the botocore model."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from localiam.catalog import Catalog, ManagedPolicies
from localiam.protocol import ServiceError, encode_query_result, load_service_model
from localiam.services._context import RequestFacts
from localiam.services._owners import KeyOwner, Owner, SessionOwner
from localiam.services.iam import IamService
from localiam.services.organizations import OrgIds
from localiam.services.organizations._service import OrganizationsService
from localiam.services.sts import StsService
from localiam.store import Database, IdGenerator, Secrets, select
from localiam.store.models import Account, OrgAccount, StsSession

MANAGEMENT = "111111111111"
STRANGER = "333333333333"
NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
FACTS = RequestFacts(now=NOW, source_ip="10.0.0.1", secure_transport=True, region="us-east-1")
STS = load_service_model("sts")
CATALOG = Catalog()
MANAGED = ManagedPolicies()
AUDIT = "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"
FEATURES = ("RootCredentialsManagement", "RootSessions")
ENABLE = {
    "RootCredentialsManagement": "EnableOrganizationsRootCredentialsManagement",
    "RootSessions": "EnableOrganizationsRootSessions",
}
DISABLE = {
    "RootCredentialsManagement": "DisableOrganizationsRootCredentialsManagement",
    "RootSessions": "DisableOrganizationsRootSessions",
}


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action: str, resource: str = "*") -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource}


class World:
    def __init__(self, db: Database) -> None:
        self.db = db
        secrets = Secrets(Secrets.generate_key())
        ids = IdGenerator(random.Random(7))
        self.iam = IamService(catalog=CATALOG, managed=MANAGED, ids=ids, secrets=secrets)
        self.sts = StsService(
            catalog=CATALOG,
            managed=MANAGED,
            ids=ids,
            secrets=secrets,
            principals=self.iam.principals,
        )
        self.orgs = OrganizationsService(
            catalog=CATALOG,
            ids=ids,
            principals=self.iam.principals,
            org_ids=OrgIds(random.Random(3)),
        )

    def call(self, service: str, owner: Owner, operation: str, **params: Any) -> dict[str, Any]:
        target = {"iam": self.iam, "sts": self.sts, "organizations": self.orgs}[service]
        with self.db.transaction() as session:
            result = target.call(session, operation, params, owner, FACTS).result
        if service == "sts":
            encode_query_result(STS.operation_model(operation), result, "req")
        return result

    def refusal(self, service: str, owner: Owner, operation: str, **params: Any) -> ServiceError:
        with pytest.raises(ServiceError) as info:
            self.call(service, owner, operation, **params)
        return info.value

    def root(self, account: str) -> KeyOwner:
        return KeyOwner(account, None)

    def user(self, account: str, name: str, *statements: dict[str, Any]) -> KeyOwner:
        made = self.call("iam", self.root(account), "CreateUser", UserName=name)["User"]
        if statements:
            self.call(
                "iam",
                self.root(account),
                "PutUserPolicy",
                UserName=name,
                PolicyName="p",
                PolicyDocument=doc(*statements),
            )
        return KeyOwner(account, made["UserId"])

    def organization(self, management: str, feature_set: str = "ALL") -> str:
        made = self.call(
            "organizations", self.root(management), "CreateOrganization", FeatureSet=feature_set
        )
        return str(made["Organization"]["Id"])

    def trust_iam(self, management: str) -> None:
        self.call(
            "organizations",
            self.root(management),
            "EnableAWSServiceAccess",
            ServicePrincipal="iam.amazonaws.com",
        )

    def member(self, management: str, name: str) -> str:
        self.call(
            "organizations",
            self.root(management),
            "CreateAccount",
            AccountName=name,
            Email=f"{name}@example.com",
        )
        with self.db.read() as session:
            row = session.scalars(select(OrgAccount).where(OrgAccount.name == name)).one()
            return row.account_id

    def session_owner(self, credentials: dict[str, Any]) -> SessionOwner:
        with self.db.read() as session:
            row = session.get(StsSession, credentials["AccessKeyId"])
            assert row is not None
            return SessionOwner(row.account_id, row.access_key_id, row.expires_at)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    database = Database(f"sqlite:///{tmp_path / 'localiam.db'}")
    with database.transaction() as session:
        session.add(Account(id=MANAGEMENT, created_at=NOW))
        session.add(Account(id=STRANGER, created_at=NOW))
    yield World(database)
    database.close()


@pytest.fixture
def org(world: World) -> tuple[str, str]:
    """An all-features organization of MANAGEMENT that trusts IAM, and one member account."""
    org_id = world.organization(MANAGEMENT)
    world.trust_iam(MANAGEMENT)
    return org_id, world.member(MANAGEMENT, "workload")


def enable_root_sessions(world: World) -> None:
    world.call("iam", world.root(MANAGEMENT), "EnableOrganizationsRootSessions")


# -- the IAM operations --------------------------------------------------------------------------


def test_features_are_enabled_and_disabled_one_by_one(world: World, org: tuple[str, str]) -> None:
    org_id, _ = org
    root = world.root(MANAGEMENT)
    assert world.call("iam", root, "ListOrganizationsFeatures") == {
        "OrganizationId": org_id,
        "EnabledFeatures": [],
    }
    sessions = world.call("iam", root, "EnableOrganizationsRootSessions")
    assert sessions == {"OrganizationId": org_id, "EnabledFeatures": ["RootSessions"]}
    both = world.call("iam", root, "EnableOrganizationsRootCredentialsManagement")
    # Listed in the API reference's order, whatever the order of enabling.
    assert both["EnabledFeatures"] == ["RootCredentialsManagement", "RootSessions"]
    again = world.call("iam", root, "EnableOrganizationsRootSessions")
    assert again["EnabledFeatures"] == ["RootCredentialsManagement", "RootSessions"]
    left = world.call("iam", root, "DisableOrganizationsRootCredentialsManagement")
    assert left["EnabledFeatures"] == ["RootSessions"]
    assert world.call("iam", root, "DisableOrganizationsRootCredentialsManagement") == left
    assert world.call("iam", root, "ListOrganizationsFeatures")["EnabledFeatures"] == [
        "RootSessions"
    ]
    none = world.call("iam", root, "DisableOrganizationsRootSessions")
    assert none == {"OrganizationId": org_id, "EnabledFeatures": []}


@pytest.mark.parametrize("feature", FEATURES)
def test_an_iam_user_needs_the_permission(world: World, org: tuple[str, str], feature: str) -> None:
    bare = world.user(MANAGEMENT, "bare")
    denied = world.refusal("iam", bare, ENABLE[feature])
    assert (denied.code, denied.status) == ("AccessDenied", 403)
    assert f"iam:{ENABLE[feature]}" in denied.message
    admin = world.user(MANAGEMENT, "admin", allow(f"iam:{ENABLE[feature]}"))
    assert world.call("iam", admin, ENABLE[feature])["EnabledFeatures"] == [feature]


def test_every_operation_needs_an_organization(world: World) -> None:
    for operation in ("ListOrganizationsFeatures", *ENABLE.values(), *DISABLE.values()):
        error = world.refusal("iam", world.root(MANAGEMENT), operation)
        assert (error.code, error.status) == ("OrganizationNotFoundException", 400)
        assert MANAGEMENT in error.message


def test_every_operation_needs_all_features(world: World) -> None:
    world.organization(MANAGEMENT, "CONSOLIDATED_BILLING")
    for operation in ("ListOrganizationsFeatures", *ENABLE.values(), *DISABLE.values()):
        error = world.refusal("iam", world.root(MANAGEMENT), operation)
        assert (error.code, error.status) == ("OrganizationNotInAllFeaturesModeException", 400)
        assert error.message == (
            "The request was rejected because your organization does not have All features enabled."
        )


def test_every_operation_needs_trusted_access_for_iam(world: World) -> None:
    world.organization(MANAGEMENT)
    for operation in ("ListOrganizationsFeatures", *ENABLE.values(), *DISABLE.values()):
        error = world.refusal("iam", world.root(MANAGEMENT), operation)
        assert (error.code, error.status) == ("ServiceAccessNotEnabledException", 400)
        assert "trusted access is not enabled for IAM" in error.message


def test_a_member_account_is_refused_with_the_error_of_each_operation(
    world: World, org: tuple[str, str]
) -> None:
    _, member = org
    root = world.root(member)
    for operation in ENABLE.values():
        error = world.refusal("iam", root, operation)
        assert (error.code, error.status) == ("CallerIsNotManagementAccountException", 400)
    for operation in ("ListOrganizationsFeatures", *DISABLE.values()):
        error = world.refusal("iam", root, operation)
        assert (error.code, error.status) == (
            "AccountNotManagementOrDelegatedAdministratorException",
            400,
        )


# -- sts:AssumeRoot ------------------------------------------------------------------------------


def assumer(world: World) -> KeyOwner:
    return world.user(MANAGEMENT, "operator", allow("sts:AssumeRoot"))


def test_assume_root_issues_a_root_session_of_the_member(
    world: World, org: tuple[str, str]
) -> None:
    _, member = org
    enable_root_sessions(world)
    made = world.call(
        "sts", assumer(world), "AssumeRoot", TargetPrincipal=member, TaskPolicyArn={"arn": AUDIT}
    )
    assert set(made) == {"Credentials"}
    credentials = made["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA")
    assert credentials["Expiration"] == NOW + timedelta(seconds=900)
    with world.db.read() as session:
        row = session.get(StsSession, credentials["AccessKeyId"])
        assert row is not None
        assert (row.account_id, row.kind, row.principal_arn, row.policy_arns) == (
            member,
            "assumed-root",
            f"arn:aws:iam::{member}:root",
            [AUDIT],
        )
    owner = world.session_owner(credentials)
    assert world.call("sts", owner, "GetCallerIdentity") == {
        "UserId": member,
        "Account": member,
        "Arn": f"arn:aws:iam::{member}:root",
    }


def test_a_root_session_does_only_what_its_task_policy_leaves(
    world: World, org: tuple[str, str]
) -> None:
    _, member = org
    enable_root_sessions(world)
    made = world.call(
        "sts",
        assumer(world),
        "AssumeRoot",
        TargetPrincipal=f"arn:aws:iam::{member}:root",
        TaskPolicyArn={"arn": AUDIT},
        DurationSeconds=300,
    )
    assert made["Credentials"]["Expiration"] == NOW + timedelta(seconds=300)
    owner = world.session_owner(made["Credentials"])
    assert "SummaryMap" in world.call("iam", owner, "GetAccountSummary")
    assert world.call("iam", owner, "ListMFADevices")["MFADevices"] == []
    denied = world.refusal("iam", owner, "CreateUser", UserName="intruder")
    assert (denied.code, denied.status) == ("AccessDenied", 403)
    assert denied.message == (
        f"User: arn:aws:iam::{member}:root is not authorized to perform: iam:CreateUser on "
        f"resource: arn:aws:iam::{member}:user/intruder with an explicit deny in a session policy: "
        f"{AUDIT}"
    )
    # The audit task reads the root user's credentials only, not an IAM user's.
    world.call("iam", world.root(member), "CreateUser", UserName="alice")
    not_root = world.refusal("iam", owner, "ListAccessKeys", UserName="alice")
    assert not_root.code == "AccessDenied"
    assert world.call("iam", owner, "ListAccessKeys")["AccessKeyMetadata"] == []


def test_assume_root_is_authorized_with_the_task_policy_key(
    world: World, org: tuple[str, str]
) -> None:
    _, member = org
    enable_root_sessions(world)
    other = "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy"
    limited = world.user(
        MANAGEMENT,
        "limited",
        {
            "Effect": "Allow",
            "Action": "sts:AssumeRoot",
            "Resource": f"arn:aws:iam::{member}:root",
            "Condition": {"StringEquals": {"sts:TaskPolicyArn": other}},
        },
    )
    made = world.call(
        "sts", limited, "AssumeRoot", TargetPrincipal=member, TaskPolicyArn={"arn": other}
    )
    assert "Credentials" in made
    denied = world.refusal(
        "sts", limited, "AssumeRoot", TargetPrincipal=member, TaskPolicyArn={"arn": AUDIT}
    )
    assert denied.message == (
        f"User: arn:aws:iam::{MANAGEMENT}:user/limited is not authorized to perform: "
        f"sts:AssumeRoot on resource: arn:aws:iam::{member}:root"
    )


def test_assume_root_needs_root_sessions_enabled(world: World, org: tuple[str, str]) -> None:
    org_id, member = org
    operator = assumer(world)
    world.call("iam", world.root(MANAGEMENT), "EnableOrganizationsRootCredentialsManagement")
    refused = world.refusal(
        "sts", operator, "AssumeRoot", TargetPrincipal=member, TaskPolicyArn={"arn": AUDIT}
    )
    assert (refused.code, refused.status) == ("AccessDenied", 403)
    assert refused.message.endswith(
        f"because root sessions are not enabled for organization {org_id}"
    )
    enable_root_sessions(world)
    world.call(
        "organizations",
        world.root(MANAGEMENT),
        "DisableAWSServiceAccess",
        ServicePrincipal="iam.amazonaws.com",
    )
    untrusted = world.refusal(
        "sts", operator, "AssumeRoot", TargetPrincipal=member, TaskPolicyArn={"arn": AUDIT}
    )
    assert untrusted.message.endswith(
        f"because root sessions are not enabled for organization {org_id}"
    )


def test_assume_root_targets_member_accounts_of_the_same_organization(
    world: World, org: tuple[str, str]
) -> None:
    org_id, _ = org
    enable_root_sessions(world)
    operator = assumer(world)
    world.organization(STRANGER)
    for target, reason in (
        (MANAGEMENT, f"account {MANAGEMENT} is the management account, not a member account"),
        (STRANGER, f"account {STRANGER} is not a member account of organization {org_id}"),
        ("444444444444", f"account 444444444444 is not a member account of organization {org_id}"),
    ):
        refused = world.refusal(
            "sts", operator, "AssumeRoot", TargetPrincipal=target, TaskPolicyArn={"arn": AUDIT}
        )
        assert (refused.code, refused.status) == ("AccessDenied", 403)
        assert refused.message.endswith(f" because {reason}")


def test_assume_root_takes_only_a_root_task_policy(world: World, org: tuple[str, str]) -> None:
    _, member = org
    enable_root_sessions(world)
    operator = assumer(world)
    for arn in (
        "arn:aws:iam::aws:policy/AdministratorAccess",
        "arn:aws:iam::aws:policy/root-task/NoSuchTask",
        f"arn:aws:iam::{MANAGEMENT}:policy/root-task/Mine",
    ):
        refused = world.refusal(
            "sts", operator, "AssumeRoot", TargetPrincipal=member, TaskPolicyArn={"arn": arn}
        )
        assert (refused.code, refused.status) == ("ValidationError", 400)
        assert arn in refused.message


def test_assume_root_target_is_an_account_or_its_root(world: World, org: tuple[str, str]) -> None:
    _, member = org
    enable_root_sessions(world)
    operator = assumer(world)
    for target in (f"arn:aws:iam::{member}:user/alice", "12345", "arn:aws:iam::12:root"):
        refused = world.refusal(
            "sts", operator, "AssumeRoot", TargetPrincipal=target, TaskPolicyArn={"arn": AUDIT}
        )
        assert (refused.code, refused.status) == ("ValidationError", 400)


def test_assume_root_is_for_the_management_account_only(world: World, org: tuple[str, str]) -> None:
    _, member = org
    enable_root_sessions(world)
    sibling = world.member(MANAGEMENT, "sibling")
    from_member = world.user(member, "operator", allow("sts:AssumeRoot"))
    refused = world.refusal(
        "sts", from_member, "AssumeRoot", TargetPrincipal=sibling, TaskPolicyArn={"arn": AUDIT}
    )
    assert (refused.code, refused.status) == ("AccessDenied", 403)
    assert refused.message.endswith(
        f"because account {member} is not the management account or a delegated administrator "
        "of an organization"
    )
    standalone = world.user(STRANGER, "operator", allow("sts:AssumeRoot"))
    alone = world.refusal(
        "sts", standalone, "AssumeRoot", TargetPrincipal=member, TaskPolicyArn={"arn": AUDIT}
    )
    assert alone.message.endswith(
        f"because account {STRANGER} is not the management account or a delegated "
        "administrator of an organization"
    )
    rooted = world.refusal(
        "sts",
        world.root(MANAGEMENT),
        "AssumeRoot",
        TargetPrincipal=member,
        TaskPolicyArn={"arn": AUDIT},
    )
    assert (rooted.code, rooted.message) == (
        "AccessDenied",
        "AssumeRoot cannot be called with root credentials.",
    )


def test_a_root_session_keeps_the_callers_source_identity(
    world: World, org: tuple[str, str]
) -> None:
    _, member = org
    enable_root_sessions(world)
    trust = doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{MANAGEMENT}:root"},
            "Action": ["sts:AssumeRole", "sts:SetSourceIdentity"],
        }
    )
    root = world.root(MANAGEMENT)
    role = world.call("iam", root, "CreateRole", RoleName="ops", AssumeRolePolicyDocument=trust)[
        "Role"
    ]["Arn"]
    world.call(
        "iam", root, "PutRolePolicy", RoleName="ops", PolicyName="p",
        PolicyDocument=doc(allow("sts:AssumeRoot")),
    )  # fmt: skip
    caller = world.user(MANAGEMENT, "assumer", allow("sts:*"))
    assumed = world.call(
        "sts", caller, "AssumeRole", RoleArn=role, RoleSessionName="s", SourceIdentity="jane"
    )
    ops = world.session_owner(assumed["Credentials"])
    made = world.call(
        "sts", ops, "AssumeRoot", TargetPrincipal=member, TaskPolicyArn={"arn": AUDIT}
    )
    assert made["SourceIdentity"] == "jane"
