"""Temporary credentials expire: the whole server (`localiam.server.build`) on a clock the test
moves, requests signed by botocore at that clock's time and sent over httpx's ASGI transport."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest import mock
from urllib.parse import urlencode

import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from starlette.applications import Starlette

from localiam.server import ServerConfig, build

ROOT_KEY = "AKIAUNITTESTROOTKEY0"
ROOT_SECRET = "unit/root/secret/unit/root/secret/unit/ro"
START = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
EXPIRED = (
    "<Code>ExpiredToken</Code><Message>The security token included in the request is expired"
    "</Message>"
)


class Clock:
    """The server's clock, moved by the test."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class Client:
    def __init__(self, app: Starlette, clock: Clock) -> None:
        self.app = app
        self.clock = clock

    def send(self, creds: Credentials, service: str, **params: str) -> tuple[int, str]:
        """One query request signed at the server's current time."""
        version = "2011-06-15" if service == "sts" else "2010-05-08"
        body = urlencode({**params, "Version": version})
        request = AWSRequest(
            method="POST",
            url="http://testserver/",
            data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
        )
        at = self.clock.now.replace(tzinfo=None)
        with mock.patch("botocore.auth.get_current_datetime", return_value=at):
            SigV4Auth(creds, service, "us-east-1").add_auth(request)
        headers = dict(request.headers.items())

        async def post() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
                return await c.post("/", content=body, headers=headers)

        answer = asyncio.run(post())
        return answer.status_code, answer.text


def _field(xml: str, name: str) -> str:
    found = re.search(f"<{name}>([^<]*)</{name}>", xml)
    assert found is not None, xml
    return found.group(1)


@pytest.fixture
def client(tmp_path: Path) -> Iterator[Client]:
    clock = Clock(START)
    config = ServerConfig(
        data_dir=tmp_path, root_access_key_id=ROOT_KEY, root_secret_access_key=ROOT_SECRET
    )
    built = build(config, clock=clock)
    try:
        yield Client(built.app, clock)
    finally:
        built.close()


def test_temporary_credentials_expire_at_their_expiration(client: Client) -> None:
    root = Credentials(ROOT_KEY, ROOT_SECRET)
    status, body = client.send(root, "sts", Action="GetSessionToken", DurationSeconds="900")
    assert status == 200, body
    assert _field(body, "Expiration") == "2026-03-04T05:21:07Z"
    temporary = Credentials(
        _field(body, "AccessKeyId"), _field(body, "SecretAccessKey"), _field(body, "SessionToken")
    )

    client.clock.now = START + timedelta(seconds=899)
    status, body = client.send(temporary, "sts", Action="GetCallerIdentity")
    assert (status, _field(body, "Arn")) == (200, "arn:aws:iam::123456789012:root")

    client.clock.now = START + timedelta(seconds=900)
    for service, action in (("sts", "GetCallerIdentity"), ("iam", "ListUsers")):
        status, body = client.send(temporary, service, Action=action)
        assert status == 403, body
        assert EXPIRED in body
    # The long-term key is not affected.
    assert client.send(root, "sts", Action="GetCallerIdentity")[0] == 200


def test_an_assumed_role_session_expires_too(client: Client) -> None:
    root = Credentials(ROOT_KEY, ROOT_SECRET)
    trust = (
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
        '"Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}'
    )
    assert (
        client.send(root, "iam", Action="CreateRole", RoleName="r", AssumeRolePolicyDocument=trust)[
            0
        ]
        == 200
    )
    assert client.send(root, "iam", Action="CreateUser", UserName="alice")[0] == 200
    allow = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}'
    client.send(
        root, "iam", Action="PutUserPolicy", UserName="alice", PolicyName="p", PolicyDocument=allow
    )
    status, body = client.send(root, "iam", Action="CreateAccessKey", UserName="alice")
    alice = Credentials(_field(body, "AccessKeyId"), _field(body, "SecretAccessKey"))
    status, body = client.send(
        alice,
        "sts",
        Action="AssumeRole",
        RoleArn="arn:aws:iam::123456789012:role/r",
        RoleSessionName="s1",
        DurationSeconds="1800",
    )
    assert status == 200, body
    session = Credentials(
        _field(body, "AccessKeyId"), _field(body, "SecretAccessKey"), _field(body, "SessionToken")
    )
    client.clock.now = START + timedelta(seconds=1799)
    status, body = client.send(session, "sts", Action="GetCallerIdentity")
    assert _field(body, "Arn") == "arn:aws:sts::123456789012:assumed-role/r/s1"
    client.clock.now = START + timedelta(seconds=1800)
    status, body = client.send(session, "sts", Action="GetCallerIdentity")
    assert (status, EXPIRED in body) == (403, True)
