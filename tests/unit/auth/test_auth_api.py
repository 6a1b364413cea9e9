"""The public surface of `localiam.auth`: its names, its value types and its error factory."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest
from starlette.datastructures import Headers as StarletteHeaders

import localiam.auth
from localiam.auth import (
    Authenticated,
    AuthError,
    Headers,
    HttpRequestView,
    SigningKey,
    expired_token,
)


def test_all_is_sorted_and_importable() -> None:
    assert localiam.auth.__all__ == sorted(localiam.auth.__all__)
    for name in localiam.auth.__all__:
        assert getattr(localiam.auth, name) is not None


def test_headers_are_case_insensitive_and_keep_every_value_in_order() -> None:
    headers = Headers([("X-Amz-Date", "1"), ("Via", "a"), ("via", "b")])

    assert headers.get("x-amz-date") == "1"
    assert headers.getlist("VIA") == ["a", "b"]
    assert headers.get("missing") is None
    assert "X-AMZ-DATE" in headers and "missing" not in headers
    assert list(headers) == ["x-amz-date", "via"]
    assert len(headers) == 3
    assert Headers({"X-A": "1"}).items() == (("x-a", "1"),)


def test_headers_are_immutable_and_comparable() -> None:
    headers = Headers([("A", "1")])

    with pytest.raises(AttributeError):
        headers._items = ()
    assert headers == Headers([("a", "1")])
    assert hash(headers) == hash(Headers([("a", "1")]))
    assert headers != Headers([("a", "2")])


def test_starlette_headers_are_read_with_their_repeated_values() -> None:
    raw = [(b"host", b"iam.amazonaws.com"), (b"x-dup", b"1"), (b"x-dup", b"2")]
    view = HttpRequestView("POST", "/", "", StarletteHeaders(raw=raw))

    assert view.headers.getlist("x-dup") == ["1", "2"]
    assert view.headers.get("Host") == "iam.amazonaws.com"


def test_the_request_view_is_frozen_and_takes_pairs() -> None:
    view = HttpRequestView("GET", "/a%20b", "x=1", [("Host", "h")], b"")

    assert isinstance(view.headers, Headers)
    assert view == HttpRequestView("GET", "/a%20b", "x=1", Headers([("host", "h")]))
    with pytest.raises(dataclasses.FrozenInstanceError):
        view.path = "/"  # type: ignore[misc]
    assert dataclasses.replace(view, body=b"x").body == b"x"


def test_the_signing_key_hides_its_secrets() -> None:
    key = SigningKey("ASIAEXAMPLE", "very-secret", "session-token", owner="role")

    assert "very-secret" not in repr(key) and "session-token" not in repr(key)
    assert "ASIAEXAMPLE" in repr(key)
    with pytest.raises(dataclasses.FrozenInstanceError):
        key.owner = "other"  # type: ignore[misc]


def test_authenticated_is_a_frozen_value() -> None:
    key = SigningKey("AKIA", "s")
    result = Authenticated(key, "us-east-1", "iam", datetime(2026, 1, 1, tzinfo=UTC), False)

    assert result == Authenticated(key, "us-east-1", "iam", datetime(2026, 1, 1, tzinfo=UTC), False)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.region = "eu-west-1"  # type: ignore[misc]


def test_expired_token_is_the_sts_error() -> None:
    error = expired_token()

    assert isinstance(error, AuthError)
    assert (error.code, error.message, error.status) == (
        "ExpiredToken",
        "The security token included in the request is expired",
        403,
    )
    assert error.detail == ""
    assert repr(error) == (
        "AuthError('ExpiredToken', 'The security token included in the request is expired', 403)"
    )
