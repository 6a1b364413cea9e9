"""S3's aws-chunked payloads: the body of a request signed with
`STREAMING-AWS4-HMAC-SHA256-PAYLOAD` (optionally `-TRAILER`) or sent as
`STREAMING-UNSIGNED-PAYLOAD-TRAILER` is a series of chunks, each signed by chaining from the
request's own signature, and may end with trailing headers (a checksum) under a trailer
signature (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html,
https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming-trailers.html).

`decode_chunked` checks every signature and returns the plain payload and the trailers.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from localiam.auth._errors import AuthError, signature_does_not_match

_EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()

SIGNED = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
SIGNED_TRAILER = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
MODES = frozenset({SIGNED, SIGNED_TRAILER, UNSIGNED_TRAILER})


@dataclass(frozen=True, slots=True)
class ChunkSigning:
    """What chunk signatures chain from: the request's signature (the seed), its timestamp
    (`X-Amz-Date`), credential scope and derived signing key."""

    seed_signature: str
    timestamp: str
    scope: str
    key: bytes


def _incomplete() -> AuthError:
    return AuthError(
        "IncompleteBody",
        "The request body terminated unexpectedly",
        400,
    )


def _sign(key: bytes, text: str) -> str:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def decode_chunked(
    body: bytes, mode: str, signing: ChunkSigning | None
) -> tuple[bytes, list[tuple[str, str]]]:
    """The payload and trailers of an aws-chunked `body` sent in `mode`; every chunk and
    trailer signature is checked (`signing` may be None only for the unsigned mode)."""
    signed = mode in (SIGNED, SIGNED_TRAILER)
    previous = signing.seed_signature if signing is not None else ""
    out = bytearray()
    at = 0
    while True:
        end = body.find(b"\r\n", at)
        if end < 0:
            raise _incomplete()
        header = body[at:end].decode("latin-1")
        size_text, _, extension = header.partition(";")
        try:
            size = int(size_text.strip(), 16)
        except ValueError:
            raise _incomplete() from None
        data = body[end + 2 : end + 2 + size]
        if len(data) != size:
            raise _incomplete()
        if signed:
            assert signing is not None
            claimed = extension.strip().removeprefix("chunk-signature=")
            to_sign = "\n".join(
                (
                    "AWS4-HMAC-SHA256-PAYLOAD",
                    signing.timestamp,
                    signing.scope,
                    previous,
                    _EMPTY_SHA256,
                    hashlib.sha256(data).hexdigest(),
                )
            )
            expected = _sign(signing.key, to_sign)
            if not hmac.compare_digest(expected, claimed):
                raise signature_does_not_match()
            previous = expected
        out += data
        at = end + 2 + size
        if size == 0:
            break
        if body[at : at + 2] != b"\r\n":
            raise _incomplete()
        at += 2
    trailers = _trailers(body[at:], mode, signing, previous)
    return bytes(out), trailers


def _trailers(
    rest: bytes, mode: str, signing: ChunkSigning | None, previous: str
) -> list[tuple[str, str]]:
    if mode == SIGNED:
        return []
    lines = rest.decode("latin-1").split("\r\n")
    found: list[tuple[str, str]] = []
    claimed: str | None = None
    for line in lines:
        if not line:
            continue
        name, _, value = line.partition(":")
        if name.strip().lower() == "x-amz-trailer-signature":
            claimed = value.strip()
        else:
            found.append((name.strip().lower(), value.strip()))
    if mode == SIGNED_TRAILER:
        assert signing is not None
        canonical = "".join(f"{k}:{v}\n" for k, v in found)
        to_sign = "\n".join(
            (
                "AWS4-HMAC-SHA256-TRAILER",
                signing.timestamp,
                signing.scope,
                previous,
                hashlib.sha256(canonical.encode("utf-8")).hexdigest(),
            )
        )
        if claimed is None or not hmac.compare_digest(_sign(signing.key, to_sign), claimed):
            raise signature_does_not_match()
    return found
