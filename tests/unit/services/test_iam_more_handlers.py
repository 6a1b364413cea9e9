"""The SSH key, certificate, identity provider and access report handlers on a migrated SQLite
store, as the root user. Every result is encoded with the botocore model, so a member the output
shape does not define fails the test."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)
from cryptography.x509.oid import NameOID

from localiam.catalog import ManagedPolicies
from localiam.policy import parse_caller
from localiam.protocol import ServiceError, encode_query_result, load_service_model
from localiam.services.iam._access_reports import HANDLERS as REPORTS
from localiam.services.iam._attached_policies import HANDLERS as ATTACHED
from localiam.services.iam._certificates import HANDLERS as CERTIFICATES
from localiam.services.iam._context import IamContext
from localiam.services.iam._groups import HANDLERS as GROUPS
from localiam.services.iam._identity_providers import HANDLERS as PROVIDERS
from localiam.services.iam._inline_policies import HANDLERS as INLINE
from localiam.services.iam._managed_policies import HANDLERS as MANAGED
from localiam.services.iam._ssh_keys import HANDLERS as SSH_KEYS
from localiam.services.iam._users import HANDLERS as USERS
from localiam.store import Database, IdGenerator, Secrets, Session
from localiam.store.models import Account, AuditEvent

ACCOUNT = "123456789012"
NOW = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
MODEL = load_service_model("iam")
HANDLERS = {
    **USERS,
    **GROUPS,
    **INLINE,
    **ATTACHED,
    **MANAGED,
    **SSH_KEYS,
    **CERTIFICATES,
    **PROVIDERS,
    **REPORTS,
}


class Iam:
    """Calls handlers as the root user in one transaction, at a settable time."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.now = NOW
        self.ids = IdGenerator(random.Random(7))
        self.secrets = Secrets(Secrets.generate_key())
        self.managed = ManagedPolicies({"asOf": "test", "policies": []})

    def __call__(self, operation: str, **params: Any) -> dict[str, Any]:
        ctx = IamContext(
            session=self.session,
            account_id=ACCOUNT,
            caller=parse_caller(f"arn:aws:iam::{ACCOUNT}:root"),
            caller_user_id=None,
            now=self.now,
            ids=self.ids,
            secrets=self.secrets,
            managed=self.managed,
        )
        result = HANDLERS[operation](ctx, params)
        self.session.flush()
        encode_query_result(MODEL.operation_model(operation), result, "req")
        return result

    def error(self, operation: str, **params: Any) -> ServiceError:
        with pytest.raises(ServiceError) as info:
            self(operation, **params)
        return info.value


@pytest.fixture
def iam(tmp_path: Path) -> Iterator[Iam]:
    db = Database(f"sqlite:///{tmp_path / 'localiam.db'}")
    with db.transaction() as s:
        s.add(Account(id=ACCOUNT, created_at=NOW))
    with db.transaction() as s:
        yield Iam(s)
    db.close()


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def ssh_line(key: rsa.RSAPrivateKey) -> str:
    return key.public_key().public_bytes(Encoding.OpenSSH, PublicFormat.OpenSSH).decode()


def cert_pem(key: rsa.RSAPrivateKey, name: str, days: int = 90) -> str:
    dn = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(dn)
        .issuer_name(dn)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - timedelta(days=1))
        .not_valid_after(NOW + timedelta(days=days))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(Encoding.PEM).decode()


def key_pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()


@pytest.fixture(scope="module")
def keys() -> list[rsa.RSAPrivateKey]:
    return [new_key() for _ in range(6)]


# -- SSH public keys ---------------------------------------------------------------------------


