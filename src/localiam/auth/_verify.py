"""Verifying a SigV4 signature: the checks AWS makes, in the order it makes them.

After the structural checks of `_parse`: the host must be signed, the date must be well formed and
within 15 minutes of the server's clock (or, presigned, before `X-Amz-Date + X-Amz-Expires`), the
credential scope must name five parts that agree with the request, the access key must be known,
the signature must match, the body must match a declared `X-Amz-Content-Sha256`, and the session
token must be the key's. The order follows AWS's observed responses (the DynamoDB emulator
dynalite's notes on AWS, mhart/dynalite, and dacut/scratchstack-aws-signature).
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable, Collection
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from localiam.auth import _canonical as canon
from localiam.auth._errors import (
    CLOCK_SKEW,
    incomplete_signature,
    invalid_client_token_id,
    invalid_expires,
    missing_authentication_token,
    payload_hash_mismatch,
    request_expired,
    signature_does_not_match,
    signature_expired,
    signature_not_yet_current,
)
from localiam.auth._model import Authenticated, HttpRequestView, SigningKey
from localiam.auth._parse import SIGNATURE_PARAM, SignatureClaim, find_claim

#: The longest validity of a presigned URL: seven days (S3 API Reference, "Authenticating
#: Requests: Using Query Parameters", X-Amz-Expires).
MAX_PRESIGNED_EXPIRES = 604800

_AMZ_DATE = re.compile(r"\d{8}T\d{6}Z")

KeyLookup = Callable[[str], SigningKey | None]


def authenticate(
    request: HttpRequestView,
    lookup: KeyLookup,
    now: datetime,
    *,
    unsigned_ok: bool = False,
    service: str | None = None,
    regions: Collection[str] | None = None,
) -> Authenticated | None:
    """Verify the SigV4 signature of `request` (header or presigned form) at time `now`.

    `lookup` maps an access key id to its `SigningKey`, or None when unknown. `now` is the server's
    clock (a naive datetime is taken as UTC). With `unsigned_ok`, a request that carries no
    signature at all gives None instead of `MissingAuthenticationToken`. `service` and `regions`,
    when given, are what the credential scope must name (IAM, for instance, only accepts
    `us-east-1`). Raises `AuthError` with AWS's code, status and message otherwise.
    """
    now = now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)
    claim = find_claim(request)
    if claim is None:
        if unsigned_ok:
            return None
        raise missing_authentication_token()

    signed = sorted({name.strip().lower() for name in claim.signed_headers.split(";")} - {""})
    if "host" not in signed and ":authority" not in signed:
        raise signature_does_not_match(
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
        )

    scope = claim.credential.rstrip("/").split("/")
    s3 = len(scope) == 5 and scope[3] == "s3"
    signed_at = _parse_timestamp(claim)
    _check_time(claim, signed_at, now, s3=s3)

    if len(scope) != 5:
        raise incomplete_signature(
            "Credential must have exactly 5 slash-delimited elements, e.g. "
            f"keyid/date/region/service/term, got '{claim.credential}'"
        )
    access_key_id, date, region, scope_service, terminator = scope
    _check_scope(date, region, scope_service, terminator, signed_at, service, regions)

    key = lookup(access_key_id)
    if key is None:
        raise invalid_client_token_id()

    payload_hash = _payload_hash(request, claim, s3=s3)
    cr = _canonical_request(request, claim, signed, payload_hash, s3=s3)
    to_sign = canon.string_to_sign(
        canon.format_amz_date(signed_at), canon.credential_scope(date, region, scope_service), cr
    )
    derived = canon.signing_key(key.secret_access_key, date, region, scope_service)
    expected = canon.signature(derived, to_sign)
    if not hmac.compare_digest(expected.encode(), claim.signature.encode()):
        raise signature_does_not_match(canonical_request=cr, string_to_sign=to_sign)

    if _covers_body(payload_hash) and not hmac.compare_digest(
        payload_hash.encode(), canon.sha256_hex(request.body).encode()
    ):
        raise payload_hash_mismatch(s3=s3)
    _check_token(key, claim.security_token)
    return Authenticated(
        key,
        region,
        scope_service,
        signed_at,
        claim.presigned,
        claim.signature,
        canon.format_amz_date(signed_at),
        canon.credential_scope(date, region, scope_service),
        derived,
    )


def _canonical_request(
    request: HttpRequestView,
    claim: SignatureClaim,
    signed: list[str],
    payload_hash: str,
    *,
    s3: bool,
) -> str:
    """The canonical request the client must have signed, rebuilt from what arrived."""
    return canon.canonical_request(
        request.method,
        canon.canonical_uri(request.path, s3=s3),
        canon.canonical_query_string(
            canon.query_pairs(request.query_string),
            exclude=SIGNATURE_PARAM if claim.presigned else "",
        ),
        canon.canonical_headers((name, request.headers.getlist(name)) for name in signed),
        ";".join(signed),
        payload_hash,
    )


def _parse_timestamp(claim: SignatureClaim) -> datetime:
    """The signing time: `X-Amz-Date` in ISO 8601 basic format, or an RFC 1123 `Date` header."""
    bad = incomplete_signature(
        f"Date must be in ISO-8601 'basic format'. Got '{claim.timestamp}'. "
        "See http://en.wikipedia.org/wiki/ISO_8601"
    )
    if claim.timestamp_is_http_date:
        try:
            parsed = parsedate_to_datetime(claim.timestamp)
        except (TypeError, ValueError):
            raise bad from None
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    if not _AMZ_DATE.fullmatch(claim.timestamp):
        raise bad
    try:
        return datetime.strptime(claim.timestamp, canon.AMZ_DATE_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        raise bad from None


def _check_time(claim: SignatureClaim, signed_at: datetime, now: datetime, *, s3: bool) -> None:
    """Within 15 minutes of `now` either way; a presigned request with `X-Amz-Expires` is instead
    valid until that many seconds after it was signed (up to seven days)."""
    if signed_at > now + CLOCK_SKEW:
        raise signature_not_yet_current(signed_at, now)
    if claim.expires is None:
        if signed_at < now - CLOCK_SKEW:
            raise signature_expired(signed_at, now)
        return
    expires = _parse_expires(claim.expires, s3=s3)
    if now > signed_at + timedelta(seconds=expires):
        raise request_expired(s3=s3)


def _parse_expires(raw: str, *, s3: bool) -> int:
    try:
        expires = int(raw)
    except ValueError:
        raise invalid_expires("X-Amz-Expires should be a number", s3=s3) from None
    if expires < 0:
        raise invalid_expires("X-Amz-Expires must be non-negative", s3=s3)
    if expires > MAX_PRESIGNED_EXPIRES:
        raise invalid_expires(
            "X-Amz-Expires must be less than a week (in seconds); that is, the given "
            "X-Amz-Expires must be less than 604800 seconds",
            s3=s3,
        )
    return expires


def _check_scope(
    date: str,
    region: str,
    scope_service: str,
    terminator: str,
    signed_at: datetime,
    service: str | None,
    regions: Collection[str] | None,
) -> None:
    """Every way the credential scope disagrees with the request, in one message (IAM User Guide,
    "Troubleshoot signed requests for AWS APIs", Credential scope errors)."""
    problems: list[str] = []
    if not region or (regions is not None and region not in regions):
        problems.append(f"Credential should be scoped to a valid region, not '{region}'.")
    if service is not None and scope_service != service:
        problems.append(f"Credential should be scoped to correct service: '{service}'.")
    if terminator != canon.TERMINATOR:
        problems.append(
            f"Credential should be scoped with a valid terminator: '{canon.TERMINATOR}', "
            f"not '{terminator}'."
        )
    expected_date = signed_at.strftime("%Y%m%d")
    if date != expected_date:
        problems.append(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
            f"HTTP: '{date}' != '{expected_date}', from '{canon.format_amz_date(signed_at)}'."
        )
    if problems:
        raise signature_does_not_match(" ".join(problems))


def _payload_hash(request: HttpRequestView, claim: SignatureClaim, *, s3: bool) -> str:
    """The payload line of the canonical request: a declared `X-Amz-Content-Sha256` (including
    `UNSIGNED-PAYLOAD`), `UNSIGNED-PAYLOAD` for an S3 presigned URL, else the body's SHA-256.
    A form-encoded body is hashed as the raw bytes received."""
    declared = request.headers.get("x-amz-content-sha256")
    if declared is not None:
        return declared.strip()
    if claim.presigned and s3:
        return canon.UNSIGNED_PAYLOAD
    return canon.sha256_hex(request.body)


def _covers_body(payload_hash: str) -> bool:
    """Whether the signed payload line vouches for the body: anything but `UNSIGNED-PAYLOAD` and
    the `STREAMING-*` markers of aws-chunked uploads, whose chunk signatures are not checked
    here. A declared value that is no hash of the body fails."""
    return payload_hash != canon.UNSIGNED_PAYLOAD and not payload_hash.startswith("STREAMING-")


def _check_token(key: SigningKey, token: str | None) -> None:
    """Temporary credentials need their own session token; other keys take none."""
    if key.session_token is None:
        if token is not None:
            raise invalid_client_token_id()
        return
    if token is None or not hmac.compare_digest(token.encode(), key.session_token.encode()):
        raise invalid_client_token_id()
