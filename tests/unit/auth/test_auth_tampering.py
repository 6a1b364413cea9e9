"""Every part a signature covers, changed after signing, is caught with AWS's error."""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import timedelta

import pytest
from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth, SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from sigv4_support import (
    ACCESS_KEY_ID,
    CREDENTIALS,
    NOW,
    PERMANENT,
    SECRET,
    SIGNATURE_MISMATCH,
    TEMP_ACCESS_KEY_ID,
    TEMP_CREDENTIALS,
    TEMP_SECRET,
    TEMPORARY,
    TOKEN,
    lookup,
    rejection,
    sign,
    with_header,
)

from localiam.auth import AuthError, HttpRequestView, SigningKey, authenticate

FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
MISMATCH = ("SignatureDoesNotMatch", SIGNATURE_MISMATCH, 403)
INVALID_TOKEN = (
    "InvalidClientTokenId",
    "The security token included in the request is invalid.",
    403,
)


def iam_post(credentials: Credentials = CREDENTIALS) -> HttpRequestView:
    request = AWSRequest(
        "POST",
        "https://iam.amazonaws.com/",
        data=b"Action=CreateUser&Version=2010-05-08&UserName=alice",
        headers=FORM,
    )
    return sign(request, SigV4Auth(credentials, "iam", "us-east-1"))


def iam_get() -> HttpRequestView:
    request = AWSRequest(
        "GET",
        "https://iam.amazonaws.com/users/alice",
        params=[("Action", "GetUser"), ("Version", "2010-05-08"), ("UserName", "alice")],
    )
    return sign(request, SigV4Auth(CREDENTIALS, "iam", "us-east-1"))


def sts_presigned(
    expires: int = 900, credentials: Credentials = TEMP_CREDENTIALS
) -> HttpRequestView:
    request = AWSRequest(
        "GET",
        "https://sts.amazonaws.com/",
        params={"Action": "GetCallerIdentity", "Version": "2011-06-15"},
    )
    return sign(request, SigV4QueryAuth(credentials, "sts", "us-east-1", expires=expires))


def test_the_untouched_requests_verify() -> None:
    for view in (iam_post(), iam_get(), sts_presigned()):
        assert authenticate(view, lookup(), NOW) is not None


# --- the parts of the request --------------------------------------------------------------------


def test_a_changed_body_does_not_match() -> None:
    view = dataclasses.replace(
        iam_post(), body=b"Action=CreateUser&Version=2010-05-08&UserName=mallory"
    )

    assert rejection(view) == MISMATCH


def test_the_mismatch_reports_what_the_server_computed() -> None:
    view = dataclasses.replace(iam_post(), body=b"Action=DeleteUser")

    with pytest.raises(AuthError) as raised:
        authenticate(view, lookup(), NOW)
    error = raised.value
    assert error.canonical_request.startswith("POST\n/\n\ncontent-type:application/x-www-form")
    assert error.canonical_request.endswith(
        "\n\ncontent-type;host;x-amz-date\n" + hashlib.sha256(b"Action=DeleteUser").hexdigest()
    )
    assert error.string_to_sign.startswith(
        "AWS4-HMAC-SHA256\n20261128T070000Z\n20261128/us-east-1/iam/aws4_request\n"
    )
    assert error.detail == (
        "\n\nThe Canonical String for this request should have been\n"
        f"'{error.canonical_request}'\n\n"
        "The String-to-Sign should have been\n"
        f"'{error.string_to_sign}'\n"
    )


def test_a_changed_signed_header_does_not_match() -> None:
    view = with_header(iam_post(), "Content-Type", "application/json")

    assert rejection(view) == MISMATCH


def test_an_added_unsigned_header_is_ignored() -> None:
    view = with_header(iam_post(), "User-Agent", "something else")

    assert authenticate(view, lookup(), NOW) is not None


