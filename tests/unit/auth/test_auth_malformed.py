"""Missing and malformed signatures get AWS's codes and sentences, in AWS's order."""

from __future__ import annotations

import pytest
from sigv4_support import ACCESS_KEY_ID, NOW, lookup, rejection

from localiam.auth import HttpRequestView, authenticate

HOST = ("Host", "iam.amazonaws.com")
DATE = ("X-Amz-Date", "20261128T070000Z")
GOOD_CREDENTIAL = f"{ACCESS_KEY_ID}/20261128/us-east-1/iam/aws4_request"


def header_request(authorization: str, *headers: tuple[str, str]) -> HttpRequestView:
    return HttpRequestView("POST", "/", "", [HOST, *headers, ("Authorization", authorization)])


def authorization(
    credential: str = GOOD_CREDENTIAL, signed: str = "host;x-amz-date", signature: str = "ab" * 32
) -> str:
    return (
        f"AWS4-HMAC-SHA256 Credential={credential}, SignedHeaders={signed}, Signature={signature}"
    )


def test_no_signature_is_a_missing_authentication_token() -> None:
    view = HttpRequestView("POST", "/", "", [HOST], b"Action=ListUsers")

    assert rejection(view) == (
        "MissingAuthenticationToken",
        "Request is missing Authentication Token",
        403,
    )


def test_no_signature_is_anonymous_when_allowed() -> None:
    view = HttpRequestView("GET", "/", "Action=ListUsers&Signature=v2-style", [HOST])

    assert authenticate(view, lookup(), NOW, unsigned_ok=True) is None


def test_a_blank_authorization_header_counts_as_none() -> None:
    view = header_request("   ")

    assert authenticate(view, lookup(), NOW, unsigned_ok=True) is None


def test_unsigned_ok_does_not_excuse_a_bad_signature() -> None:
    assert rejection(header_request(authorization(), DATE), unsigned_ok=True)[0] == (
        "SignatureDoesNotMatch"
    )


@pytest.mark.parametrize("algorithm", ["AWS4-HMAC-SHA512", "AWS", "Bearer"])
def test_an_unsupported_algorithm_is_incomplete(algorithm: str) -> None:
    view = header_request(f"{algorithm} Credential=x", DATE)

    assert rejection(view) == (
        "IncompleteSignature",
        f"Unsupported AWS 'algorithm': '{algorithm}'.",
        400,
    )


def test_a_pair_without_equal_sign_is_incomplete() -> None:
    header = "AWS4-HMAC-SHA256 Credential=a/b/c/d/e, Signedheaders"
    view = header_request(header, DATE)

    assert rejection(view) == (
        "IncompleteSignature",
        "'Signedheaders' not a valid key=value pair (missing equal-sign) in Authorization header: "
        f"'{header}'",
        400,
    )


def test_every_missing_part_is_reported_at_once() -> None:
    header = f"AWS4-HMAC-SHA256 Credential={GOOD_CREDENTIAL}"
    view = header_request(header)

    assert rejection(view) == (
        "IncompleteSignature",
        "Authorization header requires 'Signature' parameter. "
        "Authorization header requires 'SignedHeaders' parameter. "
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
        f"Authorization={header}",
        400,
    )


def test_a_header_with_nothing_but_the_algorithm() -> None:
    assert rejection(header_request("AWS4-HMAC-SHA256", DATE))[1] == (
        "Authorization header requires 'Credential' parameter. "
        "Authorization header requires 'Signature' parameter. "
        "Authorization header requires 'SignedHeaders' parameter. "
        "Authorization=AWS4-HMAC-SHA256"
    )


def test_the_host_must_be_signed() -> None:
    view = header_request(authorization(signed="x-amz-date"), DATE)

    assert rejection(view) == (
        "SignatureDoesNotMatch",
        "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
        403,
    )


@pytest.mark.parametrize("value", ["2026-11-28T07:00:00Z", "20261128T070000", "20261328T070000Z"])
def test_a_malformed_date_is_incomplete(value: str) -> None:
    view = header_request(authorization(), ("X-Amz-Date", value))

    assert rejection(view) == (
        "IncompleteSignature",
        f"Date must be in ISO-8601 'basic format'. Got '{value}'. "
        "See http://en.wikipedia.org/wiki/ISO_8601",
        400,
    )