def test_ssh_keys_lifecycle_duplicates_and_quota(iam: Iam, keys: list[rsa.RSAPrivateKey]) -> None:
    iam("CreateUser", UserName="alice")
    uploaded = iam("UploadSSHPublicKey", UserName="alice", SSHPublicKeyBody=ssh_line(keys[0]))
    key = uploaded["SSHPublicKey"]
    assert key["SSHPublicKeyId"].startswith("APKA") and key["Status"] == "Active"
    as_pem = keys[0].public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    duplicate = iam.error("UploadSSHPublicKey", UserName="alice", SSHPublicKeyBody=as_pem.decode())
    assert (duplicate.code, duplicate.status) == ("DuplicateSSHPublicKey", 400)
    got = iam(
        "GetSSHPublicKey", UserName="alice", SSHPublicKeyId=key["SSHPublicKeyId"], Encoding="PEM"
    )
    assert got["SSHPublicKey"]["SSHPublicKeyBody"] == as_pem.decode()
    assert got["SSHPublicKey"]["Fingerprint"] == key["Fingerprint"]
    for k in keys[1:5]:
        iam.now += timedelta(seconds=1)
        iam("UploadSSHPublicKey", UserName="alice", SSHPublicKeyBody=ssh_line(k))
    over = iam.error("UploadSSHPublicKey", UserName="alice", SSHPublicKeyBody=ssh_line(keys[5]))
    assert (over.code, over.message) == (
        "LimitExceeded",
        "Cannot exceed quota for SSHPublicKeysPerUser: 5",
    )
    first = iam("ListSSHPublicKeys", UserName="alice", MaxItems=3)
    rest = iam("ListSSHPublicKeys", UserName="alice", Marker=first["Marker"])
    listed = [k["SSHPublicKeyId"] for k in first["SSHPublicKeys"] + rest["SSHPublicKeys"]]
    assert len(listed) == 5 and listed[0] == key["SSHPublicKeyId"] and not rest["IsTruncated"]
    ref = {"UserName": "alice", "SSHPublicKeyId": key["SSHPublicKeyId"]}
    assert iam.error("UpdateSSHPublicKey", Status="Expired", **ref).code == "InvalidInput"
    iam("UpdateSSHPublicKey", Status="Inactive", **ref)
    assert iam("GetSSHPublicKey", Encoding="SSH", **ref)["SSHPublicKey"]["Status"] == "Inactive"
    assert iam.error("DeleteUser", UserName="alice").code == "DeleteConflict"
    iam("DeleteSSHPublicKey", **ref)
    gone = iam.error("GetSSHPublicKey", Encoding="SSH", **ref)
    assert (gone.code, gone.status) == ("NoSuchEntity", 404)
    assert iam("ListSSHPublicKeys") == {"SSHPublicKeys": [], "IsTruncated": False}


# -- certificates ------------------------------------------------------------------------------


def test_signing_certificates_of_users_and_root(iam: Iam, keys: list[rsa.RSAPrivateKey]) -> None:
    iam("CreateUser", UserName="bob")
    body = cert_pem(keys[0], "bob")
    cert = iam("UploadSigningCertificate", UserName="bob", CertificateBody=body)["Certificate"]
    assert cert["UserName"] == "bob" and len(cert["CertificateId"]) == 32
    duplicate = iam.error("UploadSigningCertificate", CertificateBody=body)
    assert (duplicate.code, duplicate.status) == ("DuplicateCertificate", 409)
    root = iam("UploadSigningCertificate", CertificateBody=cert_pem(keys[1], "root"))
    assert root["Certificate"]["UserName"] == ""
    iam("UploadSigningCertificate", CertificateBody=cert_pem(keys[2], "root2"))
    third = iam.error("UploadSigningCertificate", CertificateBody=cert_pem(keys[3], "root3"))
    assert third.code == "LimitExceeded"
    assert len(iam("ListSigningCertificates")["Certificates"]) == 2
    ref = {"UserName": "bob", "CertificateId": cert["CertificateId"]}
    iam("UpdateSigningCertificate", Status="Inactive", **ref)
    listed = iam("ListSigningCertificates", UserName="bob")["Certificates"]
    assert [(c["CertificateId"], c["Status"]) for c in listed] == [
        (cert["CertificateId"], "Inactive")
    ]
    wrong_owner = iam.error("DeleteSigningCertificate", CertificateId=cert["CertificateId"])
    assert wrong_owner.code == "NoSuchEntity"
    iam("DeleteSigningCertificate", **ref)
    assert iam("ListSigningCertificates", UserName="bob")["Certificates"] == []


