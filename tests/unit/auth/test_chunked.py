"""aws-chunked payloads: AWS's own example (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html)
and the trailer forms."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from localiam.auth import AuthError, ChunkSigning, decode_chunked
from localiam.auth._canonical import signing_key

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
SCOPE = "20130524/us-east-1/s3/aws4_request"
TIMESTAMP = "20130524T000000Z"
SEED = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
EXAMPLE_SIGNATURES = (
    "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
    "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
    "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
)


def _signing() -> ChunkSigning:
    return ChunkSigning(SEED, TIMESTAMP, SCOPE, signing_key(SECRET, "20130524", "us-east-1", "s3"))


def _example_body(signatures: tuple[str, ...] = EXAMPLE_SIGNATURES) -> bytes:
    chunks = [b"a" * 65536, b"a" * 1024, b""]
    out = b""
    for data, sig in zip(chunks, signatures, strict=True):
        out += f"{len(data):x};chunk-signature={sig}\r\n".encode() + data + b"\r\n"
    return out


def test_awss_example_decodes_to_its_66560_bytes() -> None:
    payload, trailers = decode_chunked(
        _example_body(), "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", _signing()
    )
    assert payload == b"a" * 66560
    assert trailers == []


def test_a_wrong_chunk_signature_is_a_signature_mismatch() -> None:
    bad = (EXAMPLE_SIGNATURES[0], "0" * 64, EXAMPLE_SIGNATURES[2])
    with pytest.raises(AuthError) as caught:
        decode_chunked(_example_body(bad), "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", _signing())
    assert caught.value.code == "SignatureDoesNotMatch"


def test_a_truncated_body_is_incomplete() -> None:
    with pytest.raises(AuthError) as caught:
        decode_chunked(_example_body()[:66000], "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", _signing())
    assert caught.value.code == "IncompleteBody"


def test_unsigned_chunks_with_a_checksum_trailer() -> None:
    body = b"5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n"
    payload, trailers = decode_chunked(body, "STREAMING-UNSIGNED-PAYLOAD-TRAILER", None)
    assert payload == b"hello"
    assert trailers == [("x-amz-checksum-crc32", "NhCmhg==")]


def _sign(key: bytes, text: str) -> str:
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def test_signed_chunks_with_a_signed_trailer() -> None:
    signing = _signing()
    empty = hashlib.sha256(b"").hexdigest()
    first = _sign(
        signing.key,
        "\n".join(["AWS4-HMAC-SHA256-PAYLOAD", TIMESTAMP, SCOPE, SEED, empty,
                   hashlib.sha256(b"hello").hexdigest()]),
    )  # fmt: skip
    last = _sign(
        signing.key,
        "\n".join(["AWS4-HMAC-SHA256-PAYLOAD", TIMESTAMP, SCOPE, first, empty, empty]),
    )
    trailer = "x-amz-checksum-crc32:NhCmhg==\n"
    trailer_sig = _sign(
        signing.key,
        "\n".join(["AWS4-HMAC-SHA256-TRAILER", TIMESTAMP, SCOPE, last,
                   hashlib.sha256(trailer.encode()).hexdigest()]),
    )  # fmt: skip
    body = (
        f"5;chunk-signature={first}\r\nhello\r\n0;chunk-signature={last}\r\n"
        f"x-amz-checksum-crc32:NhCmhg==\r\nx-amz-trailer-signature:{trailer_sig}\r\n\r\n"
    ).encode()
    payload, trailers = decode_chunked(body, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", signing)
    assert payload == b"hello"
    assert trailers == [("x-amz-checksum-crc32", "NhCmhg==")]
    tampered = body.replace(b"NhCmhg==", b"AAAAAA==")
    with pytest.raises(AuthError):
        decode_chunked(tampered, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", signing)
