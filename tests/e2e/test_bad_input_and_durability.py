"""Bad input gets AWS's errors (never a 5xx or a traceback) and leaves the store as it was;
committed work survives `kill -9`."""

from __future__ import annotations

import http.client
import os
import signal
from pathlib import Path

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from live_server import ROOT_KEY, ROOT_SECRET, LiveServer, start_server, stop_server


def send(server: LiveServer, body: bytes, *, sign: bool = True) -> tuple[int, str]:
    host = server.endpoint.removeprefix("http://")
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8", "Host": host}
    if sign:
        request = AWSRequest(method="POST", url=server.endpoint + "/", data=body, headers=headers)
        SigV4Auth(Credentials(ROOT_KEY, ROOT_SECRET), "iam", "us-east-1").add_auth(request)
        headers = dict(request.headers.items())
    conn = http.client.HTTPConnection(host, timeout=30)
    conn.request("POST", "/", body=body, headers=headers)
    answer = conn.getresponse()
    return answer.status, answer.read().decode("utf-8", "replace")


def user_names(server: LiveServer) -> list[str]:
    return [u["UserName"] for u in server.client().list_users()["Users"]]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"Version=2010-05-08", 400, "MissingAction"),
        (b"Action=NoSuchOperation&Version=2010-05-08", 400, "InvalidAction"),
        (b"Action=CreateUser&Version=2010-05-08", 400, "ValidationError"),
        (b"Action=CreateUser&Version=2010-05-08&UserName=%FF%FE", 404, "MalformedQueryString"),
        (b"Action=CreateUser&Version=2010-05-08&UserName=" + b"x" * 70, 400, "ValidationError"),
        (b"Action=ListUsers&Version=2010-05-08&MaxItems=lots", 400, "ValidationError"),
        (b"Action=ListUsers&Version=2010-05-08&MaxItems=0", 400, "ValidationError"),
    ],
)
def test_bad_requests_get_aws_errors(
    server: LiveServer, body: bytes, status: int, code: str
) -> None:
    got_status, text = send(server, body)
    assert got_status == status, text
    assert f"<Code>{code}</Code>" in text
    assert "Traceback" not in text
    assert user_names(server) == []


def test_an_unsigned_request_is_refused(server: LiveServer) -> None:
    status, text = send(server, b"Action=ListUsers&Version=2010-05-08", sign=False)
    assert status == 403
    assert "<Code>MissingAuthenticationToken</Code>" in text


def test_an_oversized_body_is_refused(server: LiveServer) -> None:
    status, text = send(
        server, b"Action=CreateUser&Version=2010-05-08&UserName=big&Path=/" + b"a" * 1_100_000
    )
    assert 400 <= status < 500
    assert "<Code>" in text
    assert user_names(server) == []


def test_a_malformed_policy_leaves_nothing_behind(server: LiveServer) -> None:
    iam = server.client()
    iam.create_user(UserName="keep")
    status, text = send(
        server,
        b"Action=PutUserPolicy&Version=2010-05-08&UserName=keep&PolicyName=p&PolicyDocument=%7Bnot+json",
    )
    assert status == 400 and "<Code>MalformedPolicyDocument</Code>" in text
    assert iam.list_user_policies(UserName="keep")["PolicyNames"] == []


def test_committed_work_survives_kill_9(tmp_path: Path) -> None:
    process, server = start_server(tmp_path)
    try:
        server.client().create_user(UserName="durable")
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    process, server = start_server(tmp_path)
    try:
        assert user_names(server) == ["durable"]
    finally:
        stop_server(process)


def test_an_unsigned_sts_call_is_refused_as_unsigned(server: LiveServer) -> None:
    status, text = send(server, b"Action=GetCallerIdentity&Version=2011-06-15", sign=False)
    assert status == 403
    assert "<Code>MissingAuthenticationToken</Code>" in text
    assert 'xmlns="https://sts.amazonaws.com/doc/2011-06-15/"' in text
