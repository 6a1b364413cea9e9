"""SSH keys, certificates, identity providers, service-specific credentials, account settings and
access reports through boto3 and the AWS CLI against a live server, every call authorized.
Keys and certificates are made here with `cryptography` (no network)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import botocore.exceptions
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)
from cryptography.x509.oid import NameOID

from live_server import LiveServer

ACCOUNT = "123456789012"


def error_of(call: Callable[[], object]) -> dict[str, Any]:
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call()
    return dict(info.value.response["Error"])


@pytest.fixture(scope="module")
def keys() -> list[rsa.RSAPrivateKey]:
    return [rsa.generate_private_key(public_exponent=65537, key_size=2048) for _ in range(3)]


def ssh_line(key: rsa.RSAPrivateKey) -> str:
    return key.public_key().public_bytes(Encoding.OpenSSH, PublicFormat.OpenSSH).decode()


def cert_pem(key: rsa.RSAPrivateKey, name: str, *, expired: bool = False) -> str:
    now = datetime.now(UTC)
    start = now - timedelta(days=60 if expired else 1)
    dn = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(dn)
        .issuer_name(dn)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(Encoding.PEM).decode()


def key_pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()


def test_ssh_keys_through_boto3_and_the_cli(
    server: LiveServer, keys: list[rsa.RSAPrivateKey]
) -> None:
    iam = server.client()
    iam.create_user(UserName="alice")
    key = iam.upload_ssh_public_key(UserName="alice", SSHPublicKeyBody=ssh_line(keys[0]))
    key_id = key["SSHPublicKey"]["SSHPublicKeyId"]
    fingerprint = key["SSHPublicKey"]["Fingerprint"]
    assert key_id.startswith("APKA") and len(fingerprint) == 47
    as_pem = keys[0].public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    got = iam.get_ssh_public_key(UserName="alice", SSHPublicKeyId=key_id, Encoding="PEM")
    assert got["SSHPublicKey"]["SSHPublicKeyBody"] == as_pem.decode()
    duplicate = error_of(
        lambda: iam.upload_ssh_public_key(UserName="alice", SSHPublicKeyBody=as_pem.decode())
    )
    assert duplicate["Code"] == "DuplicateSSHPublicKey"
    ed = ed25519.Ed25519PrivateKey.generate().public_key()
    ed_line = ed.public_bytes(Encoding.OpenSSH, PublicFormat.OpenSSH).decode()
    unrecognized = error_of(
        lambda: iam.upload_ssh_public_key(UserName="alice", SSHPublicKeyBody=ed_line)
    )
    assert unrecognized["Code"] == "UnrecognizedPublicKeyEncoding"

    listed = server.cli("iam", "list-ssh-public-keys", "--user-name", "alice")
    assert listed.code == 0, listed.stderr
    assert [k["SSHPublicKeyId"] for k in listed.json()["SSHPublicKeys"]] == [key_id]
    updated = server.cli(
        "iam", "update-ssh-public-key", "--user-name", "alice",
        "--ssh-public-key-id", key_id, "--status", "Inactive",
    )  # fmt: skip
    assert updated.code == 0, updated.stderr
    status = iam.get_ssh_public_key(UserName="alice", SSHPublicKeyId=key_id, Encoding="SSH")
    assert status["SSHPublicKey"]["Status"] == "Inactive"
    assert error_of(lambda: iam.delete_user(UserName="alice"))["Code"] == "DeleteConflict"
    iam.delete_ssh_public_key(UserName="alice", SSHPublicKeyId=key_id)
    assert iam.list_ssh_public_keys(UserName="alice")["SSHPublicKeys"] == []


def test_signing_and_server_certificates(
    server: LiveServer, keys: list[rsa.RSAPrivateKey], tmp_path: Path
) -> None:
    iam = server.client()
    iam.create_user(UserName="bob")
    body_file = tmp_path / "cert.pem"
    body_file.write_text(cert_pem(keys[0], "bob"))
    uploaded = server.cli(
        "iam", "upload-signing-certificate", "--user-name", "bob",
        "--certificate-body", f"file://{body_file}",
    )  # fmt: skip
    assert uploaded.code == 0, uploaded.stderr
    cert_id = uploaded.json()["Certificate"]["CertificateId"]
    again = error_of(lambda: iam.upload_signing_certificate(CertificateBody=body_file.read_text()))
    assert again["Code"] == "DuplicateCertificate"
    expired = cert_pem(keys[1], "old", expired=True)
    assert error_of(lambda: iam.upload_signing_certificate(CertificateBody=expired))["Code"] == (
        "MalformedCertificate"
    )
    root_cert = iam.upload_signing_certificate(CertificateBody=cert_pem(keys[1], "root"))
    assert root_cert["Certificate"]["UserName"] == ""
    iam.update_signing_certificate(UserName="bob", CertificateId=cert_id, Status="Inactive")
    listed = iam.list_signing_certificates(UserName="bob")["Certificates"]
    assert [(c["CertificateId"], c["Status"]) for c in listed] == [(cert_id, "Inactive")]
    iam.delete_signing_certificate(UserName="bob", CertificateId=cert_id)

    site = cert_pem(keys[2], "www.example.com")
    mismatch = error_of(
        lambda: iam.upload_server_certificate(
            ServerCertificateName="web", CertificateBody=site, PrivateKey=key_pem(keys[0])
        )
    )
    assert mismatch["Code"] == "KeyPairMismatch"
    made = iam.upload_server_certificate(
        ServerCertificateName="web",
        Path="/cdn/",
        CertificateBody=site,
        PrivateKey=key_pem(keys[2]),
        Tags=[{"Key": "team", "Value": "edge"}],
    )
    meta = made["ServerCertificateMetadata"]
    assert meta["Arn"] == f"arn:aws:iam::{ACCOUNT}:server-certificate/cdn/web"
    assert meta["Expiration"] > datetime.now(UTC)
    got = server.cli("iam", "get-server-certificate", "--server-certificate-name", "web")
    assert got.code == 0, got.stderr
    assert got.json()["ServerCertificate"]["CertificateBody"] == site
    iam.update_server_certificate(ServerCertificateName="web", NewServerCertificateName="site")
    assert iam.list_server_certificate_tags(ServerCertificateName="site")["Tags"] == [
        {"Key": "team", "Value": "edge"}
    ]
    iam.delete_server_certificate(ServerCertificateName="site")
    missing = error_of(lambda: iam.get_server_certificate(ServerCertificateName="site"))
    assert missing["Code"] == "NoSuchEntity"


METADATA = (
    '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
    'entityID="https://idp.example.com/metadata">'
    '<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
    + "<!-- padding to the 1,000 characters IAM requires -->" * 20
    + "</md:IDPSSODescriptor></md:EntityDescriptor>"
)


def test_oidc_and_saml_providers(server: LiveServer) -> None:
    iam = server.client()
    made = server.cli(
        "iam", "create-open-id-connect-provider",
        "--url", "https://token.actions.githubusercontent.com",
        "--client-id-list", "sts.amazonaws.com",
        "--tags", "Key=ci,Value=github",
    )  # fmt: skip
    assert made.code == 0, made.stderr
    arn = made.json()["OpenIDConnectProviderArn"]
    assert arn == f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="app")
    iam.update_open_id_connect_provider_thumbprint(
        OpenIDConnectProviderArn=arn, ThumbprintList=["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"]
    )
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert got["Url"] == "token.actions.githubusercontent.com"
    assert got["ClientIDList"] == ["sts.amazonaws.com", "app"]
    assert got["Tags"] == [{"Key": "ci", "Value": "github"}]
    plain = error_of(lambda: iam.create_open_id_connect_provider(Url="http://insecure.example.com"))
    assert plain["Code"] == "InvalidInput"
    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert iam.list_open_id_connect_providers()["OpenIDConnectProviderList"] == []
    gone = error_of(lambda: iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn))
    assert gone["Code"] == "NoSuchEntity"

    saml = iam.create_saml_provider(Name="Okta", SAMLMetadataDocument=METADATA)["SAMLProviderArn"]
    assert saml == f"arn:aws:iam::{ACCOUNT}:saml-provider/Okta"
    with_dtd = '<!DOCTYPE x [<!ENTITY e "e">]>' + METADATA
    refused = error_of(lambda: iam.create_saml_provider(Name="Evil", SAMLMetadataDocument=with_dtd))
    assert (refused["Code"], refused["Message"]) == ("InvalidInput", "Could not parse metadata")
    listed = iam.list_saml_providers()["SAMLProviderList"]
    assert [p["Arn"] for p in listed] == [saml] and listed[0]["ValidUntil"].year >= 2100
    iam.tag_saml_provider(SAMLProviderArn=saml, Tags=[{"Key": "idp", "Value": "okta"}])
    assert iam.get_saml_provider(SAMLProviderArn=saml)["Tags"] == [{"Key": "idp", "Value": "okta"}]
    iam.delete_saml_provider(SAMLProviderArn=saml)
    assert error_of(lambda: iam.get_saml_provider(SAMLProviderArn=saml))["Code"] == "NoSuchEntity"


def test_access_reports_follow_what_a_user_did(server: LiveServer) -> None:
    iam = server.client()
    alice = iam.create_user(UserName="alice")["User"]["Arn"]
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["iam:List*", "s3:GetObject"], "Resource": "*"}
        ],
    }
    iam.put_user_policy(UserName="alice", PolicyName="lister", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    as_alice = server.client(key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    as_alice.list_users()
    denied = error_of(
        lambda: as_alice.upload_ssh_public_key(UserName="alice", SSHPublicKeyBody="x")
    )
    assert denied["Code"] == "AccessDenied"

    generated = server.cli("iam", "generate-service-last-accessed-details", "--arn", alice)
    assert generated.code == 0, generated.stderr
    job_id = generated.json()["JobId"]
    report = server.cli("iam", "get-service-last-accessed-details", "--job-id", job_id)
    assert report.code == 0, report.stderr
    services = {s["ServiceNamespace"]: s for s in report.json()["ServicesLastAccessed"]}
    assert report.json()["JobStatus"] == "COMPLETED" and set(services) == {"iam", "s3"}
    assert services["iam"]["LastAuthenticatedEntity"] == alice
    assert services["iam"]["TotalAuthenticatedEntities"] == 1
    assert "LastAuthenticated" not in services["s3"]

    granting = iam.list_policies_granting_service_access(Arn=alice, ServiceNamespaces=["s3"])
    assert granting["PoliciesGrantingServiceAccess"][0]["Policies"] == [
        {
            "PolicyName": "lister",
            "PolicyType": "INLINE",
            "EntityType": "USER",
            "EntityName": "alice",
        }
    ]
    org_job = iam.generate_organizations_access_report(EntityPath="o-a1b2c3d4e5/r-ab12")["JobId"]
    org = iam.get_organizations_access_report(JobId=org_job)
    assert org["JobStatus"] == "FAILED" and "ErrorDetails" in org
