"""The SigV4 canonical request, string to sign and signature, computed from the server's view.

Each function reproduces one step of "Create a signed AWS API request" (IAM User Guide,
https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html) exactly as botocore's
`SigV4Auth` performs it on the client, so that a request signed by an AWS SDK verifies here. The
server sees the path and query string as they travelled (percent-encoded), so each step starts
from those raw forms.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from datetime import UTC, datetime
from urllib.parse import quote, unquote_to_bytes

ALGORITHM = "AWS4-HMAC-SHA256"
TERMINATOR = "aws4_request"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
AMZ_DATE_FORMAT = "%Y%m%dT%H%M%SZ"

#: RFC 3986 unreserved characters besides letters and digits: never percent-encoded.
_UNRESERVED = "-_.~"


def format_amz_date(moment: datetime) -> str:
    """`moment` in the ISO 8601 basic format SigV4 uses (`20261128T070000Z`), in UTC."""
    return moment.astimezone(UTC).strftime(AMZ_DATE_FORMAT)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def canonical_uri(raw_path: str, *, s3: bool) -> str:
    """The canonical URI of a request whose path arrived as `raw_path`.

    Every service but S3 normalises the path (dot segments and empty segments removed) and
    URI-encodes it once more on top of the client's own encoding, so each segment ends up encoded
    twice: a `%2F` sent by the client becomes `%252F` here. S3 takes the path exactly as sent.
    ("Create a signed AWS API request", step 1, CanonicalURI.)
    """
    path = raw_path or "/"
    if s3:
        return path
    return quote(remove_dot_segments(path), safe="/~")


def remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4 dot-segment removal, plus collapsing of repeated slashes, which AWS
    requires as well. A leading and a trailing slash are kept."""
    kept: list[str] = []
    for segment in path.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if kept:
                kept.pop()
            continue
        kept.append(segment)
    lead = "/" if path.startswith("/") else ""
    trail = "/" if path.endswith("/") and kept else ""
    return lead + "/".join(kept) + trail


def query_pairs(raw_query: str) -> list[tuple[bytes, bytes]]:
    """The name/value pairs of a raw query string, decoded to bytes, in their order.

    Decoding is form decoding, as AWS does it: `+` is a space (botocore's `AWSRequest` sends
    spaces that way while signing them as `%20`), `%2B` a plus sign. A parameter without `=`
    has an empty value; empty pieces (`&&`) are skipped.
    """
    pairs: list[tuple[bytes, bytes]] = []
    for piece in raw_query.split("&"):
        if not piece:
            continue
        name, _, value = piece.partition("=")
        pairs.append((_form_decode(name), _form_decode(value)))
    return pairs


def _form_decode(text: str) -> bytes:
    return unquote_to_bytes(text.replace("+", " "))


def canonical_query_string(pairs: Iterable[tuple[bytes, bytes]], *, exclude: str = "") -> str:
    """Parameters URI-encoded (unreserved characters kept, everything else `%XY`), sorted by
    encoded name then encoded value, joined with `&`; the parameter named `exclude` (the presigned
    signature itself) is left out. ("Create a signed AWS API request", CanonicalQueryString.)"""
    skipped = exclude.encode()
    encoded = sorted(
        (quote(name, safe=_UNRESERVED), quote(value, safe=_UNRESERVED))
        for name, value in pairs
        if not (exclude and name == skipped)
    )
    return "&".join(f"{name}={value}" for name, value in encoded)


def trim_header_value(value: str) -> str:
    """Leading and trailing spaces removed and inner runs of spaces collapsed to one."""
    return " ".join(value.split())


def canonical_headers(values: Iterable[tuple[str, list[str]]]) -> str:
    """One `name:value` line per signed header (lowercase names, in the order given, which is
    sorted), several values of one header joined with commas; every line ends with a newline."""
    return "".join(
        f"{name}:{','.join(trim_header_value(value) for value in found)}\n"
        for name, found in values
    )


def canonical_request(
    method: str,
    uri: str,
    query: str,
    headers: str,
    signed_headers: str,
    payload_hash: str,
) -> str:
    """The six parts of the canonical request, separated by newlines (the canonical headers
    already end with one, which leaves the blank line AWS expects)."""
    return "\n".join([method.upper(), uri, query, headers, signed_headers, payload_hash])


def credential_scope(date: str, region: str, service: str) -> str:
    return f"{date}/{region}/{service}/{TERMINATOR}"


def string_to_sign(timestamp: str, scope: str, request: str) -> str:
    """Algorithm, request time, credential scope and the hex SHA-256 of the canonical request."""
    return "\n".join([ALGORITHM, timestamp, scope, sha256_hex(request.encode("utf-8"))])


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).digest()


def signing_key(secret_access_key: str, date: str, region: str, service: str) -> bytes:
    """The key derived from the secret for one day, region and service."""
    key = _hmac(f"AWS4{secret_access_key}".encode(), date)
    key = _hmac(key, region)
    key = _hmac(key, service)
    return _hmac(key, TERMINATOR)


def signature(key: bytes, to_sign: str) -> str:
    """The hex HMAC-SHA256 of the string to sign under the derived key."""
    return hmac.new(key, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
