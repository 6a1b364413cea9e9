"""GetWebIdentityToken, AssumeRoot, GetDelegatedAccessToken and GetScopedCredentials through
`StsService.call` on a migrated SQLite store: each JWT's signature is checked with
`cryptography` and its claims read back; every result is encoded with the botocore STS model."""

from __future__ import annotations

import base64
import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from localiam.catalog import Catalog, ManagedPolicies
from localiam.protocol import ServiceError, encode_query_result, load_service_model
from localiam.services._context import RequestFacts
from localiam.services._owners import KeyOwner, Owner, SessionOwner
from localiam.services.iam import IamService
from localiam.services.sts import StsService
from localiam.services.sts._jwt import SigningKeys
from localiam.store import Database, IdGenerator, Secrets
from localiam.store.models import Account, StsSession

HOME = "111111111111"
NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
FACTS = RequestFacts(now=NOW, source_ip="10.0.0.1", secure_transport=True, region="eu-west-1")
STS = load_service_model("sts")
CATALOG = Catalog()
MANAGED = ManagedPolicies({"asOf": "test", "policies": []})
ISSUER = "https://11111111-2222-3333-4444-555555555555.tokens.sts.global.api.aws"


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action: str, resource: str = "*", **condition: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": "Allow", "Action": action, "Resource": resource}
    if condition:
        statement["Condition"] = condition
    return statement


def unpad(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def verified_claims(token: str, keys: SigningKeys) -> tuple[dict[str, Any], dict[str, Any]]:
    """The header and claims of `token`, once its signature verifies with `keys`' public key."""
    header_b64, claims_b64, signature_b64 = token.split(".")
    header = json.loads(unpad(header_b64))
    signed = f"{header_b64}.{claims_b64}".encode()
    signature = unpad(signature_b64)
    public = keys.public_key(header["alg"])
    if header["alg"] == "ES384":
        assert isinstance(public, ec.EllipticCurvePublicKey)
        assert len(signature) == 96
        der = encode_dss_signature(int.from_bytes(signature[:48]), int.from_bytes(signature[48:]))
        public.verify(der, signed, ec.ECDSA(hashes.SHA384()))
    else:
        assert isinstance(public, rsa.RSAPublicKey)
        public.verify(signature, signed, padding.PKCS1v15(), hashes.SHA256())
    return header, json.loads(unpad(claims_b64))


class World:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.secrets = Secrets(Secrets.generate_key())
        ids = IdGenerator(random.Random(7))
        self.iam = IamService(catalog=CATALOG, managed=MANAGED, ids=ids, secrets=self.secrets)
        self.sts = StsService(
            catalog=CATALOG,
            managed=MANAGED,
            ids=ids,
            secrets=self.secrets,
            principals=self.iam.principals,
        )

    def admin(self, operation: str, **params: Any) -> dict[str, Any]:
        with self.db.transaction() as session:
            return self.iam.call(session, operation, params, KeyOwner(HOME, None), FACTS).result

    def user(self, name: str, *statements: dict[str, Any]) -> KeyOwner:
        made = self.admin("CreateUser", UserName=name)["User"]
        if statements:
            self.admin(
                "PutUserPolicy", UserName=name, PolicyName="p", PolicyDocument=doc(*statements)
            )
        return KeyOwner(HOME, made["UserId"])

    def enable_federation(self) -> None:
        with self.db.transaction() as session:
            account = session.get(Account, HOME)
            assert account is not None
            account.outbound_web_identity_federation = True
            account.outbound_web_identity_issuer = ISSUER

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

    def role_session(self, *statements: dict[str, Any]) -> SessionOwner:
        trust = doc(
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{HOME}:root"},
                "Action": "sts:AssumeRole",
            }
        )
        arn = self.admin("CreateRole", RoleName="worker", AssumeRolePolicyDocument=trust)["Role"]
        self.admin(
            "PutRolePolicy", RoleName="worker", PolicyName="p", PolicyDocument=doc(*statements)
        )
        caller = self.user("assumer", allow("sts:AssumeRole", arn["Arn"]))
        made = self.call(caller, "AssumeRole", RoleArn=arn["Arn"], RoleSessionName="s1")
        return self.session_owner(made["Credentials"])


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    database = Database(f"sqlite:///{tmp_path / 'localiam.db'}")
    with database.transaction() as session:
        session.add(Account(id=HOME, created_at=NOW))
    yield World(database)
    database.close()


