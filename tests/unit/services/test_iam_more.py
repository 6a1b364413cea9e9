"""The pure parts of the SSH key, certificate, identity provider and access report handlers:
key parsing and MD5 fingerprints, X.509 checks, SAML metadata, OIDC URLs, and which
services a policy allows. Keys and certificates are made here with `cryptography`."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from cryptography.x509.oid import NameOID

from localiam.catalog import Catalog
from localiam.protocol import ServiceError
from localiam.services.iam._access_reports import (
    GrantingPolicy,
    _allow_matchers,
    services_allowed,
)
from localiam.services.iam._certificates import (
    check_chain,
    check_key_pair,
    load_certificate,
    signing_certificate_id,
)
from localiam.services.iam._identity_providers import oidc_identifier, saml_metadata_valid_until
from localiam.services.iam._ssh_keys import md5_fingerprint, parse_ssh_public_key

NOW = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def certificate(
    subject_key: rsa.RSAPrivateKey,
    name: str,
    *,
    issuer_key: rsa.RSAPrivateKey | None = None,
    issuer_name: str | None = None,
    start: datetime = NOW - timedelta(days=1),
    days: int = 30,
) -> x509.Certificate:
    def dn(common: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])

    return (
        x509.CertificateBuilder()
        .subject_name(dn(name))
        .issuer_name(dn(issuer_name or name))
        .public_key(subject_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=days))
        .sign(issuer_key or subject_key, hashes.SHA256())
    )


def pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(Encoding.PEM).decode()


def error(call: object) -> ServiceError:
    with pytest.raises(ServiceError) as info:
        call()  # type: ignore[operator]
    return info.value


# -- SSH public keys ---------------------------------------------------------------------------


def test_fingerprint_is_md5_of_the_key_blob_in_colon_hex(rsa_key: rsa.RSAPrivateKey) -> None:
    line = rsa_key.public_key().public_bytes(Encoding.OpenSSH, PublicFormat.OpenSSH).decode()
    blob = base64.b64decode(line.split()[1])
    expected = hashlib.md5(blob).hexdigest()
    parsed = parse_ssh_public_key(line + " alice@laptop\n")
    assert parsed.fingerprint.replace(":", "") == expected
    assert len(parsed.fingerprint) == 47 and parsed.fingerprint.count(":") == 15
    assert md5_fingerprint(b"") == "d4:1d:8c:d9:8f:00:b2:04:e9:80:09:98:ec:f8:42:7e"


def test_pem_and_ssh_encodings_of_one_key_agree(rsa_key: rsa.RSAPrivateKey) -> None:
    public = rsa_key.public_key()
    ssh = parse_ssh_public_key(public.public_bytes(Encoding.OpenSSH, PublicFormat.OpenSSH).decode())
    as_pem = public.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()
    from_pem = parse_ssh_public_key(as_pem)
    pkcs1 = public.public_bytes(Encoding.PEM, PublicFormat.PKCS1).decode()
    assert (ssh.encoding, from_pem.encoding) == ("SSH", "PEM")
    assert ssh.fingerprint == from_pem.fingerprint == parse_ssh_public_key(pkcs1).fingerprint
    assert from_pem.render("SSH").startswith("ssh-rsa AAAA")
    assert ssh.render("PEM") == as_pem


def test_other_key_types_and_encodings_are_unrecognized() -> None:
    ed = ed25519.Ed25519PrivateKey.generate().public_key()
    bodies = [
        ed.public_bytes(Encoding.OpenSSH, PublicFormat.OpenSSH).decode(),
        ed.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode(),
        "---- BEGIN SSH2 PUBLIC KEY ----\nAAAA\n---- END SSH2 PUBLIC KEY ----",
        "not a key at all",
    ]
    for body in bodies:
        assert error(lambda b=body: parse_ssh_public_key(b)).code == "UnrecognizedPublicKeyEncoding"


def test_damaged_and_short_rsa_keys_are_invalid() -> None:
    assert error(lambda: parse_ssh_public_key("ssh-rsa AAAAnotbase64!")).code == "InvalidPublicKey"
    short = rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key()
    line = short.public_bytes(Encoding.OpenSSH, PublicFormat.OpenSSH).decode()
    found = error(lambda: parse_ssh_public_key(line))
    assert found.code == "InvalidPublicKey" and "1024 bits" in found.message


# -- certificates ------------------------------------------------------------------------------


def test_a_certificate_must_be_pem_and_valid_now(rsa_key: rsa.RSAPrivateKey) -> None:
    good = certificate(rsa_key, "good")
    assert load_certificate(pem(good), NOW).serial_number == good.serial_number
    expired = certificate(rsa_key, "old", start=NOW - timedelta(days=40))
    future = certificate(rsa_key, "new", start=NOW + timedelta(minutes=2))
    for body in (
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----",
        pem(expired),
        pem(future),
    ):
        assert error(lambda b=body: load_certificate(b, NOW)).code == "MalformedCertificate"
    two = pem(good) + pem(good)
    assert "holds 2" in error(lambda: load_certificate(two, NOW)).message


def test_private_key_must_match_the_certificate(rsa_key: rsa.RSAPrivateKey) -> None:
    from cryptography.hazmat.primitives.serialization import NoEncryption, PrivateFormat

    cert = certificate(rsa_key, "site")
    own = rsa_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()
    check_key_pair(cert, own)
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other_pem = other.private_bytes(Encoding.PEM, PrivateFormat.TraditionalOpenSSL, NoEncryption())
    assert error(lambda: check_key_pair(cert, other_pem.decode())).code == "KeyPairMismatch"
    assert error(lambda: check_key_pair(cert, "junk")).code == "MalformedCertificate"


def test_chain_lists_each_issuer_in_order(rsa_key: rsa.RSAPrivateKey) -> None:
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    inter_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root = certificate(root_key, "root")
    inter = certificate(inter_key, "inter", issuer_key=root_key, issuer_name="root")
    leaf = certificate(rsa_key, "leaf", issuer_key=inter_key, issuer_name="inter")
    check_chain(leaf, None)
    check_chain(leaf, pem(inter) + pem(root))
    wrong_order = error(lambda: check_chain(leaf, pem(root) + pem(inter)))
    assert wrong_order.code == "MalformedCertificate"
    assert wrong_order.message.endswith(
        "The index within the chain of the invalid certificate is: 0"
    )
    second = error(lambda: check_chain(leaf, pem(inter) + pem(inter)))
    assert second.message.endswith("is: 1")


def test_signing_certificate_ids_are_per_account(rsa_key: rsa.RSAPrivateKey) -> None:
    cert = certificate(rsa_key, "signer")
    first = signing_certificate_id("111111111111", cert)
    assert first == signing_certificate_id("111111111111", cert)
    assert first != signing_certificate_id("222222222222", cert)
    assert len(first) == 32 and first.isalnum()


# -- identity providers ------------------------------------------------------------------------


def test_oidc_provider_names_come_from_https_urls() -> None:
    assert oidc_identifier("https://token.actions.githubusercontent.com") == (
        "token.actions.githubusercontent.com"
    )
    assert oidc_identifier("https://Example.COM/tenant/v2.0/") == "example.com/tenant/v2.0"
    for url in ("http://example.com", "example.com", "https://example.com/?a=1", "https://"):
        assert error(lambda u=url: oidc_identifier(u)).code == "InvalidInput"


METADATA = (
    '<?xml version="1.0"?>\n'
    '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
    'entityID="https://idp.example.com" {extra}>'
    '<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/>'
    "</md:EntityDescriptor>"
)


def test_saml_metadata_gives_valid_until_when_it_has_one() -> None:
    assert saml_metadata_valid_until(METADATA.format(extra="")) is None
    dated = METADATA.format(extra='validUntil="2031-05-06T07:08:09Z"')
    assert saml_metadata_valid_until(dated) == datetime(2031, 5, 6, 7, 8, 9, tzinfo=UTC)


def test_saml_metadata_refuses_dtds_and_other_roots() -> None:
    bomb = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]>' + METADATA.split("\n", 1)[
        1
    ].replace("{extra}", 'a="&lol;"')
    others = [
        bomb,
        "<EntityDescriptor/>",  # no SAML metadata namespace
        '<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"/>',
        "<unclosed>",
        METADATA.format(extra='validUntil="someday"'),
    ]
    for document in others:
        found = error(lambda d=document: saml_metadata_valid_until(d))
        assert (found.code, found.message) == ("InvalidInput", "Could not parse metadata")


# -- access reports ----------------------------------------------------------------------------


def _policy(statements: list[dict[str, object]]) -> GrantingPolicy:
    text = json.dumps({"Version": "2012-10-17", "Statement": statements})
    return GrantingPolicy("p", None, "USER", "u", _allow_matchers(text))


def test_services_allowed_follow_action_and_not_action() -> None:
    catalog = Catalog()
    get_only = _policy(
        [{"Effect": "Allow", "Action": ["s3:Get*", "iam:ListUsers"], "Resource": "*"}]
    )
    assert services_allowed([get_only], catalog) == {"s3", "iam"}
    nothing = _policy([{"Effect": "Allow", "Action": "s3:NoSuchAction*", "Resource": "*"}])
    denied = _policy([{"Effect": "Deny", "Action": "ec2:*", "Resource": "*"}])
    assert services_allowed([nothing, denied], catalog) == set()
    not_iam = _policy([{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}])
    everything_but_iam = services_allowed([not_iam], catalog)
    assert "iam" not in everything_but_iam and {"s3", "ec2", "sts"} <= everything_but_iam
    admin = _policy([{"Effect": "Allow", "Action": "*", "Resource": "*"}])
    assert services_allowed([admin], catalog) == set(catalog.services)
    wild_service = _policy([{"Effect": "Allow", "Action": "sq?:SendMessage", "Resource": "*"}])
    assert services_allowed([wild_service], catalog) == {"sqs"}