@pytest.mark.parametrize(
    "query",
    [
        "Action=GetUser&Version=2010-05-08&UserName=mallory",
        "Action=GetUser&Version=2010-05-08&UserName=alice&Extra=1",
        "Action=GetUser&Version=2010-05-08",
        "Action=GetUser&Version=2010-05-08&UserName=alic%65%20",
    ],
)
def test_a_changed_query_does_not_match(query: str) -> None:
    view = dataclasses.replace(iam_get(), query_string=query)

    assert rejection(view) == MISMATCH


def test_reordered_or_differently_escaped_query_parameters_still_match() -> None:
    view = dataclasses.replace(
        iam_get(), query_string="UserName=%61lice&Version=2010-05-08&Action=GetUser"
    )

    assert authenticate(view, lookup(), NOW) is not None


def test_a_changed_path_or_method_does_not_match() -> None:
    assert rejection(dataclasses.replace(iam_get(), path="/users/bob")) == MISMATCH
    assert rejection(dataclasses.replace(iam_get(), method="DELETE")) == MISMATCH


def test_a_different_time_the_same_day_does_not_match() -> None:
    view = with_header(iam_post(), "X-Amz-Date", "20261128T070100Z")

    assert rejection(view) == MISMATCH


def test_a_wrong_secret_does_not_match() -> None:
    keys = lookup(SigningKey(ACCESS_KEY_ID, SECRET + "x"))

    assert rejection(iam_post(), keys) == MISMATCH


def test_an_unknown_access_key_is_an_invalid_client_token() -> None:
    stranger = Credentials("AKIAUNKNOWNEXAMPLE00", SECRET)

    assert rejection(iam_post(stranger)) == INVALID_TOKEN


def test_an_altered_access_key_is_an_invalid_client_token() -> None:
    view = iam_post()
    header = view.headers.get("authorization") or ""
    view = with_header(view, "Authorization", header.replace(ACCESS_KEY_ID, "AKIAIOSFODNN7EXAMPLF"))

    assert rejection(view) == INVALID_TOKEN


def test_a_tampered_presigned_signature_or_parameter_does_not_match() -> None:
    view = sts_presigned()
    tampered_signature = view.query_string[:-1] + ("0" if view.query_string[-1] != "0" else "1")
    tampered_action = view.query_string.replace("GetCallerIdentity", "GetSessionToken")

    assert rejection(dataclasses.replace(view, query_string=tampered_signature)) == MISMATCH
    assert rejection(dataclasses.replace(view, query_string=tampered_action)) == MISMATCH


# --- session tokens ------------------------------------------------------------------------------


def test_temporary_credentials_need_their_token() -> None:
    without_token = Credentials(TEMP_ACCESS_KEY_ID, TEMP_SECRET)

    assert rejection(iam_post(without_token)) == INVALID_TOKEN


def test_a_token_that_is_not_the_keys_is_invalid() -> None:
    wrong_token = Credentials(TEMP_ACCESS_KEY_ID, TEMP_SECRET, TOKEN + "x")

    assert rejection(iam_post(wrong_token)) == INVALID_TOKEN
    assert rejection(sts_presigned(credentials=wrong_token)) == INVALID_TOKEN


def test_a_permanent_key_takes_no_token() -> None:
    with_token = Credentials(ACCESS_KEY_ID, SECRET, TOKEN)

    assert rejection(iam_post(with_token)) == INVALID_TOKEN


def test_a_token_changed_after_signing_does_not_match() -> None:
    view = with_header(iam_post(TEMP_CREDENTIALS), "X-Amz-Security-Token", TOKEN + "x")

    assert rejection(view) == MISMATCH


def test_the_right_token_is_accepted() -> None:
    result = authenticate(iam_post(TEMP_CREDENTIALS), lookup(), NOW)

    assert result is not None and result.key == TEMPORARY


# --- the declared payload hash -------------------------------------------------------------------


