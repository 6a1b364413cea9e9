"""SSH public keys for CodeCommit: UploadSSHPublicKey, GetSSHPublicKey, ListSSHPublicKeys,
UpdateSSHPublicKey, DeleteSSHPublicKey
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_UploadSSHPublicKey.html).

A key is an RSA public key of at least 2,048 bits, in `ssh-rsa` (OpenSSH) or PEM encoding; a
user has at most five (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
Its fingerprint is the MD5 digest of the key's SSH wire blob in colon-separated hex, as
`ssh-keygen -l -E md5` prints it, whatever encoding it was uploaded in, so the same key cannot be
uploaded twice for a user in either encoding.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_pem_public_key,
    load_ssh_public_key,
)

from localiam.protocol import ServiceError
from localiam.services.iam._context import Handler, IamContext
from localiam.services.iam._errors import invalid_input, limit_exceeded
from localiam.services.iam._lookup import get_user_row, target_user_name
from localiam.services.iam._policy_docs import page_of
from localiam.store import select
from localiam.store.models import KeyStatus, SigningCertificate, SshPublicKey

MAX_KEYS_PER_USER = 5
MIN_KEY_BITS = 2048


@dataclass(frozen=True, slots=True)
class ParsedSshKey:
    """A validated SSH public key: the RSA key, the encoding it came in, its fingerprint."""

    key: RSAPublicKey
    encoding: str  # "SSH" or "PEM", as GetSSHPublicKey's Encoding names them
    fingerprint: str

    def render(self, encoding: str) -> str:
        """The key in `encoding`: `ssh-rsa AAAA...` or a PEM `PUBLIC KEY` block."""
        if encoding == "PEM":
            return self.key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()
        return self.key.public_bytes(Encoding.OpenSSH, PublicFormat.OpenSSH).decode()


def unrecognized_encoding() -> ServiceError:
    return ServiceError(
        "UnrecognizedPublicKeyEncoding",
        "Unrecognized public key encoding: the key must be an RSA key in ssh-rsa or PEM format.",
        400,
    )


def invalid_public_key(detail: str) -> ServiceError:
    return ServiceError("InvalidPublicKey", f"The public key is invalid: {detail}", 400)


def md5_fingerprint(blob: bytes) -> str:
    """`aa:bb:...`: the MD5 digest of an SSH key blob, in lowercase colon-separated hex."""
    return ":".join(f"{b:02x}" for b in hashlib.md5(blob, usedforsecurity=False).digest())


def parse_ssh_public_key(body: str) -> ParsedSshKey:
    """Parse an `ssh-rsa` or PEM public key body, as UploadSSHPublicKey accepts it.

    Another key type or encoding is `UnrecognizedPublicKeyEncoding`; a damaged key or one
    shorter than 2,048 bits is `InvalidPublicKey`.
    """
    text = body.strip()
    if text.startswith("-----BEGIN"):
        if not text.startswith(("-----BEGIN PUBLIC KEY-----", "-----BEGIN RSA PUBLIC KEY-----")):
            raise unrecognized_encoding()
        try:
            loaded: object = load_pem_public_key(text.encode("latin-1"))
        except (ValueError, UnsupportedAlgorithm):
            raise invalid_public_key("the PEM block does not hold a public key") from None
        encoding = "PEM"
    elif text.split(maxsplit=1)[0:1] == ["ssh-rsa"]:
        try:
            loaded = load_ssh_public_key(text.encode("latin-1"))
        except (ValueError, UnsupportedAlgorithm):
            raise invalid_public_key("the ssh-rsa key data cannot be decoded") from None
        encoding = "SSH"
    else:
        raise unrecognized_encoding()
    if not isinstance(loaded, RSAPublicKey):
        raise unrecognized_encoding()
    if loaded.key_size < MIN_KEY_BITS:
        raise invalid_public_key(
            f"the key is {loaded.key_size} bits long; the minimum is {MIN_KEY_BITS} bits"
        )
    openssh = loaded.public_bytes(Encoding.OpenSSH, PublicFormat.OpenSSH)
    blob = base64.b64decode(openssh.split()[1])
    return ParsedSshKey(loaded, encoding, md5_fingerprint(blob))


# -- what the certificate handlers share ------------------------------------------------------


def upload_order(row: SshPublicKey | SigningCertificate) -> str:
    """The order keys and certificates are listed in: by upload time, then by id."""
    row_id = row.ssh_public_key_id if isinstance(row, SshPublicKey) else row.certificate_id
    return f"{row.uploaded_at.isoformat()} {row_id}"


def settable_status(value: str) -> KeyStatus:
    """`Active` or `Inactive`; `Expired` is a status only AWS sets."""
    if value not in ("Active", "Inactive"):
        raise invalid_input(f"Status {value} cannot be set: use Active or Inactive.")
    return KeyStatus(value)


# -- the handlers ------------------------------------------------------------------------------


def _keys_of(ctx: IamContext, user_id: str) -> list[SshPublicKey]:
    query = select(SshPublicKey).where(
        SshPublicKey.account_id == ctx.account_id, SshPublicKey.user_id == user_id
    )
    return list(ctx.session.scalars(query.order_by(SshPublicKey.uploaded_at)))


def _key_shape(user_name: str, key: SshPublicKey, body: str) -> dict[str, Any]:
    return {
        "UserName": user_name,
        "SSHPublicKeyId": key.ssh_public_key_id,
        "Fingerprint": key.fingerprint,
        "SSHPublicKeyBody": body,
        "Status": str(key.status),
        "UploadDate": key.uploaded_at,
    }


def _find(ctx: IamContext, params: dict[str, Any]) -> tuple[str, SshPublicKey]:
    user = get_user_row(ctx, params["UserName"])
    key_id = params["SSHPublicKeyId"]
    key = ctx.session.get(SshPublicKey, key_id)
    if key is None or key.account_id != ctx.account_id or key.user_id != user.user_id:
        raise ServiceError("NoSuchEntity", f"The Public Key with id {key_id} cannot be found.", 404)
    return user.name, key


def upload_ssh_public_key(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    user = get_user_row(ctx, params["UserName"])
    body = params["SSHPublicKeyBody"]
    parsed = parse_ssh_public_key(body)
    existing = _keys_of(ctx, user.user_id)
    if any(k.fingerprint == parsed.fingerprint for k in existing):
        raise ServiceError(
            "DuplicateSSHPublicKey",
            f"The SSH public key with fingerprint {parsed.fingerprint} is already associated "
            f"with the user {user.name}.",
            400,
        )
    if len(existing) >= MAX_KEYS_PER_USER:
        raise limit_exceeded(f"Cannot exceed quota for SSHPublicKeysPerUser: {MAX_KEYS_PER_USER}")
    key = SshPublicKey(
        ssh_public_key_id=ctx.ids.new_unique_id("APKA"),
        account_id=ctx.account_id,
        user_id=user.user_id,
        body=body,
        fingerprint=parsed.fingerprint,
        uploaded_at=ctx.now,
    )
    ctx.session.add(key)
    return {"SSHPublicKey": _key_shape(user.name, key, body)}


def get_ssh_public_key(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    """The key in the `Encoding` asked for: as uploaded when it came in that encoding,
    converted otherwise."""
    user_name, key = _find(ctx, params)
    encoding = params["Encoding"]
    parsed = parse_ssh_public_key(key.body)
    body = key.body if parsed.encoding == encoding else parsed.render(encoding)
    return {"SSHPublicKey": _key_shape(user_name, key, body)}


def list_ssh_public_keys(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    """The keys of the named user, or of the calling user; the root user has none."""
    name = target_user_name(ctx, params.get("UserName"))
    if name is None:
        return {"SSHPublicKeys": [], "IsTruncated": False}
    user = get_user_row(ctx, name)
    page = page_of(_keys_of(ctx, user.user_id), upload_order, params)
    listed = [
        {
            "UserName": user.name,
            "SSHPublicKeyId": k.ssh_public_key_id,
            "Status": str(k.status),
            "UploadDate": k.uploaded_at,
        }
        for k in page.items
    ]
    return {"SSHPublicKeys": listed, **page.fields()}


def update_ssh_public_key(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    _, key = _find(ctx, params)
    key.status = settable_status(params["Status"])
    return {}


def delete_ssh_public_key(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    _, key = _find(ctx, params)
    ctx.session.delete(key)
    return {}


HANDLERS: dict[str, Handler] = {
    "UploadSSHPublicKey": upload_ssh_public_key,
    "GetSSHPublicKey": get_ssh_public_key,
    "ListSSHPublicKeys": list_ssh_public_keys,
    "UpdateSSHPublicKey": update_ssh_public_key,
    "DeleteSSHPublicKey": delete_ssh_public_key,
}