# -- GetWebIdentityToken -------------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ["ES384", "RS256"])
def test_web_identity_token_is_signed_and_carries_the_callers_claims(
    world: World, algorithm: str
) -> None:
    world.enable_federation()
    alice = world.user("alice", allow("sts:GetWebIdentityToken"))
    world.admin("TagUser", UserName="alice", Tags=[{"Key": "team", "Value": "data"}])
    made = world.call(
        alice,
        "GetWebIdentityToken",
        Audience=["https://api.example.com"],
        SigningAlgorithm=algorithm,
        DurationSeconds=900,
        Scope="read write",
        Tags=[{"Key": "job", "Value": "42"}],
    )
    header, claims = verified_claims(made["WebIdentityToken"], world.sts.signing_keys)
    assert header["alg"] == algorithm and header["typ"] == "JWT"
    assert made["Expiration"] == NOW + timedelta(seconds=900)
    arn = f"arn:aws:iam::{HOME}:user/alice"
    assert claims["iss"] == ISSUER
    assert claims["aud"] == "https://api.example.com"
    assert claims["sub"] == arn
    assert (claims["iat"], claims["exp"]) == (int(NOW.timestamp()), int(NOW.timestamp()) + 900)
    assert claims["scope"] == "read write"
    assert claims["https://sts.amazonaws.com/"] == {
        "aws_account": HOME,
        "source_region": "eu-west-1",
        "principal_id": arn,
        "principal_tags": {"team": "data"},
        "request_tags": {"job": "42"},
    }


def test_web_identity_token_signature_fails_for_a_changed_token(world: World) -> None:
    world.enable_federation()
    alice = world.user("alice", allow("sts:GetWebIdentityToken"))
    token = world.call(alice, "GetWebIdentityToken", Audience=["a", "b"], SigningAlgorithm="ES384")[
        "WebIdentityToken"
    ]
    _, claims = verified_claims(token, world.sts.signing_keys)
    assert claims["aud"] == ["a", "b"]
    assert claims["exp"] - claims["iat"] == 300  # the default duration
    forged = dict(claims, sub="arn:aws:iam::999999999999:root")
    head, _, signature = token.split(".")
    body = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=").decode()
    with pytest.raises(InvalidSignature):
        verified_claims(f"{head}.{body}.{signature}", world.sts.signing_keys)


def test_signing_keys_are_derived_from_the_secret_key(world: World) -> None:
    again = SigningKeys.of(world.secrets)
    other = SigningKeys.of(Secrets(Secrets.generate_key()))
    assert again.key_id("ES384") == world.sts.signing_keys.key_id("ES384")
    assert other.key_id("ES384") != world.sts.signing_keys.key_id("ES384")


def test_web_identity_token_needs_the_feature_enabled(world: World) -> None:
    alice = world.user("alice", allow("sts:GetWebIdentityToken"))
    refused = world.refusal(alice, "GetWebIdentityToken", Audience=["a"], SigningAlgorithm="ES384")
    assert (refused.code, refused.status) == ("OutboundWebIdentityFederationDisabledException", 403)


def test_web_identity_token_is_authorized_with_its_condition_keys(world: World) -> None:
    world.enable_federation()
    limited = allow(
        "sts:GetWebIdentityToken",
        **{
            "ForAllValues:StringEquals": {"sts:IdentityTokenAudience": "https://ok"},
            "NumericLessThanEquals": {"sts:DurationSeconds": "300"},
            "StringEquals": {"sts:SigningAlgorithm": "ES384"},
        },
    )
    bob = world.user("bob", limited)
    world.call(bob, "GetWebIdentityToken", Audience=["https://ok"], SigningAlgorithm="ES384")
    for params in (
        {"Audience": ["https://other"], "SigningAlgorithm": "ES384"},
        {"Audience": ["https://ok"], "SigningAlgorithm": "ES384", "DurationSeconds": 301},
        {"Audience": ["https://ok"], "SigningAlgorithm": "RS256"},
    ):
        refused = world.refusal(bob, "GetWebIdentityToken", **params)
        assert (refused.code, refused.status) == ("AccessDenied", 403)
        assert "sts:GetWebIdentityToken" in refused.message


