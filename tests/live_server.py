"""A live `localiam serve` on a free loopback port, driven by boto3 and the AWS CLI (the
test side: the server handle and the CLI runner; fixtures live in tests/e2e/conftest.py)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

ROOT_KEY = "AKIAE2ETESTROOTKEY00"
ROOT_SECRET = "e2e/root/secret/e2e/root/secret/e2e/root"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class LiveServer:
    endpoint: str
    data_dir: Path
    account_id: str

    def client(self, service: str = "iam", key: str = ROOT_KEY, secret: str = ROOT_SECRET) -> Any:
        return boto3.session.Session(
            aws_access_key_id=key, aws_secret_access_key=secret, region_name="us-east-1"
        ).client(service, endpoint_url=self.endpoint)

    def reset(self) -> None:
        request = urllib.request.Request(f"{self.endpoint}/_localiam/reset", method="POST")
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert json.loads(answer.read())["reset"] is True

    def cli(
        self, *args: str, key: str = ROOT_KEY, secret: str = ROOT_SECRET, token: str | None = None
    ) -> Any:
        """Run the AWS CLI (the `awscli` package) against the server; JSON output parsed.
        `token` is the session token of temporary credentials (AWS_SESSION_TOKEN)."""
        env = {
            **os.environ,
            "AWS_ACCESS_KEY_ID": key,
            "AWS_SECRET_ACCESS_KEY": secret,
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_CONFIG_FILE": "/dev/null",
            "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        }
        env.pop("AWS_PROFILE", None)
        env.pop("AWS_SESSION_TOKEN", None)
        if token is not None:
            env["AWS_SESSION_TOKEN"] = token
        run = subprocess.run(
            [sys.executable, "-m", "awscli", *args, "--output", "json"],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
        return CliResult(run.returncode, run.stdout, run.stderr)


@dataclass(frozen=True)
class CliResult:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout) if self.stdout.strip() else {}


def start_server(
    data_dir: Path,
    extra_env: dict[str, str] | None = None,
    extra_args: list[str] | None = None,
) -> tuple[subprocess.Popen[str], LiveServer]:
    """`localiam serve` on a free port; `extra_args` are more `serve` flags (`--throttle 5/10`)."""
    port = _free_port()
    env = {
        **os.environ,
        "LOCALIAM_ROOT_ACCESS_KEY_ID": ROOT_KEY,
        "LOCALIAM_ROOT_SECRET_ACCESS_KEY": ROOT_SECRET,
        **(extra_env or {}),
    }
    # The server's output goes to a file, not a pipe: a pipe nobody reads fills up and stops
    # the server in the middle of a log line.
    with (data_dir / "server.log").open("a", encoding="utf-8") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "localiam.cli", "serve", "--port", str(port),
             "--data-dir", str(data_dir), *(extra_args or [])],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process, LiveServer(f"http://127.0.0.1:{port}", data_dir, "123456789012")
        except OSError:
            if process.poll() is not None:
                output = (data_dir / "server.log").read_text(encoding="utf-8")
                raise RuntimeError(f"localiam serve exited: {output}") from None
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("localiam serve did not start in 30 s")


def stop_server(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