def test_server_certificates_with_tags_rename_and_errors(
    iam: Iam, keys: list[rsa.RSAPrivateKey]
) -> None:
    body = cert_pem(keys[0], "www.example.com", days=30)
    made = iam(
        "UploadServerCertificate",
        ServerCertificateName="web",
        Path="/cdn/",
        CertificateBody=body,
        PrivateKey=key_pem(keys[0]),
        Tags=[{"Key": "team", "Value": "edge"}],
    )
    meta = made["ServerCertificateMetadata"]
    assert meta["Arn"] == f"arn:aws:iam::{ACCOUNT}:server-certificate/cdn/web"
    assert meta["ServerCertificateId"].startswith("ASCA")
    assert meta["Expiration"] == NOW.replace(microsecond=0) + timedelta(days=30)
    assert made["Tags"] == [{"Key": "team", "Value": "edge"}]
    mismatch = iam.error(
        "UploadServerCertificate",
        ServerCertificateName="other",
        CertificateBody=body,
        PrivateKey=key_pem(keys[1]),
    )
    assert mismatch.code == "KeyPairMismatch"
    taken = iam.error(
        "UploadServerCertificate", ServerCertificateName="WEB", CertificateBody=body, PrivateKey="x"
    )
    assert (taken.code, taken.status) == ("EntityAlreadyExists", 409)
    got = iam("GetServerCertificate", ServerCertificateName="web")["ServerCertificate"]
    assert got["CertificateBody"] == body and got["Tags"] == made["Tags"]
    assert (
        iam("ListServerCertificates", PathPrefix="/other/")["ServerCertificateMetadataList"] == []
    )
    iam(
        "UpdateServerCertificate",
        ServerCertificateName="web",
        NewServerCertificateName="site",
        NewPath="/",
    )
    tags = iam("ListServerCertificateTags", ServerCertificateName="site")["Tags"]
    assert tags == [{"Key": "team", "Value": "edge"}]
    iam("UntagServerCertificate", ServerCertificateName="site", TagKeys=["team"])
    listed = iam("ListServerCertificates")["ServerCertificateMetadataList"]
    assert [m["Arn"] for m in listed] == [f"arn:aws:iam::{ACCOUNT}:server-certificate/site"]
    iam("DeleteServerCertificate", ServerCertificateName="site")
    missing = iam.error("GetServerCertificate", ServerCertificateName="site")
    assert missing.message == "The Server Certificate with name site cannot be found."


# -- identity providers ------------------------------------------------------------------------


def test_oidc_provider_lifecycle(iam: Iam) -> None:
    made = iam(
        "CreateOpenIDConnectProvider",
        Url="https://token.actions.githubusercontent.com/",
        ClientIDList=["sts.amazonaws.com", "sts.amazonaws.com"],
        Tags=[{"Key": "ci", "Value": "github"}],
    )
    arn = made["OpenIDConnectProviderArn"]
    assert arn == f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
    again = iam.error(
        "CreateOpenIDConnectProvider", Url="https://token.actions.githubusercontent.com"
    )
    assert again.code == "EntityAlreadyExists"
    iam("AddClientIDToOpenIDConnectProvider", OpenIDConnectProviderArn=arn, ClientID="app")
    iam("AddClientIDToOpenIDConnectProvider", OpenIDConnectProviderArn=arn, ClientID="app")
    iam("RemoveClientIDFromOpenIDConnectProvider", OpenIDConnectProviderArn=arn, ClientID="none")
    iam(
        "UpdateOpenIDConnectProviderThumbprint",
        OpenIDConnectProviderArn=arn,
        ThumbprintList=["a" * 40],
    )
    too_many = iam.error(
        "UpdateOpenIDConnectProviderThumbprint",
        OpenIDConnectProviderArn=arn,
        ThumbprintList=[f"{i:040x}" for i in range(6)],
    )
    assert too_many.code == "InvalidInput"
    got = iam("GetOpenIDConnectProvider", OpenIDConnectProviderArn=arn)
    assert got["Url"] == "token.actions.githubusercontent.com"
    assert got["ClientIDList"] == ["sts.amazonaws.com", "app"]
    assert got["ThumbprintList"] == ["a" * 40] and got["Tags"] == [{"Key": "ci", "Value": "github"}]
    assert iam("ListOpenIDConnectProviders") == {"OpenIDConnectProviderList": [{"Arn": arn}]}
    iam(
        "TagOpenIDConnectProvider",
        OpenIDConnectProviderArn=arn,
        Tags=[{"Key": "env", "Value": "x"}],
    )
    iam("UntagOpenIDConnectProvider", OpenIDConnectProviderArn=arn, TagKeys=["ci"])
    tags = iam("ListOpenIDConnectProviderTags", OpenIDConnectProviderArn=arn)["Tags"]
    assert tags == [{"Key": "env", "Value": "x"}]
    iam("DeleteOpenIDConnectProvider", OpenIDConnectProviderArn=arn)
    gone = iam.error("GetOpenIDConnectProvider", OpenIDConnectProviderArn=arn)
    assert (gone.code, gone.message) == (
        "NoSuchEntity",
        f"OpenIDConnect Provider not found for arn {arn}",
    )
    assert iam.error("ListOpenIDConnectProviderTags", OpenIDConnectProviderArn=arn).code == (
        "NoSuchEntity"
    )


