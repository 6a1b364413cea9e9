"""server/_throttle.py: token buckets on an injected clock, the settings (`--throttle RATE[/BURST]`
and the JSON file) with their errors, and the hook in the dispatcher (a throttled call answers
AWS's `Throttling` error and is in the audit log)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from localiam.cli import main
from localiam.server import ServerConfig, build
from localiam.server._throttle import (
    Limit,
    Throttle,
    ThrottleConfig,
    ThrottleConfigError,
    TokenBucket,
    served_operations,
)
from localiam.store import select
from localiam.store.models import AuditEvent

# -- the bucket ------------------------------------------------------------------------------


def test_a_bucket_starts_full_and_refills_at_its_rate() -> None:
    bucket = TokenBucket.full(Limit(rate=2, burst=3), now=100.0)
    assert bucket.level(100.0) == 3
    for _ in range(3):
        bucket.take(100.0)
    assert bucket.level(100.0) == 0
    assert bucket.level(100.25) == pytest.approx(0.5)
    assert bucket.level(101.0) == pytest.approx(2)
    assert bucket.level(1000.0) == 3  # never above the burst


def test_a_clock_going_backwards_adds_no_tokens() -> None:
    bucket = TokenBucket.full(Limit(rate=10, burst=1), now=50.0)
    bucket.take(50.0)
    assert bucket.level(40.0) == 0
    bucket_after = bucket.level(50.1)
    assert bucket_after == pytest.approx(1.0)


def test_burst_then_refusals_then_refill() -> None:
    throttle = Throttle(ThrottleConfig(default=Limit(rate=5, burst=10)))
    admitted = [throttle.admit("111122223333", "iam:ListUsers", 0.0) for _ in range(12)]
    assert admitted == [True] * 10 + [False] * 2
    assert not throttle.admit("111122223333", "iam:ListUsers", 0.1)  # half a token
    assert throttle.admit("111122223333", "iam:ListUsers", 0.2)  # one token
    assert not throttle.admit("111122223333", "iam:ListUsers", 0.2)


def test_buckets_are_per_account_and_operation() -> None:
    throttle = Throttle(ThrottleConfig(default=Limit(rate=1, burst=1)))
    assert throttle.admit("111122223333", "iam:ListUsers", 0.0)
    assert not throttle.admit("111122223333", "iam:ListUsers", 0.0)
    assert throttle.admit("111122223333", "iam:GetUser", 0.0)
    assert throttle.admit("444455556666", "iam:ListUsers", 0.0)


def test_an_operation_limit_replaces_the_default() -> None:
    config = ThrottleConfig(
        default=Limit(100, 100),
        operations=MappingProxyType({"iam:CreateUser": Limit(rate=1, burst=2)}),
    )
    throttle = Throttle(config)
    assert [throttle.admit("111122223333", "iam:CreateUser", 0.0) for _ in range(3)] == [
        True,
        True,
        False,
    ]
    assert all(throttle.admit("111122223333", "iam:ListUsers", 0.0) for _ in range(100))


def test_only_named_operations_are_limited_without_a_default() -> None:
    config = ThrottleConfig(operations=MappingProxyType({"iam:CreateUser": Limit(1, 1)}))
    throttle = Throttle(config)
    assert all(throttle.admit("111122223333", "iam:ListUsers", 0.0) for _ in range(1000))
    assert throttle.admit("111122223333", "iam:CreateUser", 0.0)
    assert not throttle.admit("111122223333", "iam:CreateUser", 0.0)


def test_the_account_bucket_counts_every_operation_together() -> None:
    throttle = Throttle(ThrottleConfig(account=Limit(rate=1, burst=3)))
    ops = ["iam:ListUsers", "iam:GetUser", "sts:GetCallerIdentity", "iam:ListRoles"]
    assert [throttle.admit("111122223333", op, 0.0) for op in ops] == [True, True, True, False]
    assert throttle.admit("444455556666", "iam:ListRoles", 0.0)


def test_a_refused_call_takes_no_token_from_any_bucket() -> None:
    config = ThrottleConfig(default=Limit(rate=1, burst=1), account=Limit(rate=1, burst=2))
    throttle = Throttle(config)
    assert throttle.admit("111122223333", "iam:ListUsers", 0.0)
    # The ListUsers bucket is empty: refused, and the account bucket keeps its token...
    assert not throttle.admit("111122223333", "iam:ListUsers", 0.0)
    # ...for another operation.
    assert throttle.admit("111122223333", "iam:GetUser", 0.0)
    assert not throttle.admit("111122223333", "iam:ListRoles", 0.0)


def test_check_raises_aws_throttling_error() -> None:
    throttle = Throttle(ThrottleConfig(default=Limit(1, 1)))
    throttle.check("111122223333", "iam:ListUsers", 0.0)
    with pytest.raises(Exception) as caught:
        throttle.check("111122223333", "iam:ListUsers", 0.0)
    error: Any = caught.value
    assert (error.code, error.message, error.status) == ("Throttling", "Rate exceeded", 400)


# -- the settings ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rate", "burst"),
    [("5/10", 5.0, 10), ("5", 5.0, 5), ("0.5", 0.5, 1), ("2.5/1", 2.5, 1), (" 3/4 ", 3.0, 4)],
)
def test_option_values(text: str, rate: float, burst: int) -> None:
    assert ThrottleConfig.from_option(text) == ThrottleConfig(default=Limit(rate, burst))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abc", "rate `abc` is not a number"),
        ("0", "rate `0` must be a number above 0"),
        ("-2/3", "rate `-2` must be a number above 0"),
        ("nan", "must be a number above 0"),
        ("inf", "must be a number above 0"),
        ("5/0", "burst `0` must be a whole number of at least 1"),
        ("5/x", "burst `x` is not a whole number"),
        ("5/2.5", "burst `2.5` is not a whole number"),
        ("", "is not a number"),
    ],
)
def test_bad_option_values(text: str, message: str) -> None:
    with pytest.raises(ThrottleConfigError) as caught:
        ThrottleConfig.from_option(text)
    assert message in str(caught.value)


def test_the_settings_file() -> None:
    raw = {
        "default": {"rate": 100, "burst": 200},
        "operations": {"iam:CreateUser": {"rate": 2, "burst": 2}, "sts:AssumeRole": {"rate": 3}},
        "account": {"rate": 50.5, "burst": 60},
    }
    config = ThrottleConfig.from_json(raw, served_operations())
    assert config.default == Limit(100, 200)
    assert dict(config.operations) == {
        "iam:CreateUser": Limit(2, 2),
        "sts:AssumeRole": Limit(3, 3),
    }
    assert config.account == Limit(50.5, 60)
    assert config.enabled
    assert not ThrottleConfig.from_json({}).enabled


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ([], "expected a JSON object"),
        ({"defaults": {}}, "unknown key `defaults`"),
        ({"default": 5}, 'default: expected {"rate": NUMBER'),
        ({"default": {"burst": 5}}, 'default: expected {"rate": NUMBER'),
        ({"default": {"rate": 1, "burts": 5}}, 'default: expected {"rate": NUMBER'),
        ({"default": {"rate": "5"}}, 'default.rate: `"5"` is not a number'),
        ({"default": {"rate": True}}, "default.rate: `true` is not a number"),
        ({"default": {"rate": 0}}, "default: rate `0` must be a number above 0"),
        ({"account": {"rate": 1, "burst": 1.5}}, "account.burst: `1.5` is not a whole number"),
        ({"account": {"rate": 1, "burst": 0}}, "account: burst `0` must be"),
        ({"operations": []}, "operations: expected"),
        ({"operations": {"CreateUser": {"rate": 1}}}, "`CreateUser` is not service:Operation"),
        ({"operations": {"iam:CreateUsr": {"rate": 1}}}, "`iam:CreateUsr` is not an operation"),
        (
            {"operations": {"iam:CreateUser": {"rate": -1}}},
            "operations.iam:CreateUser: rate `-1` must be",
        ),
    ],
)
def test_bad_settings_files(raw: Any, message: str) -> None:
    with pytest.raises(ThrottleConfigError) as caught:
        ThrottleConfig.from_json(raw, served_operations())
    assert message in str(caught.value)


def test_served_operations_are_those_of_the_botocore_models() -> None:
    served = served_operations()
    assert {"iam:CreateUser", "sts:AssumeRole", "sts:GetCallerIdentity"} <= served
    assert "s3:GetObject" not in served


def test_loading_a_file(tmp_path: Path) -> None:
    path = tmp_path / "limits.json"
    path.write_text(json.dumps({"operations": {"iam:CreateUser": {"rate": 2, "burst": 2}}}))
    assert ThrottleConfig.load(path).operations["iam:CreateUser"] == Limit(2, 2)
    path.write_text("{not json")
    with pytest.raises(ThrottleConfigError, match=r"limits\.json: not valid JSON"):
        ThrottleConfig.load(path)
    with pytest.raises(ThrottleConfigError, match=r"missing\.json: cannot read"):
        ThrottleConfig.load(tmp_path / "missing.json")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--throttle", "fast"], "localiam serve: --throttle: `fast` is not RATE[/BURST]"),
        (["--throttle", "5/0"], "localiam serve: --throttle: burst `0`"),
        (["--throttle-config", "{missing}"], "localiam serve: --throttle-config: "),
    ],
)
def test_the_cli_refuses_bad_limits_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    args = [a.replace("{missing}", str(tmp_path / "none.json")) for a in args]
    assert main(["serve", "--data-dir", str(tmp_path / "data"), *args]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "data").exists()  # refused before anything was created


# -- in the server ---------------------------------------------------------------------------

ROOT_KEY = "AKIAUNITTHROTTLEROOT"
ROOT_SECRET = "unit/throttle/secret/unit/throttle/secret"


class Clock:
    """The server's clock, moved by the test."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class Client:
    """The app in process, over httpx's ASGI transport."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def post(self, body: bytes, headers: dict[str, str]) -> httpx.Response:
        async def send() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
                return await c.post("/", content=body, headers=headers)

        return asyncio.run(send())


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[Client, Clock, Any]]:
    clock = Clock()
    config = ServerConfig(
        data_dir=tmp_path,
        root_access_key_id=ROOT_KEY,
        root_secret_access_key=ROOT_SECRET,
        throttle=ThrottleConfig.from_option("2/2"),
    )
    built = build(config, clock=clock)
    try:
        yield Client(built.app), clock, built
    finally:
        built.close()


def call(client: Client, action: str, key: str = ROOT_KEY, secret: str = ROOT_SECRET) -> Any:
    body = urlencode({"Action": action, "Version": "2010-05-08"}).encode()
    request = AWSRequest(
        "POST",
        "http://testserver/",
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    SigV4Auth(Credentials(key, secret), "iam", "us-east-1").add_auth(request)
    return client.post(body, dict(request.headers.items()))


def test_the_dispatcher_throttles_after_authentication(
    server: tuple[Client, Clock, Any],
) -> None:
    client, clock, built = server
    statuses = [call(client, "ListUsers").status_code for _ in range(3)]
    assert statuses == [200, 200, 400]
    refused = call(client, "ListUsers")
    assert refused.status_code == 400
    assert "<Code>Throttling</Code>" in refused.text
    assert "<Message>Rate exceeded</Message>" in refused.text
    assert "<Type>Sender</Type>" in refused.text
    assert call(client, "ListRoles").status_code == 200  # its own bucket
    clock.advance(0.5)  # one token back
    assert call(client, "ListUsers").status_code == 200
    assert call(client, "ListUsers").status_code == 400
    # A caller the server does not know is refused as such, not throttled.
    answer = call(client, "ListUsers", key="AKIANOBODY0000000000", secret="x")
    assert "InvalidClientTokenId" in answer.text

    built.audit.flush()
    with built.db.read() as session:
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        throttled = [(e.action, e.account_id, e.error_code) for e in events if e.error_code]
    assert throttled == [
        ("iam:ListUsers", "123456789012", "Throttling"),
        ("iam:ListUsers", "123456789012", "Throttling"),
        ("iam:ListUsers", "123456789012", "Throttling"),
        ("iam:ListUsers", None, "InvalidClientTokenId"),
    ]


def test_without_settings_nothing_is_throttled(tmp_path: Path) -> None:
    config = ServerConfig(
        data_dir=tmp_path, root_access_key_id=ROOT_KEY, root_secret_access_key=ROOT_SECRET
    )
    built = build(config)
    try:
        client = Client(built.app)
        assert {call(client, "ListUsers").status_code for _ in range(30)} == {200}
    finally:
        built.close()


def test_refill_fills_every_bucket_again() -> None:
    throttle = Throttle(ThrottleConfig.from_option("1/1"))
    assert throttle.admit("111122223333", "iam:ListUsers", 100.0)
    assert not throttle.admit("111122223333", "iam:ListUsers", 100.0)
    throttle.refill()
    assert throttle.admit("111122223333", "iam:ListUsers", 100.0)
