"""X.509 certificates: signing certificates of users (UploadSigningCertificate,
ListSigningCertificates, UpdateSigningCertificate, DeleteSigningCertificate) and server
certificates (UploadServerCertificate, GetServerCertificate, ListServerCertificates,
UpdateServerCertificate, DeleteServerCertificate, TagServerCertificate, UntagServerCertificate,
ListServerCertificateTags); https://docs.aws.amazon.com/IAM/latest/APIReference/API_Operations.html.

Certificates are PEM-encoded and parsed with `cryptography`. As in AWS, a certificate outside its
validity period is `MalformedCertificate` ("malformed or expired",
https://docs.aws.amazon.com/IAM/latest/APIReference/API_UploadServerCertificate.html), a server
certificate's private key must match it (`KeyPairMismatch`), and its chain must start with the
certificate that issued it, each next one issuing the one before. Quotas
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html): two signing
certificates per user (the root user too), 20 server certificates per account.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_pem_private_key,
)

from localiam.protocol import ServiceError
from localiam.services.iam._context import Handler, IamContext
from localiam.services.iam._errors import limit_exceeded
from localiam.services.iam._lookup import target_user
from localiam.services.iam._policy_docs import page_of
from localiam.services.iam._ssh_keys import settable_status, upload_order
from localiam.services.iam._tags import drop_all_tags, set_tags, tag_handlers, tags_of
from localiam.store import find_by_name, func, list_page, select
from localiam.store.models import ServerCertificate, SigningCertificate, Tag

MAX_SIGNING_CERTIFICATES = 2
MAX_SERVER_CERTIFICATES = 20


# -- parsing -----------------------------------------------------------------------------------


def malformed(message: str) -> ServiceError:
    return ServiceError("MalformedCertificate", message, 400)


def load_certificate(body: str, now: datetime) -> x509.Certificate:
    """The one PEM certificate of `body`, valid at `now`; `MalformedCertificate` otherwise."""
    try:
        found = x509.load_pem_x509_certificates(body.strip().encode("latin-1"))
    except ValueError:
        raise malformed(
            "Unable to parse certificate. Please ensure the certificate is in PEM format."
        ) from None
    if len(found) != 1:
        raise malformed(f"The certificate body must hold one certificate; it holds {len(found)}.")
    certificate = found[0]
    check_validity(certificate, now)
    return certificate


def check_validity(certificate: x509.Certificate, now: datetime) -> None:
    start, end = certificate.not_valid_before_utc, certificate.not_valid_after_utc
    if now < start:
        raise malformed(
            f"Certificate is not yet valid: its validity starts at {start.isoformat()}."
        )
    if now > end:
        raise malformed(
            "Certificate is no longer valid. The 'Not After' date restriction on the certificate "
            "has passed."
        )


def check_chain(certificate: x509.Certificate, chain_text: str | None) -> None:
    """The chain, when given, lists the certificate's issuer first, then each issuer's issuer."""
    if chain_text is None:
        return
    try:
        chain = x509.load_pem_x509_certificates(chain_text.strip().encode("latin-1"))
    except ValueError:
        raise malformed(
            "Unable to parse certificate chain. Please ensure it is in PEM format."
        ) from None
    child = certificate
    for index, issuer in enumerate(chain):
        try:
            child.verify_directly_issued_by(issuer)
        except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
            raise malformed(
                "Unable to validate certificate chain. The certificate chain must start with the "
                "immediate signing certificate, followed by any intermediaries in order. The index "
                f"within the chain of the invalid certificate is: {index}"
            ) from None
        child = issuer


def check_key_pair(certificate: x509.Certificate, private_key_text: str) -> None:
    """The private key must be PEM, unencrypted, and the certificate's key's other half."""
    try:
        private_key = load_pem_private_key(private_key_text.strip().encode("latin-1"), None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise malformed(
            "Unable to parse the private key. It must be PEM-encoded and not encrypted."
        ) from None

    def spki(key: Any) -> bytes:
        return bytes(key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo))

    if spki(private_key.public_key()) != spki(certificate.public_key()):
        raise ServiceError(
            "KeyPairMismatch", "The private key does not match the certificate's public key.", 400
        )


def signing_certificate_id(account_id: str, certificate: x509.Certificate) -> str:
    """32 base32 characters of a digest of the account and the certificate: the same
    certificate has the same id within an account, so a duplicate is found by its id."""
    digest = hashlib.sha256(account_id.encode() + certificate.public_bytes(Encoding.DER))
    return base64.b32encode(digest.digest()).decode()[:32]


# -- signing certificates ----------------------------------------------------------------------


def _signing_certs(ctx: IamContext, user_id: str | None) -> list[SigningCertificate]:
    query = select(SigningCertificate).where(SigningCertificate.account_id == ctx.account_id)
    query = query.where(
        SigningCertificate.user_id.is_(None)
        if user_id is None
        else SigningCertificate.user_id == user_id
    )
    return list(ctx.session.scalars(query.order_by(SigningCertificate.uploaded_at)))


def _signing_shape(name: str, cert: SigningCertificate) -> dict[str, Any]:
    return {
        "UserName": name,
        "CertificateId": cert.certificate_id,
        "CertificateBody": cert.body,
        "Status": str(cert.status),
        "UploadDate": cert.uploaded_at,
    }


def upload_signing_certificate(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    user_id, name = target_user(ctx, params.get("UserName"))
    body = params["CertificateBody"]
    certificate = load_certificate(body, ctx.now)
    cert_id = signing_certificate_id(ctx.account_id, certificate)
    if ctx.session.get(SigningCertificate, cert_id) is not None:
        raise ServiceError(
            "DuplicateCertificate",
            "The same certificate is already associated with an IAM user in the account.",
            409,
        )
    if len(_signing_certs(ctx, user_id)) >= MAX_SIGNING_CERTIFICATES:
        raise limit_exceeded(
            f"Cannot exceed quota for SigningCertificatesPerUser: {MAX_SIGNING_CERTIFICATES}"
        )
    cert = SigningCertificate(
        certificate_id=cert_id,
        account_id=ctx.account_id,
        user_id=user_id,
        body=body,
        uploaded_at=ctx.now,
    )
    ctx.session.add(cert)
    return {"Certificate": _signing_shape(name, cert)}


def list_signing_certificates(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    user_id, name = target_user(ctx, params.get("UserName"))
    page = page_of(_signing_certs(ctx, user_id), upload_order, params)
    return {"Certificates": [_signing_shape(name, c) for c in page.items], **page.fields()}


def _find_signing(ctx: IamContext, params: dict[str, Any]) -> SigningCertificate:
    user_id, _ = target_user(ctx, params.get("UserName"))
    cert_id = params["CertificateId"]
    cert = ctx.session.get(SigningCertificate, cert_id)
    if cert is None or cert.account_id != ctx.account_id or cert.user_id != user_id:
        raise ServiceError(
            "NoSuchEntity", f"The Certificate with id {cert_id} cannot be found.", 404
        )
    return cert


def update_signing_certificate(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    _find_signing(ctx, params).status = settable_status(params["Status"])
    return {}


def delete_signing_certificate(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    ctx.session.delete(_find_signing(ctx, params))
    return {}


# -- server certificates -----------------------------------------------------------------------


def _server_metadata(cert: ServerCertificate) -> dict[str, Any]:
    out: dict[str, Any] = {
        "Path": cert.path,
        "ServerCertificateName": cert.name,
        "ServerCertificateId": cert.server_certificate_id,
        "Arn": cert.arn,
        "UploadDate": cert.uploaded_at,
    }
    if cert.expires_at is not None:
        out["Expiration"] = cert.expires_at
    return out


def _no_such_server_certificate(name: str) -> ServiceError:
    return ServiceError(
        "NoSuchEntity", f"The Server Certificate with name {name} cannot be found.", 404
    )


def _server_exists(name: str) -> ServiceError:
    return ServiceError(
        "EntityAlreadyExists", f"The Server Certificate with name {name} already exists.", 409
    )


def _get_server(ctx: IamContext, name: str) -> ServerCertificate:
    cert = find_by_name(ctx.session, ServerCertificate, ctx.account_id, name)
    if cert is None:
        raise _no_such_server_certificate(name)
    return cert


def upload_server_certificate(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    name = params["ServerCertificateName"]
    path = params.get("Path", "/")
    if find_by_name(ctx.session, ServerCertificate, ctx.account_id, name) is not None:
        raise _server_exists(name)
    count = ctx.session.scalar(
        select(func.count())
        .select_from(ServerCertificate)
        .where(ServerCertificate.account_id == ctx.account_id)
    )
    if (count or 0) >= MAX_SERVER_CERTIFICATES:
        raise limit_exceeded(
            f"Cannot exceed quota for ServerCertificatesPerAccount: {MAX_SERVER_CERTIFICATES}"
        )
    body = params["CertificateBody"]
    certificate = load_certificate(body, ctx.now)
    check_key_pair(certificate, params["PrivateKey"])
    chain = params.get("CertificateChain")
    check_chain(certificate, chain)
    cert = ServerCertificate(
        server_certificate_id=ctx.ids.new_unique_id("ASCA"),
        account_id=ctx.account_id,
        name=name,
        path=path,
        arn=ctx.arn("server-certificate", path, name),
        body=body,
        private_key_encrypted=ctx.secrets.encrypt(params["PrivateKey"]),
        uploaded_at=ctx.now,
        certificate_chain=chain,
        expires_at=certificate.not_valid_after_utc,
    )
    ctx.session.add(cert)
    set_tags(ctx.session, ctx.account_id, cert.arn, params.get("Tags"))
    ctx.session.flush()
    out: dict[str, Any] = {"ServerCertificateMetadata": _server_metadata(cert)}
    tags = tags_of(ctx.session, cert.arn)
    if tags:
        out["Tags"] = tags
    return out


def get_server_certificate(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    cert = _get_server(ctx, params["ServerCertificateName"])
    found: dict[str, Any] = {
        "ServerCertificateMetadata": _server_metadata(cert),
        "CertificateBody": cert.body,
    }
    if cert.certificate_chain is not None:
        found["CertificateChain"] = cert.certificate_chain
    tags = tags_of(ctx.session, cert.arn)
    if tags:
        found["Tags"] = tags
    return {"ServerCertificate": found}


def list_server_certificates(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    page = list_page(
        ctx.session,
        ServerCertificate,
        ctx.account_id,
        path_prefix=params.get("PathPrefix", "/"),
        marker=params.get("Marker"),
        max_items=params.get("MaxItems", 100),
    )
    out: dict[str, Any] = {
        "ServerCertificateMetadataList": [_server_metadata(c) for c in page.items],
        "IsTruncated": page.marker is not None,
    }
    if page.marker is not None:
        out["Marker"] = page.marker
    return out


def update_server_certificate(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    """Rename or move a server certificate; its tags follow it to the new ARN."""
    cert = _get_server(ctx, params["ServerCertificateName"])
    new_name = params.get("NewServerCertificateName")
    if (
        new_name is not None
        and new_name.lower() != cert.name.lower()
        and find_by_name(ctx.session, ServerCertificate, ctx.account_id, new_name) is not None
    ):
        raise _server_exists(new_name)
    old_arn = cert.arn
    cert.name = new_name if new_name is not None else cert.name
    cert.path = params.get("NewPath", cert.path)
    cert.arn = ctx.arn("server-certificate", cert.path, cert.name)
    if cert.arn != old_arn:
        for tag in ctx.session.scalars(select(Tag).where(Tag.resource_arn == old_arn)):
            tag.resource_arn = cert.arn
    return {}


def delete_server_certificate(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    cert = _get_server(ctx, params["ServerCertificateName"])
    drop_all_tags(ctx.session, cert.arn)
    ctx.session.delete(cert)
    return {}


tag_server_certificate, untag_server_certificate, list_server_certificate_tags = tag_handlers(
    lambda ctx, params: _get_server(ctx, params["ServerCertificateName"]).arn
)


HANDLERS: dict[str, Handler] = {
    "UploadSigningCertificate": upload_signing_certificate,
    "ListSigningCertificates": list_signing_certificates,
    "UpdateSigningCertificate": update_signing_certificate,
    "DeleteSigningCertificate": delete_signing_certificate,
    "UploadServerCertificate": upload_server_certificate,
    "GetServerCertificate": get_server_certificate,
    "ListServerCertificates": list_server_certificates,
    "UpdateServerCertificate": update_server_certificate,
    "DeleteServerCertificate": delete_server_certificate,
    "TagServerCertificate": tag_server_certificate,
    "UntagServerCertificate": untag_server_certificate,
    "ListServerCertificateTags": list_server_certificate_tags,
}