METADATA = (
    '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
    'entityID="https://idp.example.com/metadata">'
    '<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
    + "<!-- padding -->" * 70
    + "</md:IDPSSODescriptor></md:EntityDescriptor>"
)


def test_saml_provider_lifecycle(iam: Iam) -> None:
    arn = iam("CreateSAMLProvider", Name="Okta", SAMLMetadataDocument=METADATA)["SAMLProviderArn"]
    assert arn == f"arn:aws:iam::{ACCOUNT}:saml-provider/Okta"
    assert iam.error("CreateSAMLProvider", Name="okta", SAMLMetadataDocument=METADATA).code == (
        "EntityAlreadyExists"
    )
    got = iam("GetSAMLProvider", SAMLProviderArn=arn)
    assert got["SAMLMetadataDocument"] == METADATA and got["ValidUntil"] == NOW.replace(year=2126)
    dated = METADATA.replace("entityID=", 'validUntil="2030-01-01T00:00:00Z" entityID=')
    assert iam("UpdateSAMLProvider", SAMLProviderArn=arn, SAMLMetadataDocument=dated) == {
        "SAMLProviderArn": arn
    }
    listed = iam("ListSAMLProviders")["SAMLProviderList"]
    assert listed == [
        {"Arn": arn, "CreateDate": NOW, "ValidUntil": datetime(2030, 1, 1, tzinfo=UTC)}
    ]
    iam("TagSAMLProvider", SAMLProviderArn=arn, Tags=[{"Key": "idp", "Value": "okta"}])
    assert iam("ListSAMLProviderTags", SAMLProviderArn=arn)["Tags"] == [
        {"Key": "idp", "Value": "okta"}
    ]
    bad = iam.error("UpdateSAMLProvider", SAMLProviderArn=arn, SAMLMetadataDocument="<x/>")
    assert (bad.code, bad.message) == ("InvalidInput", "Could not parse metadata")
    iam("DeleteSAMLProvider", SAMLProviderArn=arn)
    gone = iam.error("GetSAMLProvider", SAMLProviderArn=arn)
    assert (gone.code, gone.message) == ("NoSuchEntity", f"Manifest not found for arn {arn}")
    assert (
        iam.error("GetSAMLProvider", SAMLProviderArn="arn:aws:iam::1:user/x").code == "InvalidInput"
    )


# -- access reports ----------------------------------------------------------------------------


def allow(*actions: str) -> str:
    statement = {"Effect": "Allow", "Action": list(actions), "Resource": "*"}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def event(iam: Iam, minutes: int, principal: str, action: str, decision: str = "allowed") -> None:
    iam.session.add(
        AuditEvent(
            time=NOW + timedelta(minutes=minutes),
            request_id=f"r{minutes}",
            action=action,
            decision=decision,
            account_id=ACCOUNT,
            principal_arn=principal,
        )
    )