def test_an_unreadable_http_date_is_incomplete() -> None:
    view = header_request(authorization(signed="date;host"), ("Date", "yesterday"))

    assert rejection(view)[1] == (
        "Date must be in ISO-8601 'basic format'. Got 'yesterday'. "
        "See http://en.wikipedia.org/wiki/ISO_8601"
    )


def test_the_credential_needs_five_parts() -> None:
    view = header_request(authorization(credential=f"{ACCESS_KEY_ID}/20261128/us-east-1"), DATE)

    assert rejection(view) == (
        "IncompleteSignature",
        "Credential must have exactly 5 slash-delimited elements, e.g. "
        f"keyid/date/region/service/term, got '{ACCESS_KEY_ID}/20261128/us-east-1'",
        400,
    )


def test_every_scope_disagreement_is_reported_at_once() -> None:
    credential = f"{ACCESS_KEY_ID}/20261127/us-west-2/sts/aws5_request"
    view = header_request(authorization(credential=credential), DATE)

    assert rejection(view, service="iam", regions={"us-east-1"}) == (
        "SignatureDoesNotMatch",
        "Credential should be scoped to a valid region, not 'us-west-2'. "
        "Credential should be scoped to correct service: 'iam'. "
        "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. "
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
        "HTTP: '20261127' != '20261128', from '20261128T070000Z'.",
        403,
    )


def test_region_and_service_are_free_unless_constrained() -> None:
    credential = f"{ACCESS_KEY_ID}/20261128/eu-north-1/anything/aws4_request"
    view = header_request(authorization(credential=credential), DATE)

    assert rejection(view)[0:2] == (
        "SignatureDoesNotMatch",
        "The request signature we calculated does not match the signature you provided. "
        "Check your AWS Secret Access Key and signing method. "
        "Consult the service documentation for details.",
    )


def test_scope_is_checked_before_the_access_key() -> None:
    credential = "AKIAUNKNOWNEXAMPLE00/20261128/us-east-1/iam/aws5_request"
    view = header_request(authorization(credential=credential), DATE)

    assert rejection(view)[1] == (
        "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'."
    )


def test_the_date_is_checked_before_the_credential() -> None:
    view = header_request(authorization(credential="garbage"), ("X-Amz-Date", "20200101T000000Z"))

    assert rejection(view)[1].startswith("Signature expired: 20200101T000000Z is now earlier than")


# --- the query-string form -----------------------------------------------------------------------


def test_missing_query_parameters_are_all_reported() -> None:
    view = HttpRequestView("GET", "/", "Action=GetCallerIdentity&X-Amz-Signature=abc", [HOST])

    assert rejection(view) == (
        "IncompleteSignature",
        "AWS query-string parameters must include 'X-Amz-Algorithm'. "
        "AWS query-string parameters must include 'X-Amz-Credential'. "
        "AWS query-string parameters must include 'X-Amz-SignedHeaders'. "
        "AWS query-string parameters must include 'X-Amz-Date'. "
        "Re-examine the query-string parameters.",
        400,
    )


def test_an_unsupported_query_algorithm_is_incomplete() -> None:
    query = (
        "X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256&X-Amz-Credential=a%2Fb%2Fc%2Fd%2Fe"
        "&X-Amz-Date=20261128T070000Z&X-Amz-SignedHeaders=host&X-Amz-Signature=abc"
    )
    view = HttpRequestView("GET", "/", query, [HOST])

    assert rejection(view)[:2] == (
        "IncompleteSignature",
        "Unsupported AWS 'algorithm': 'AWS4-ECDSA-P256-SHA256'.",
    )


def test_both_forms_at_once_are_refused() -> None:
    view = header_request(authorization(), DATE)
    view = HttpRequestView("GET", "/", "X-Amz-Algorithm=AWS4-HMAC-SHA256", view.headers)

    assert rejection(view) == (
        "SignatureDoesNotMatch",
        "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.",
        403,
    )
