"""Errors of request authentication, with AWS's codes, HTTP statuses and wording.

The codes and statuses are the common errors shared by the AWS API references, IAM's and STS's
among them (https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html). The messages
are the ones AWS's request front end writes; each factory below names where its wording was
confirmed. They quote the offending value in single quotes, as AWS does, so they are kept
verbatim rather than restyled.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from localiam.auth._canonical import format_amz_date

#: How far a signature's time may be from the server's clock (IAM User Guide, "Troubleshoot signed
#: requests for AWS APIs": requests are rejected more than 15 minutes before or after the time).
CLOCK_SKEW = timedelta(minutes=15)


class AuthError(Exception):
    """A request that AWS would refuse before running the operation.

    `code` is the AWS error code (`SignatureDoesNotMatch`, ...), `status` the HTTP status and
    `message` AWS's wording. For a signature mismatch AWS also reports, after the message, the
    canonical request and string to sign it computed; they are kept apart in `canonical_request`
    and `string_to_sign` (empty otherwise) so the server decides whether to reveal them.
    """

    def __init__(
        self,
        code: str,
        message: str,
        status: int,
        *,
        canonical_request: str = "",
        string_to_sign: str = "",
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.canonical_request = canonical_request
        self.string_to_sign = string_to_sign

    @property
    def detail(self) -> str:
        """AWS's full mismatch message tail: what the server computed, or an empty string."""
        if not self.canonical_request:
            return ""
        return (
            "\n\nThe Canonical String for this request should have been\n"
            f"'{self.canonical_request}'\n\n"
            "The String-to-Sign should have been\n"
            f"'{self.string_to_sign}'\n"
        )

    def __repr__(self) -> str:
        return f"AuthError({self.code!r}, {self.message!r}, {self.status})"


def missing_authentication_token() -> AuthError:
    """No signature at all (STS answers `Request is missing Authentication Token`, 403;
    aws/aws-sdk-java#2317, cert-manager/aws-privateca-issuer#40)."""
    return AuthError("MissingAuthenticationToken", "Request is missing Authentication Token", 403)


def incomplete_signature(message: str) -> AuthError:
    """A signature that lacks a part or is malformed (IncompleteSignature, 400; wording from
    observed AWS responses, e.g. aws/chalice#828, brendanhay/amazonka#316)."""
    return AuthError("IncompleteSignature", message, 400)


def invalid_client_token_id() -> AuthError:
    """An unknown access key, or a session token that does not belong to it (InvalidClientTokenId,
    403; 99designs/aws-vault#15)."""
    return AuthError(
        "InvalidClientTokenId", "The security token included in the request is invalid.", 403
    )


def expired_token() -> AuthError:
    """Temporary credentials past their expiration; the caller decides when that is (ExpiredToken,
    403, "The security token included in the request is expired" as STS writes it;
    pulumi/pulumi-aws#2560, prowler-cloud/prowler#789)."""
    return AuthError("ExpiredToken", "The security token included in the request is expired", 403)


def signature_does_not_match(
    message: str = (
        "The request signature we calculated does not match the signature you provided. "
        "Check your AWS Secret Access Key and signing method. "
        "Consult the service documentation for details."
    ),
    *,
    canonical_request: str = "",
    string_to_sign: str = "",
) -> AuthError:
    """A signature check that failed (SignatureDoesNotMatch, 403). The default wording is AWS's
    (IAM User Guide, "Troubleshoot signed requests for AWS APIs"; boto/boto3#756); AWS uses the
    same code for clock skew and credential-scope mistakes, with their own sentences."""
    return AuthError(
        "SignatureDoesNotMatch",
        message,
        403,
        canonical_request=canonical_request,
        string_to_sign=string_to_sign,
    )


def signature_expired(signed_at: datetime, now: datetime) -> AuthError:
    """Signed more than 15 minutes ago, worded as STS does (aws/aws-cli#6676):
    `Signature expired: 20220127T001427Z is now earlier than 20220127T014428Z
    (20220127T015928Z - 15 min.)`."""
    return signature_does_not_match(
        f"Signature expired: {format_amz_date(signed_at)} is now earlier than "
        f"{format_amz_date(now - CLOCK_SKEW)} ({format_amz_date(now)} - 15 min.)"
    )


def signature_not_yet_current(signed_at: datetime, now: datetime) -> AuthError:
    """Signed more than 15 minutes in the future (aws/aws-sdk-js#2565): `Signature not yet current:
    20190305T002809Z is still later than 20190304T214315Z (20190304T212815Z + 15 min.)`."""
    return signature_does_not_match(
        f"Signature not yet current: {format_amz_date(signed_at)} is still later than "
        f"{format_amz_date(now + CLOCK_SKEW)} ({format_amz_date(now)} + 15 min.)"
    )


def request_expired(*, s3: bool) -> AuthError:
    """A presigned URL used after `X-Amz-Date + X-Amz-Expires`.

    S3 answers `AccessDenied`, 403, `Request has expired` (S3 API Reference, "Authenticating
    Requests: Using Query Parameters"). The query APIs document `RequestExpired`, 400, for a
    request that arrives "after the request expiration date (such as for pre-signed URLs)" (Common
    Errors, e.g. https://docs.aws.amazon.com/emr/latest/APIReference/CommonErrors.html); its
    message is EC2's `Request has expired.`.
    """
    if s3:
        return AuthError("AccessDenied", "Request has expired", 403)
    return AuthError("RequestExpired", "Request has expired.", 400)


def invalid_expires(message: str, *, s3: bool) -> AuthError:
    """An `X-Amz-Expires` that is not a whole number of seconds in 0..604800. The wording is S3's
    (aws/aws-cli#5464, fog/fog#3528); S3 uses the code `AuthorizationQueryParametersError`, the
    other services are given `IncompleteSignature`."""
    if s3:
        return AuthError("AuthorizationQueryParametersError", message, 400)
    return incomplete_signature(message)


def payload_hash_mismatch(*, s3: bool) -> AuthError:
    """A body whose SHA-256 differs from the signed `X-Amz-Content-Sha256` (S3:
    `XAmzContentSHA256Mismatch`, 400; other services see a signature mismatch)."""
    if s3:
        return AuthError(
            "XAmzContentSHA256Mismatch",
            "The provided 'x-amz-content-sha256' header does not match what was computed.",
            400,
        )
    return signature_does_not_match()
