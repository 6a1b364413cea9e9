"""`StsService.call` on a migrated SQLite store with two accounts: AWS's same-account and
cross-account rules for role trust policies, the sessions AssumeRole and GetFederationToken make
(and what their principals may do, for actions beyond IAM), and GetSessionToken's MFA. Every
result is encoded with the botocore STS model, so a member the output shape lacks fails."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyotp
import pytest

from localiam.authz import Request, evaluate
from localiam.catalog import Catalog, ManagedPolicies
from localiam.protocol import ServiceError, encode_query_result, load_service_model
from localiam.services._context import RequestFacts
from localiam.services._owners import KeyOwner, Owner, SessionOwner
from localiam.services.iam import IamService
from localiam.services.iam._mfa import time_step
from localiam.services.sts import StsService
from localiam.store import Database, IdGenerator, Secrets
from localiam.store.models import Account, MfaDevice, StsSession

HOME = "111111111111"
OTHER = "222222222222"
NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
FACTS = RequestFacts(now=NOW, source_ip="10.0.0.1", secure_transport=True, region="eu-west-1")
STS = load_service_model("sts")
CATALOG = Catalog()
MANAGED = ManagedPolicies({"asOf": "test", "policies": []})


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action: str, resource: str = "*") -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource}


def trusting(principal: str) -> str:
    return doc({"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"})


class World:
    """Two accounts, IAM to populate them, STS to call."""

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

    def admin(self, account: str, operation: str, **params: Any) -> dict[str, Any]:
        with self.db.transaction() as session:
            return self.iam.call(session, operation, params, KeyOwner(account, None), FACTS).result

    def user(self, account: str, name: str, *statements: dict[str, Any]) -> KeyOwner:
        made = self.admin(account, "CreateUser", UserName=name)["User"]
        if statements:
            self.admin(
                account,
                "PutUserPolicy",
                UserName=name,
                PolicyName="p",
                PolicyDocument=doc(*statements),
            )
        return KeyOwner(account, made["UserId"])

    def role(self, account: str, name: str, trust: str, *statements: dict[str, Any]) -> str:
        arn: str = self.admin(account, "CreateRole", RoleName=name, AssumeRolePolicyDocument=trust)[
            "Role"
        ]["Arn"]
        if statements:
            self.admin(
                account,
                "PutRolePolicy",
                RoleName=name,
                PolicyName="p",
                PolicyDocument=doc(*statements),
            )
        return arn

    def call(self, owner: Owner, operation: str, **params: Any) -> dict[str, Any]:
        with self.db.transaction() as session:
            result = self.sts.call(session, operation, params, owner, FACTS).result
        encode_query_result(STS.operation_model(operation), result, "req")
        return result

    def refusal(self, owner: Owner, operation: str, **params: Any) -> ServiceError:
        with pytest.raises(ServiceError) as info:
            self.call(owner, operation, **params)
        return info.value

    def session_owner(self, credentials: dict[str, Any]) -> SessionOwner:
        with self.db.read() as session:
            row = session.get(StsSession, credentials["AccessKeyId"])
            assert row is not None
            return SessionOwner(row.account_id, row.access_key_id, row.expires_at)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    database = Database(f"sqlite:///{tmp_path / 'localiam.db'}")
    with database.transaction() as session:
        session.add_all([Account(id=HOME, created_at=NOW), Account(id=OTHER, created_at=NOW)])
    yield World(database)
    database.close()


# -- trust policies: same account --------------------------------------------------------------


def test_same_account_trust_naming_the_account_needs_an_identity_policy(world: World) -> None:
    role = world.role(HOME, "reader", trusting(f"arn:aws:iam::{HOME}:root"))
    bare = world.user(HOME, "bare")
    refused = world.refusal(bare, "AssumeRole", RoleArn=role, RoleSessionName="s1")
    assert (refused.code, refused.status) == ("AccessDenied", 403)
    assert refused.message == (
        f"User: arn:aws:iam::{HOME}:user/bare is not authorized to perform: sts:AssumeRole on "
        f"resource: {role}"
    )
    allowed = world.user(HOME, "allowed", allow("sts:AssumeRole", role))
    made = world.call(allowed, "AssumeRole", RoleArn=role, RoleSessionName="s1")
    assert made["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{HOME}:assumed-role/reader/s1"


def test_same_account_trust_naming_the_user_grants_by_itself(world: World) -> None:
    carol = world.user(HOME, "carol")
    role = world.role(HOME, "named", trusting(f"arn:aws:iam::{HOME}:user/carol"))
    assert world.call(carol, "AssumeRole", RoleArn=role, RoleSessionName="s1")["Credentials"]


def test_an_identity_policy_alone_never_assumes_a_role(world: World) -> None:
    world.user(HOME, "carol")
    role = world.role(HOME, "named", trusting(f"arn:aws:iam::{HOME}:user/carol"))
    dave = world.user(HOME, "dave", allow("sts:AssumeRole"))
    refused = world.refusal(dave, "AssumeRole", RoleArn=role, RoleSessionName="s1")
    assert refused.code == "AccessDenied"


# -- trust policies: across accounts ---------------------------------------------------------


def test_cross_account_needs_the_trust_policy_and_the_callers_identity_policy(
    world: World,
) -> None:
    role = world.role(HOME, "partner", trusting(f"arn:aws:iam::{OTHER}:root"), allow("s3:*"))
    bare = world.user(OTHER, "bare")
    refused = world.refusal(bare, "AssumeRole", RoleArn=role, RoleSessionName="s1")
    assert refused.message == (
        f"User: arn:aws:iam::{OTHER}:user/bare is not authorized to perform: sts:AssumeRole on "
        f"resource: {role}"
    )
    allowed = world.user(OTHER, "allowed", allow("sts:AssumeRole", role))
    made = world.call(allowed, "AssumeRole", RoleArn=role, RoleSessionName="s1")
    session_arn = f"arn:aws:sts::{HOME}:assumed-role/partner/s1"
    assert made["AssumedRoleUser"]["Arn"] == session_arn
    # The session belongs to the role's account.
    me = world.call(world.session_owner(made["Credentials"]), "GetCallerIdentity")
    assert (me["Account"], me["Arn"]) == (HOME, session_arn)


def test_cross_account_trust_naming_the_user_still_needs_its_identity_policy(
    world: World,
) -> None:
    bare = world.user(OTHER, "bare")
    role = world.role(HOME, "partner", trusting(f"arn:aws:iam::{OTHER}:user/bare"))
    assert world.refusal(bare, "AssumeRole", RoleArn=role, RoleSessionName="s1").code == (
        "AccessDenied"
    )


def test_cross_account_without_trust_is_refused_whatever_the_identity_policy(
    world: World,
) -> None:
    role = world.role(HOME, "internal", trusting(f"arn:aws:iam::{HOME}:root"))
    eager = world.user(OTHER, "eager", allow("sts:*"))
    assert world.refusal(eager, "AssumeRole", RoleArn=role, RoleSessionName="s1").code == (
        "AccessDenied"
    )


# -- what sessions may do -----------------------------------------------------------------------


def _decide(world: World, owner: SessionOwner, action: str, resource: str) -> str:
    with world.db.read() as session:
        principal = world.iam.principals.resolve(session, owner)
    context = principal.request_context(NOW)
    request = Request.build(principal.caller.text, action, resource, context=context)
    return evaluate(request, principal.policies).decision.value


def test_federated_user_gets_the_intersection_of_user_and_passed_policies(world: World) -> None:
    alice = world.user(
        HOME,
        "alice",
        allow("sts:GetFederationToken"),
        allow("s3:GetObject"),
        allow("s3:PutObject"),
    )
    passed = doc(allow("s3:GetObject"), allow("s3:DeleteObject"))
    made = world.call(alice, "GetFederationToken", Name="partner", Policy=passed)
    fed = world.session_owner(made["Credentials"])
    obj = "arn:aws:s3:::bucket/key"
    assert _decide(world, fed, "s3:GetObject", obj) == "allowed"
    assert _decide(world, fed, "s3:PutObject", obj) == "implicitDeny"  # not in the passed policy
    assert _decide(world, fed, "s3:DeleteObject", obj) == "implicitDeny"  # not the user's
    me = world.call(fed, "GetCallerIdentity")
    assert me["UserId"] == f"{HOME}:partner"
    bare = world.session_owner(world.call(alice, "GetFederationToken", Name="bare")["Credentials"])
    assert _decide(world, bare, "s3:GetObject", obj) == "implicitDeny"


def test_role_session_has_the_roles_permissions_not_the_users(world: World) -> None:
    role = world.role(HOME, "reader", trusting(f"arn:aws:iam::{HOME}:root"), allow("s3:GetObject"))
    alice = world.user(HOME, "alice", allow("sts:AssumeRole"), allow("s3:PutObject"))
    made = world.call(alice, "AssumeRole", RoleArn=role, RoleSessionName="s1")
    inside = world.session_owner(made["Credentials"])
    assert _decide(world, inside, "s3:GetObject", "arn:aws:s3:::b/k") == "allowed"
    assert _decide(world, inside, "s3:PutObject", "arn:aws:s3:::b/k") == "implicitDeny"


def test_get_session_token_with_mfa_on_a_fixed_clock(world: World) -> None:
    alice = world.user(HOME, "alice")
    made = world.admin(HOME, "CreateVirtualMFADevice", VirtualMFADeviceName="alice-phone")
    device = made["VirtualMFADevice"]
    totp = pyotp.TOTP(device["Base32StringSeed"].decode("ascii"))
    step = time_step(NOW)
    world.admin(
        HOME,
        "EnableMFADevice",
        UserName="alice",
        SerialNumber=device["SerialNumber"],
        AuthenticationCode1=totp.generate_otp(step - 2),
        AuthenticationCode2=totp.generate_otp(step - 1),
    )
    # Codes within one step of now are accepted; two steps away are not.
    for far in (step - 2, step + 2):
        wrong = world.refusal(
            alice,
            "GetSessionToken",
            SerialNumber=device["SerialNumber"],
            TokenCode=totp.generate_otp(far),
        )
        assert (
            wrong.message
            == "MultiFactorAuthentication failed with invalid MFA one time pass code. "
        )
    got = world.call(
        alice,
        "GetSessionToken",
        SerialNumber=device["SerialNumber"],
        TokenCode=totp.generate_otp(step),
    )
    owner = world.session_owner(got["Credentials"])
    with world.db.read() as session:
        principal = world.iam.principals.resolve(session, owner)
    assert principal.context["aws:MultiFactorAuthPresent"] == "true"
    assert principal.context["aws:TokenIssueTime"] == "2026-01-02T03:04:05Z"
    assert principal.request_context(NOW)["aws:MultiFactorAuthAge"] == "0"
    # The code just used, and any older one, is refused from now on.
    reused = world.refusal(
        alice,
        "GetSessionToken",
        SerialNumber=device["SerialNumber"],
        TokenCode=totp.generate_otp(step),
    )
    assert reused.code == "AccessDenied"
    # The next step's code is still good.
    assert world.call(
        alice,
        "GetSessionToken",
        SerialNumber=device["SerialNumber"],
        TokenCode=totp.generate_otp(step + 1),
    )


def test_a_role_session_cannot_present_the_root_users_mfa_device(world: World) -> None:
    made = world.admin(HOME, "CreateVirtualMFADevice", VirtualMFADeviceName="root-phone")
    device = made["VirtualMFADevice"]
    totp = pyotp.TOTP(device["Base32StringSeed"].decode("ascii"))
    step = time_step(NOW)
    with world.db.transaction() as session:  # the root user's device (enabled in the console)
        row = session.get(MfaDevice, device["SerialNumber"])
        assert row is not None
        row.enabled_at, row.last_time_step = NOW, step - 1
    account = f"arn:aws:iam::{HOME}:root"
    first = world.role(HOME, "first", trusting(account), allow("sts:AssumeRole"))
    second = world.role(HOME, "second", trusting(account))
    alice = world.user(HOME, "alice", allow("sts:AssumeRole"))
    inside = world.session_owner(
        world.call(alice, "AssumeRole", RoleArn=first, RoleSessionName="s1")["Credentials"]
    )
    refused = world.refusal(
        inside,
        "AssumeRole",
        RoleArn=second,
        RoleSessionName="s2",
        SerialNumber=device["SerialNumber"],
        TokenCode=totp.generate_otp(step),
    )
    assert refused.message.startswith("MultiFactorAuthentication failed, unable to validate")
    # The root user itself may use it.
    root = KeyOwner(HOME, None)
    assert world.call(
        root,
        "GetSessionToken",
        SerialNumber=device["SerialNumber"],
        TokenCode=totp.generate_otp(step),
    )