def test_unsigned_payload_lets_the_body_change() -> None:
    request = AWSRequest(
        "POST",
        "https://iam.amazonaws.com/",
        data=b"Action=ListUsers&Version=2010-05-08",
        headers={**FORM, "X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"},
    )
    view = sign(request, SigV4Auth(CREDENTIALS, "iam", "us-east-1"))

    assert authenticate(dataclasses.replace(view, body=b"other"), lookup(), NOW) is not None


def test_a_body_that_differs_from_its_declared_hash_is_refused() -> None:
    s3_put = sign(
        AWSRequest("PUT", "https://bucket.s3.amazonaws.com/key", data=b"hello"),
        S3SigV4Auth(CREDENTIALS, "s3", "us-east-1"),
    )
    iam = sign(
        AWSRequest(
            "POST",
            "https://iam.amazonaws.com/",
            data=b"Action=ListUsers&Version=2010-05-08",
            headers={**FORM, "X-Amz-Content-SHA256": "0" * 64},
        ),
        SigV4Auth(CREDENTIALS, "iam", "us-east-1"),
    )

    assert rejection(dataclasses.replace(s3_put, body=b"HELLO")) == (
        "XAmzContentSHA256Mismatch",
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
        400,
    )
    assert rejection(iam) == MISMATCH


# --- time ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "offset",
    [
        timedelta(minutes=-15),
        timedelta(minutes=-14, seconds=-59),
        timedelta(0),
        timedelta(minutes=14, seconds=59),
        timedelta(minutes=15),
    ],
)
def test_a_clock_within_fifteen_minutes_is_accepted(offset: timedelta) -> None:
    assert authenticate(iam_post(), lookup(), NOW + offset) is not None


def test_a_signature_older_than_fifteen_minutes_has_expired() -> None:
    now = NOW + timedelta(minutes=15, seconds=1)

    assert rejection(iam_post(), now=now) == (
        "SignatureDoesNotMatch",
        "Signature expired: 20261128T070000Z is now earlier than 20261128T070001Z "
        "(20261128T071501Z - 15 min.)",
        403,
    )


def test_a_signature_from_more_than_fifteen_minutes_ahead_is_not_yet_current() -> None:
    now = NOW - timedelta(minutes=15, seconds=1)

    assert rejection(iam_post(), now=now) == (
        "SignatureDoesNotMatch",
        "Signature not yet current: 20261128T070000Z is still later than 20261128T065959Z "
        "(20261128T064459Z + 15 min.)",
        403,
    )


def test_the_brief_example_of_an_expired_signature() -> None:
    view = sign(
        AWSRequest("POST", "https://iam.amazonaws.com/", data=b"Action=ListUsers", headers=FORM),
        SigV4Auth(CREDENTIALS, "iam", "us-east-1"),
    )
    now = NOW + timedelta(minutes=28, seconds=34)

    assert rejection(view, now=now)[1] == (
        "Signature expired: 20261128T070000Z is now earlier than 20261128T071334Z "
        "(20261128T072834Z - 15 min.)"
    )


def test_a_naive_clock_is_taken_as_utc() -> None:
    assert authenticate(iam_post(), lookup(), NOW.replace(tzinfo=None)) is not None


def test_a_presigned_url_lives_exactly_x_amz_expires_seconds() -> None:
    view = sts_presigned(expires=60)

    assert authenticate(view, lookup(), NOW + timedelta(seconds=60)) is not None
    assert rejection(view, now=NOW + timedelta(seconds=61)) == (
        "RequestExpired",
        "Request has expired.",
        400,
    )


def test_a_long_lived_presigned_url_outlives_the_clock_skew_window() -> None:
    view = sts_presigned(expires=604800)

    assert authenticate(view, lookup(), NOW + timedelta(days=6)) is not None


def test_an_expired_s3_presigned_url_is_access_denied() -> None:
    view = sign(
        AWSRequest("GET", "https://bucket.s3.amazonaws.com/key"),
        S3SigV4QueryAuth(CREDENTIALS, "s3", "us-east-1", expires=3600),
    )

    assert rejection(view, now=NOW + timedelta(hours=1, seconds=1)) == (
        "AccessDenied",
        "Request has expired",
        403,
    )