def test_service_last_accessed_reports_from_the_audit_log(iam: Iam) -> None:
    alice = iam("CreateUser", UserName="alice")["User"]["Arn"]
    bob = iam("CreateUser", UserName="bob")["User"]["Arn"]
    iam("CreateGroup", GroupName="devs")
    iam("AddUserToGroup", GroupName="devs", UserName="alice")
    iam("AddUserToGroup", GroupName="devs", UserName="bob")
    iam("PutUserPolicy", UserName="alice", PolicyName="own", PolicyDocument=allow("iam:ListUsers"))
    policy = iam("CreatePolicy", PolicyName="reader", PolicyDocument=allow("s3:GetObject"))
    policy_arn = policy["Policy"]["Arn"]
    iam("AttachGroupPolicy", GroupName="devs", PolicyArn=policy_arn)
    event(iam, 1, alice, "s3:GetObject")
    event(iam, 2, alice, "iam:ListUsers", "implicitDeny")
    event(iam, 3, bob, "s3:GetObject")
    event(iam, 4, bob, "s3:PutObject", "error")  # not an authenticated attempt
    event(iam, 9, alice, "s3:GetObject")  # after the job: not reported

    iam.now = NOW + timedelta(minutes=5)
    job = iam("GenerateServiceLastAccessedDetails", Arn=alice, Granularity="ACTION_LEVEL")["JobId"]
    group_arn = f"arn:aws:iam::{ACCOUNT}:group/devs"
    group_job = iam("GenerateServiceLastAccessedDetails", Arn=group_arn)["JobId"]
    iam.now = NOW + timedelta(minutes=20)
    report = iam("GetServiceLastAccessedDetails", JobId=job)
    assert (report["JobStatus"], report["JobType"]) == ("COMPLETED", "ACTION_LEVEL")
    assert report["JobCreationDate"] == NOW + timedelta(minutes=5)
    by_service = {s["ServiceNamespace"]: s for s in report["ServicesLastAccessed"]}
    assert set(by_service) == {"iam", "s3"}
    s3 = by_service["s3"]
    assert s3["LastAuthenticated"] == NOW + timedelta(minutes=1)
    assert (s3["LastAuthenticatedEntity"], s3["TotalAuthenticatedEntities"]) == (alice, 1)
    assert s3["TrackedActionsLastAccessed"] == [
        {
            "ActionName": "GetObject",
            "LastAccessedEntity": alice,
            "LastAccessedTime": NOW + timedelta(minutes=1),
        }
    ]
    assert by_service["iam"]["LastAuthenticated"] == NOW + timedelta(minutes=2)

    group_report = iam("GetServiceLastAccessedDetails", JobId=group_job)
    [only] = group_report["ServicesLastAccessed"]
    assert (only["ServiceNamespace"], only["TotalAuthenticatedEntities"]) == ("s3", 2)
    assert only["LastAuthenticatedEntity"] == bob and "TrackedActionsLastAccessed" not in only
    with_entities = iam(
        "GetServiceLastAccessedDetailsWithEntities", JobId=group_job, ServiceNamespace="s3"
    )
    assert [e["EntityInfo"]["Name"] for e in with_entities["EntityDetailsList"]] == ["bob", "alice"]

    policy_job = iam("GenerateServiceLastAccessedDetails", Arn=policy_arn)["JobId"]
    entities = iam(
        "GetServiceLastAccessedDetailsWithEntities", JobId=policy_job, ServiceNamespace="ec2"
    )
    assert {e["EntityInfo"]["Type"] for e in entities["EntityDetailsList"]} == {"USER"}
    assert all("LastAuthenticated" not in e for e in entities["EntityDetailsList"])

    granting = iam(
        "ListPoliciesGrantingServiceAccess", Arn=alice, ServiceNamespaces=["s3", "iam", "ec2"]
    )
    assert granting["PoliciesGrantingServiceAccess"] == [
        {
            "ServiceNamespace": "s3",
            "Policies": [
                {"PolicyName": "reader", "PolicyType": "MANAGED", "PolicyArn": policy_arn}
            ],
        },
        {
            "ServiceNamespace": "iam",
            "Policies": [
                {
                    "PolicyName": "own",
                    "PolicyType": "INLINE",
                    "EntityType": "USER",
                    "EntityName": "alice",
                }
            ],
        },
        {"ServiceNamespace": "ec2", "Policies": []},
    ]


def test_report_errors_and_the_organizations_report(iam: Iam) -> None:
    missing = iam.error(
        "GenerateServiceLastAccessedDetails", Arn=f"arn:aws:iam::{ACCOUNT}:user/ghost"
    )
    assert missing.code == "NoSuchEntity"
    assert (
        iam.error("GenerateServiceLastAccessedDetails", Arn="arn:aws:s3:::bucket").code
        == "InvalidInput"
    )
    unknown = iam.error(
        "GetServiceLastAccessedDetails", JobId="00000000-0000-4000-8000-000000000000"
    )
    assert (unknown.code, unknown.status) == ("NoSuchEntity", 404)
    job = iam("GenerateOrganizationsAccessReport", EntityPath="o-a1b2c3d4e5/r-f6g7h8i9j0example")[
        "JobId"
    ]
    report = iam("GetOrganizationsAccessReport", JobId=job)
    assert report["JobStatus"] == "FAILED"
    assert report["ErrorDetails"]["Code"] == "AWSOrganizationsNotInUseException"
    assert iam.error("GetServiceLastAccessedDetails", JobId=job).code == "NoSuchEntity"
