"""The audit log: every request is recorded, and `localiam events` answers "why was I denied?"."""

from __future__ import annotations

import json
import selectors
import subprocess
import sys
import time

import botocore.exceptions
import pytest

from live_server import LiveServer


def events(server: LiveServer, *args: str) -> list[dict[str, object]]:
    run = subprocess.run(
        [sys.executable, "-m", "localiam.cli", "events", "--data-dir", str(server.data_dir), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return [json.loads(line) for line in run.stdout.splitlines()]


def test_a_denial_is_recorded_with_its_reason(server: LiveServer) -> None:
    iam = server.client()
    iam.create_user(UserName="auditee")
    key = iam.create_access_key(UserName="auditee")["AccessKey"]
    user = server.client(key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    with pytest.raises(botocore.exceptions.ClientError):
        user.list_roles()
    denied = [
        e
        for e in events(server, "--denied", "--principal", "arn:aws:iam::123456789012:user/auditee")
        if e["action"] == "iam:ListRoles"
    ]
    assert denied, "the denied ListRoles call is in the log"
    last = denied[-1]
    assert last["errorCode"] == "AccessDenied"
    assert last["decision"] == "implicitDeny"
    assert "because no identity-based policy allows the iam:ListRoles action" in str(last["reason"])
    assert last["sourceIp"] == "127.0.0.1"


def test_allowed_calls_are_recorded_too(server: LiveServer) -> None:
    server.client().create_user(UserName="logged")
    made = [e for e in events(server) if e["action"] == "iam:CreateUser"]
    assert made[-1]["decision"] == "allowed"
    assert made[-1]["resource"] == "arn:aws:iam::123456789012:user/logged"
    assert made[-1]["principal"] == "arn:aws:iam::123456789012:root"


def test_the_table_view(server: LiveServer) -> None:
    server.client().list_users()
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "localiam.cli",
            "events",
            "--table",
            "--data-dir",
            str(server.data_dir),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "iam:ListUsers" in run.stdout


def test_follow_prints_new_events_as_they_come(server: LiveServer) -> None:
    follower = subprocess.Popen(
        [sys.executable, "-m", "localiam.cli", "events", "--follow", "--principal",
         "arn:aws:iam::123456789012:root", "--data-dir", str(server.data_dir)],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        server.client().create_user(UserName="followed")
        assert follower.stdout is not None
        seen: list[dict[str, object]] = []
        deadline = time.monotonic() + 20
        with selectors.DefaultSelector() as selector:
            selector.register(follower.stdout, selectors.EVENT_READ)
            while time.monotonic() < deadline and not (
                seen and seen[-1]["action"] == "iam:CreateUser"
            ):
                if selector.select(timeout=1):
                    seen.append(json.loads(follower.stdout.readline()))
        assert seen, "the follower printed nothing within 20 s"
        assert seen[-1]["resource"] == "arn:aws:iam::123456789012:user/followed"
    finally:
        follower.terminate()
        follower.wait(timeout=10)


def test_a_data_plane_request_shows_the_action_resource_and_keys_it_was_mapped_to(
    server: LiveServer,
) -> None:
    s3 = server.client("s3")
    s3.create_bucket(Bucket="audited")
    s3.list_objects_v2(Bucket="audited", Prefix="logs/", Delimiter="/", MaxKeys=7)
    time.sleep(0.5)  # the audit writer batches
    listed = [e for e in events(server) if e["action"] == "s3:ListObjectsV2"]
    assert listed, "the ListObjectsV2 call is in the log"
    checks = listed[-1]["checks"]
    assert isinstance(checks, list) and len(checks) == 1
    check = checks[0]
    assert check["action"] == "s3:ListBucket"
    assert check["resource"] == "arn:aws:s3:::audited"
    assert check["resourceAccount"] == "123456789012"
    context = check["context"]
    assert context["s3:prefix"] == "logs/"
    assert context["s3:delimiter"] == "/"
    assert context["s3:max-keys"] == "7"
    table = subprocess.run(
        [sys.executable, "-m", "localiam.cli", "events", "--data-dir", str(server.data_dir),
         "--table"],
        capture_output=True, text=True, timeout=60, check=True,
    ).stdout  # fmt: skip
    assert "checked s3:ListBucket on arn:aws:s3:::audited [" in table