def test_a_presigned_url_from_the_future_is_not_yet_current() -> None:
    view = sts_presigned()

    assert rejection(view, now=NOW - timedelta(minutes=16))[1].startswith(
        "Signature not yet current: 20261128T070000Z is still later than"
    )


def test_a_presigned_url_without_expires_gets_the_fifteen_minute_window() -> None:
    view = sts_presigned()
    query = "&".join(p for p in view.query_string.split("&") if not p.startswith("X-Amz-Expires"))
    view = dataclasses.replace(view, query_string=query)

    # X-Amz-Expires was signed, so removing it breaks the signature, but the time check comes first.
    assert rejection(view, now=NOW + timedelta(minutes=16))[1].startswith("Signature expired: ")
    assert rejection(view, now=NOW + timedelta(minutes=1)) == MISMATCH


@pytest.mark.parametrize(
    ("expires", "message"),
    [
        (
            "604801",
            "X-Amz-Expires must be less than a week (in seconds); that is, the given "
            "X-Amz-Expires must be less than 604800 seconds",
        ),
        ("-1", "X-Amz-Expires must be non-negative"),
        ("soon", "X-Amz-Expires should be a number"),
    ],
)
def test_an_out_of_range_expiry_is_refused(expires: str, message: str) -> None:
    view = sts_presigned()
    view = dataclasses.replace(
        view,
        query_string=view.query_string.replace("X-Amz-Expires=900", f"X-Amz-Expires={expires}"),
    )
    s3 = sign(
        AWSRequest("GET", "https://bucket.s3.amazonaws.com/key"),
        S3SigV4QueryAuth(CREDENTIALS, "s3", "us-east-1", expires=900),
    )
    s3 = dataclasses.replace(
        s3, query_string=s3.query_string.replace("X-Amz-Expires=900", f"X-Amz-Expires={expires}")
    )

    assert rejection(view) == ("IncompleteSignature", message, 400)
    assert rejection(s3) == ("AuthorizationQueryParametersError", message, 400)


def test_the_credential_scope_date_must_be_the_request_date() -> None:
    view = with_header(iam_post(), "X-Amz-Date", "20261129T070000Z")

    assert rejection(view, now=NOW + timedelta(days=1)) == (
        "SignatureDoesNotMatch",
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
        "HTTP: '20261128' != '20261129', from '20261129T070000Z'.",
        403,
    )


def test_a_credential_scope_from_another_day_is_refused() -> None:
    view = iam_post()
    header = (view.headers.get("authorization") or "").replace("/20261128/", "/20261127/")

    assert rejection(with_header(view, "Authorization", header))[1] == (
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
        "HTTP: '20261127' != '20261128', from '20261128T070000Z'."
    )


def test_keys_and_results_are_what_the_lookup_returned() -> None:
    result = authenticate(iam_post(), lookup(PERMANENT), NOW)

    assert result is not None and result.key.owner == "user/alice"


@pytest.mark.parametrize(
    ("declared", "accepted"),
    [
        ("not-a-hash", False),
        ("sha256-of-something-élse", False),
        ("UNSIGNED-PAYLOAD", True),
        ("STREAMING-UNSIGNED-PAYLOAD-TRAILER", True),
    ],
)
def test_only_the_unsigned_markers_release_the_body(declared: str, accepted: bool) -> None:
    request = AWSRequest(
        "POST",
        "https://iam.amazonaws.com/",
        data=b"Action=ListUsers&Version=2010-05-08",
        headers={**FORM, "X-Amz-Content-SHA256": declared},
    )
    view = sign(request, SigV4Auth(CREDENTIALS, "iam", "us-east-1"))

    if accepted:
        assert authenticate(view, lookup(), NOW) is not None
    else:
        assert rejection(view) == MISMATCH
