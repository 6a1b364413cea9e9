"""`localiam serve --throttle` and `--throttle-config` against boto3: a burst is refused with
AWS's `Throttling` error when the client does not retry, and every botocore retry mode (legacy,
standard, adaptive) backs off and gets every call through."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from live_server import ROOT_KEY, ROOT_SECRET, LiveServer, start_server, stop_server

# 50 tokens a second and bursts of 2: a burst of 8 concurrent calls outruns the bucket, while a
# refused call's retry (botocore backs off up to 1 s at first, at random) almost always finds a
# token.
RATE, BURST, CALLS = 50, 2, 8


@pytest.fixture(scope="module")
def throttled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("localiam-throttled")
    process, server = start_server(data_dir, extra_args=["--throttle", f"{RATE}/{BURST}"])
    try:
        yield server
    finally:
        stop_server(process)


def iam(server: LiveServer, retries: dict[str, Any]) -> Any:
    session = boto3.session.Session(
        aws_access_key_id=ROOT_KEY, aws_secret_access_key=ROOT_SECRET, region_name="us-east-1"
    )
    config = Config(retries=retries, max_pool_connections=CALLS)
    return session.client("iam", endpoint_url=server.endpoint, config=config)


def burst(server: LiveServer, retries: dict[str, Any]) -> list[dict[str, Any] | ClientError]:
    """CALLS ListUsers calls at once from one client's threads (clients are thread-safe, and
    adaptive mode's rate limiter is the client's); what each call ended with."""
    client = iam(server, retries)
    time.sleep(2 * BURST / RATE)  # a full bucket to start from
    start = threading.Barrier(CALLS)
    results: list[dict[str, Any] | ClientError] = [{} for _ in range(CALLS)]

    def run(index: int) -> None:
        start.wait()
        try:
            results[index] = client.list_users()
        except ClientError as error:
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(CALLS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_without_retries_a_burst_is_throttled(throttled: LiveServer) -> None:
    results = burst(throttled, {"total_max_attempts": 1})  # the first attempt only
    errors = [r for r in results if isinstance(r, ClientError)]
    assert errors, "a burst of calls beyond the bucket must be refused"
    assert len(errors) < CALLS  # the bucket's burst goes through
    for error in errors:
        assert error.response["Error"] == {
            "Type": "Sender",
            "Code": "Throttling",
            "Message": "Rate exceeded",
        }
        assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        assert error.response["ResponseMetadata"]["RetryAttempts"] == 0


@pytest.mark.parametrize("mode", ["legacy", "standard", "adaptive"])
def test_every_retry_mode_backs_off_until_all_calls_succeed(
    throttled: LiveServer, mode: str
) -> None:
    results = burst(throttled, {"mode": mode})  # the mode's default number of attempts
    failures = [r for r in results if isinstance(r, ClientError)]
    assert not failures, [str(f) for f in failures]
    retried = [r["ResponseMetadata"]["RetryAttempts"] for r in results if isinstance(r, dict)]
    assert any(n > 0 for n in retried), "some calls must have been throttled and retried"


def test_throttled_calls_are_in_the_audit_log(throttled: LiveServer) -> None:
    burst(throttled, {"total_max_attempts": 1})
    deadline = time.monotonic() + 10
    events: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        run = subprocess.run(
            [sys.executable, "-m", "localiam.cli", "events", "--denied",
             "--data-dir", str(throttled.data_dir)],
            capture_output=True, text=True, timeout=60, check=True,
        )  # fmt: skip
        events = [json.loads(line) for line in run.stdout.splitlines()]
        if any(e.get("errorCode") == "Throttling" for e in events):
            break
        time.sleep(0.1)
    throttled_events = [e for e in events if e.get("errorCode") == "Throttling"]
    assert throttled_events
    assert {e["action"] for e in throttled_events} == {"iam:ListUsers"}


def test_a_settings_file_limits_the_operations_it_names(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    data_dir = tmp_path_factory.mktemp("localiam-throttle-file")
    limits = data_dir / "limits.json"
    limits.write_text(json.dumps({"operations": {"iam:CreateUser": {"rate": 0.01, "burst": 1}}}))
    process, server = start_server(data_dir, extra_args=["--throttle-config", str(limits)])
    try:
        client = iam(server, {"total_max_attempts": 1})
        client.create_user(UserName="first")
        with pytest.raises(ClientError) as caught:
            client.create_user(UserName="second")
        assert caught.value.response["Error"]["Code"] == "Throttling"
        for _ in range(20):  # other operations are not limited
            client.list_users()
        assert [u["UserName"] for u in client.list_users()["Users"]] == ["first"]
    finally:
        stop_server(process)


def test_bad_limits_stop_the_server_with_exit_status_2(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    data_dir = tmp_path_factory.mktemp("localiam-bad-throttle")
    run = subprocess.run(
        [sys.executable, "-m", "localiam.cli", "serve", "--data-dir", str(data_dir),
         "--throttle", "ten/20"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert run.returncode == 2
    assert "localiam serve: --throttle: `ten/20` is not RATE[/BURST]" in run.stderr