def test_role_session_token_names_the_role_and_cannot_outlive_the_session(world: World) -> None:
    world.enable_federation()
    owner = world.role_session(allow("sts:GetWebIdentityToken"))
    token = world.call(owner, "GetWebIdentityToken", Audience=["a"], SigningAlgorithm="RS256")
    _, claims = verified_claims(token["WebIdentityToken"], world.sts.signing_keys)
    assert claims["sub"] == f"arn:aws:iam::{HOME}:role/worker"
    short = SessionOwner(HOME, owner.access_key_id, NOW + timedelta(seconds=200))
    refused = world.refusal(short, "GetWebIdentityToken", Audience=["a"], SigningAlgorithm="ES384")
    assert (refused.code, refused.status) == ("SessionDurationEscalationException", 403)


# -- AssumeRoot and GetDelegatedAccessToken ------------------------------------------------------


def test_assume_root_is_authorized_before_anything_else(world: World) -> None:
    """The rest of AssumeRoot (organizations, task policies) is in test_root_access.py."""
    task = {"arn": "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"}
    bare = world.user("bare")
    denied = world.refusal(bare, "AssumeRoot", TargetPrincipal="222222222222", TaskPolicyArn=task)
    assert denied.code == "AccessDenied"
    assert denied.message == (
        f"User: arn:aws:iam::{HOME}:user/bare is not authorized to perform: sts:AssumeRoot on "
        "resource: arn:aws:iam::222222222222:root"
    )
    admin = world.user(
        "admin", allow("sts:AssumeRoot", **{"StringEquals": {"sts:TaskPolicyArn": task["arn"]}})
    )
    other = {"arn": "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy"}
    refused = world.refusal(
        admin, "AssumeRoot", TargetPrincipal="222222222222", TaskPolicyArn=other
    )
    assert (refused.code, refused.status) == ("AccessDenied", 403)
    assert "sts:AssumeRoot" in refused.message


def test_delegated_access_token_refuses_every_trade_in_token(world: World) -> None:
    bare = world.user("bare")
    denied = world.refusal(bare, "GetDelegatedAccessToken", TradeInToken="x")
    assert denied.code == "AccessDenied"
    allowed = world.user("allowed", allow("sts:GetDelegatedAccessToken"))
    refused = world.refusal(allowed, "GetDelegatedAccessToken", TradeInToken="x")
    assert (refused.code, refused.status) == ("ExpiredTradeInTokenException", 400)


# -- GetScopedCredentials ------------------------------------------------------------------------


def test_scoped_credentials_narrow_a_role_session(world: World) -> None:
    owner = world.role_session(allow("iam:ListUsers"), allow("iam:ListRoles"))
    scoped = world.call(owner, "GetScopedCredentials", Policy=doc(allow("iam:ListUsers")))
    assert scoped["ScopedPoliciesCount"] == 1
    assert scoped["SessionInfo"]["Arn"] == f"arn:aws:sts::{HOME}:assumed-role/worker/s1"
    assert scoped["Credentials"]["Expiration"] == owner.expires_at
    narrowed = world.session_owner(scoped["Credentials"])
    with world.db.read() as session:
        assert world.iam.call(session, "ListUsers", {}, narrowed, FACTS).result is not None
    with world.db.read() as session, pytest.raises(ServiceError) as info:
        world.iam.call(session, "ListRoles", {}, narrowed, FACTS)
    assert info.value.code == "AccessDenied"


def test_scoped_credentials_refusals(world: World) -> None:
    alice = world.user("alice")
    refused = world.refusal(alice, "GetScopedCredentials", DurationSeconds=60)
    assert refused.code == "InvalidSubjectCredentials"
    owner = world.role_session(allow("iam:ListUsers"))
    assert world.refusal(owner, "GetScopedCredentials").code == "ValidationError"
    too_long = world.refusal(owner, "GetScopedCredentials", DurationSeconds=3601)
    assert (too_long.code, too_long.status) == ("InsufficientSessionLifetime", 400)
    bad = world.refusal(owner, "GetScopedCredentials", Policy="{")
    assert bad.code == "MalformedPolicyDocument"
    shorter = world.call(owner, "GetScopedCredentials", DurationSeconds=60)
    assert shorter["Credentials"]["Expiration"] == NOW + timedelta(seconds=60)
    assert "ScopedPoliciesCount" not in shorter
