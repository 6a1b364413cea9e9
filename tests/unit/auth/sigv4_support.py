"""Helpers for the auth tests: sign real requests with botocore and see them as the server does."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from unittest import mock
from urllib.parse import urlsplit

import pytest
from botocore.auth import BaseSigner
from botocore.awsrequest import AWSPreparedRequest, AWSRequest
from botocore.credentials import Credentials

from localiam.auth import AuthError, Headers, HttpRequestView, KeyLookup, SigningKey, authenticate

NOW = datetime(2026, 11, 28, 7, 0, 0, tzinfo=UTC)

ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
TEMP_ACCESS_KEY_ID = "ASIAIOSFODNN7EXAMPLE"
TEMP_SECRET = "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY"
TOKEN = "FwoGZXIvYXdzEBYaDExampleSessionToken+/="

PERMANENT = SigningKey(ACCESS_KEY_ID, SECRET, owner="user/alice")
TEMPORARY = SigningKey(TEMP_ACCESS_KEY_ID, TEMP_SECRET, TOKEN, owner="assumed-role/r/s")

CREDENTIALS = Credentials(ACCESS_KEY_ID, SECRET)
TEMP_CREDENTIALS = Credentials(TEMP_ACCESS_KEY_ID, TEMP_SECRET, TOKEN)

SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. "
    "Consult the service documentation for details."
)


def lookup(*keys: SigningKey) -> KeyLookup:
    """A credential store holding `keys` (by default the permanent and the temporary key)."""
    table = {key.access_key_id: key for key in (keys or (PERMANENT, TEMPORARY))}
    return table.get


@contextmanager
def botocore_clock(at: datetime) -> Iterator[None]:
    """Make botocore's signers believe the time is `at`."""
    with mock.patch("botocore.auth.get_current_datetime", return_value=at.replace(tzinfo=None)):
        yield


def host_of(url: str) -> str:
    """The Host header an HTTP client sends for `url` (default ports left out)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return host if parts.port in (None, default) else f"{host}:{parts.port}"


def view_of(prepared: AWSPreparedRequest) -> HttpRequestView:
    """What the server receives for a prepared botocore request."""
    parts = urlsplit(prepared.url)
    headers = [
        (name, value.decode("latin-1") if isinstance(value, bytes) else value)
        for name, value in prepared.headers.items()
    ]
    if not any(name.lower() == "host" for name, _ in headers):
        headers.append(("Host", host_of(prepared.url)))
    body: Any = prepared.body or b""
    if isinstance(body, str):
        body = body.encode("utf-8")
    elif not isinstance(body, bytes):
        body = body.read()
    return HttpRequestView(prepared.method, parts.path or "/", parts.query, headers, body)


def sign(request: AWSRequest, signer: BaseSigner, at: datetime = NOW) -> HttpRequestView:
    """Sign `request` with `signer` at time `at` and return it as the server sees it."""
    with botocore_clock(at):
        signer.add_auth(request)
    return view_of(request.prepare())


def with_header(view: HttpRequestView, name: str, value: str | None) -> HttpRequestView:
    """`view` with every `name` header replaced by `value` (or removed when None)."""
    kept = [(k, v) for k, v in view.headers.items() if k != name.lower()]
    if value is not None:
        kept.append((name, value))
    return dataclasses.replace(view, headers=Headers(kept))


def rejection(
    view: HttpRequestView,
    keys: KeyLookup | None = None,
    now: datetime = NOW,
    **options: Any,
) -> tuple[str, str, int]:
    """(code, message, status) of the AuthError `authenticate` raises for `view`."""
    with pytest.raises(AuthError) as raised:
        authenticate(view, keys or lookup(), now, **options)
    return raised.value.code, raised.value.message, raised.value.status
