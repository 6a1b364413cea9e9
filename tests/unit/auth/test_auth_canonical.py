"""The canonical request step by step, and the AWS SigV4 test suite's vectors end to end."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from localiam.auth import HttpRequestView, SigningKey, authenticate
from localiam.auth._canonical import (
    canonical_headers,
    canonical_query_string,
    canonical_uri,
    query_pairs,
    remove_dot_segments,
    signing_key,
    trim_header_value,
)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("", "/"),
        ("/", "/"),
        ("//", "/"),
        ("/./", "/"),
        ("/a/b/../c", "/a/c"),
        ("/a/b/../../..", "/"),
        ("//a//b//", "/a/b/"),
        ("/a/%2E%2E/b", "/a/%2E%2E/b"),
        ("relative/./x", "relative/x"),
    ],
)
def test_dot_segments_and_repeated_slashes_are_removed(path: str, expected: str) -> None:
    assert remove_dot_segments(path or "/") == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/a%2Fb", "/a%252Fb"),
        ("/c d", "/c%20d"),
        ("/%E2%9C%93/x", "/%25E2%259C%2593/x"),
        ("/~user/-_.", "/~user/-_."),
        ("/a:b@c", "/a%3Ab%40c"),
    ],
)
def test_non_s3_paths_are_encoded_once_more(path: str, expected: str) -> None:
    assert canonical_uri(path, s3=False) == expected


def test_s3_paths_are_taken_as_sent() -> None:
    assert canonical_uri("/bucket/a%2Fb/../c//d", s3=True) == "/bucket/a%2Fb/../c//d"
    assert canonical_uri("", s3=True) == "/"


def test_query_parameters_are_form_decoded_then_strictly_encoded_and_sorted() -> None:
    raw = "b=x+y%2Bz&a=2&A=1&a=1&flag&&c=%7e%2f%C3%BC"

    assert query_pairs(raw)[0] == (b"b", b"x y+z")
    assert canonical_query_string(query_pairs(raw)) == (
        "A=1&a=1&a=2&b=x%20y%2Bz&c=~%2F%C3%BC&flag="
    )


def test_the_presigned_signature_is_left_out_of_the_query() -> None:
    pairs = query_pairs("X-Amz-Signature=abc&Action=Get&X-Amz-Date=1")

    assert canonical_query_string(pairs, exclude="X-Amz-Signature") == "Action=Get&X-Amz-Date=1"
    assert "X-Amz-Signature=abc" in canonical_query_string(pairs)


def test_header_values_are_trimmed_and_repeated_headers_joined() -> None:
    assert trim_header_value('  "a   b \t c"  ') == '"a b c"'
    assert canonical_headers([("host", ["h"]), ("x-a", [" 1 ", "2  3"])]) == "host:h\nx-a:1,2 3\n"


def test_the_signing_key_is_the_documented_one() -> None:
    # IAM User Guide, "Create a signed AWS API request": the example derived signing key.
    key = signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830", "us-east-1", "iam")

    assert key.hex() == "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9"


# --- the AWS SigV4 test suite (aws-sig-v4-test-suite / aws-c-auth v4 vectors) ------------------

SUITE_KEY = SigningKey("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
SUITE_TIME = datetime(2015, 8, 30, 12, 36, tzinfo=UTC)
VANILLA = "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
FORM_HASH = "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e"

SUITE: list[tuple[str, str, str, str, list[tuple[str, str]], bytes, str]] = [
    ("get-vanilla", "GET", "/", "", [], b"", VANILLA),
    ("get-relative-relative", "GET", "/example1/example2/../..", "", [], b"", VANILLA),
    (
        "get-vanilla-query-order-key-case",
        "GET",
        "/",
        "Param2=value2&Param1=value1",
        [],
        b"",
        "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
    ),
    (
        "get-vanilla-empty-query-key",
        "GET",
        "/",
        "Param1=value1",
        [],
        b"",
        "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb",
    ),
    (
        "get-vanilla-query-unreserved",
        "GET",
        "/",
        "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
        "=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
        [],
        b"",
        "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197",
    ),
    (
        "get-unreserved",
        "GET",
        "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
        "",
        [],
        b"",
        "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f",
    ),
    (
        "get-utf8",
        "GET",
        "/ሴ",
        "",
        [],
        b"",
        "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85",
    ),
    (
        "get-space",
        "GET",
        "/example space/",
        "",
        [],
        b"",
        "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741",
    ),
    (
        "get-slashes",
        "GET",
        "//example//",
        "",
        [],
        b"",
        "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84",
    ),
    (
        "get-header-value-trim",
        "GET",
        "/",
        "",
        [("My-Header1", " value1"), ("My-Header2", ' "a   b   c"')],
        b"",
        "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736",
    ),
    (
        "get-header-key-duplicate",
        "GET",
        "/",
        "",
        [("My-Header1", "value2"), ("My-Header1", "value2"), ("My-Header1", "value1")],
        b"",
        "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea",
    ),
    (
        "post-vanilla",
        "POST",
        "/",
        "",
        [],
        b"",
        "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
    ),
    (
        "post-header-value-case",
        "POST",
        "/",
        "",
        [("My-Header1", "VALUE1")],
        b"",
        "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d",
    ),
    (
        "post-x-www-form-urlencoded",
        "POST",
        "/",
        "",
        [("Content-Type", "application/x-www-form-urlencoded")],
        b"Param1=value1",
        "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a",
    ),
    (
        "post-x-www-form-urlencoded (aws-c-auth, signed body hash)",
        "POST",
        "/",
        "",
        [
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Content-Length", "13"),
            ("X-Amz-Content-Sha256", FORM_HASH),
        ],
        b"Param1=value1",
        "d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b",
    ),
]


@pytest.mark.parametrize(
    ("method", "path", "query", "headers", "body", "signature"),
    [case[1:] for case in SUITE],
    ids=[case[0] for case in SUITE],
)
def test_aws_test_suite_vector_verifies(
    method: str,
    path: str,
    query: str,
    headers: list[tuple[str, str]],
    body: bytes,
    signature: str,
) -> None:
    signed = ";".join(sorted({"host", "x-amz-date", *(name.lower() for name, _ in headers)}))
    authorization = (
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
        f"SignedHeaders={signed}, Signature={signature}"
    )
    view = HttpRequestView(
        method,
        path,
        query,
        [
            ("Host", "example.amazonaws.com"),
            ("X-Amz-Date", "20150830T123600Z"),
            *headers,
            ("Authorization", authorization),
        ],
        body,
    )

    result = authenticate(view, {"AKIDEXAMPLE": SUITE_KEY}.get, SUITE_TIME)

    assert result is not None and (result.region, result.service) == ("us-east-1", "service")
