"""`localiam configure` and `localiam env` against a live server: the AWS CLI and boto3 find the
server through each of the SDKs' default routes (a named profile in the shared files, the
environment variables) and call it as the account's root."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

from live_server import ROOT_KEY, ROOT_SECRET, LiveServer

ROOT_ARN = "arn:aws:iam::123456789012:root"

OTHER_CONFIG = """\
# my own settings: keep them
[default]
region = eu-west-1
output = table

[profile work]
region = eu-central-1
s3 =
    max_concurrent_requests = 20
"""
OTHER_CREDENTIALS = """\
[work]
aws_access_key_id = AKIAWORKWORKWORKWORK
aws_secret_access_key = work-secret
"""


def clean_env(tmp_path: Path, **more: str) -> dict[str, str]:
    """The environment of a shell with no AWS settings but the shared files under `tmp_path`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["AWS_CONFIG_FILE"] = str(tmp_path / "aws" / "config")
    env["AWS_SHARED_CREDENTIALS_FILE"] = str(tmp_path / "aws" / "credentials")
    env.update(more)
    return env


def localiam(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "localiam.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def aws(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "awscli", *args, "--output", "json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


@pytest.fixture
def shared_files(tmp_path: Path) -> tuple[Path, Path]:
    folder = tmp_path / "aws"
    folder.mkdir()
    (folder / "config").write_text(OTHER_CONFIG)
    (folder / "credentials").write_text(OTHER_CREDENTIALS)
    return folder / "config", folder / "credentials"


def test_configure_writes_a_profile_the_cli_and_boto3_use(
    server: LiveServer,
    tmp_path: Path,
    shared_files: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config, credentials = shared_files
    credentials.chmod(0o640)
    env = clean_env(tmp_path)
    run = localiam(
        "configure", "--endpoint-url", server.endpoint, "--data-dir", str(server.data_dir), env=env
    )
    assert run.returncode == 0, run.stderr
    assert "aws --profile localiam sts get-caller-identity" in run.stdout

    # Every other profile, comment and nested block is kept as it was.
    assert config.read_text() == (
        OTHER_CONFIG
        + f"\n[profile localiam]\nregion = us-east-1\nendpoint_url = {server.endpoint}\n"
    )
    assert credentials.read_text() == (
        OTHER_CREDENTIALS
        + f"\n[localiam]\naws_access_key_id = {ROOT_KEY}\naws_secret_access_key = {ROOT_SECRET}\n"
    )
    assert credentials.stat().st_mode & 0o777 == 0o640  # an existing file keeps its mode

    # The AWS CLI, with nothing but the profile.
    called = aws("--profile", "localiam", "sts", "get-caller-identity", env=env)
    assert called.returncode == 0, called.stderr
    assert '"Arn": "' + ROOT_ARN + '"' in called.stdout
    called = aws("--profile", "localiam", "iam", "create-user", "--user-name", "alice", env=env)
    assert called.returncode == 0, called.stderr

    # boto3, with nothing but the profile name (the session reads the files named in the
    # environment when it is created).
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    session = boto3.session.Session(profile_name="localiam")
    assert session.client("sts").get_caller_identity()["Arn"] == ROOT_ARN
    users = session.client("iam").list_users()["Users"]
    assert [u["UserName"] for u in users] == ["alice"]
    # The other profile still reads as before.
    work = boto3.session.Session(profile_name="work")
    assert work.region_name == "eu-central-1"
    assert work.get_credentials().access_key == "AKIAWORKWORKWORKWORK"


def test_configure_again_updates_the_profile_in_place(
    server: LiveServer, tmp_path: Path, shared_files: tuple[Path, Path]
) -> None:
    config, credentials = shared_files
    env = clean_env(tmp_path)
    base = ["configure", "--data-dir", str(server.data_dir)]
    assert localiam(*base, "--endpoint-url", "http://127.0.0.1:1", env=env).returncode == 0
    assert localiam(*base, "--endpoint-url", server.endpoint, env=env).returncode == 0
    text = config.read_text()
    assert text.count("[profile localiam]") == 1
    assert "127.0.0.1:1\n" not in text
    assert credentials.read_text().count("[localiam]") == 1
    called = aws("--profile", "localiam", "sts", "get-caller-identity", env=env)
    assert called.returncode == 0, called.stderr


def test_configure_the_default_profile(
    server: LiveServer, tmp_path: Path, shared_files: tuple[Path, Path]
) -> None:
    config, _ = shared_files
    env = clean_env(tmp_path)
    run = localiam(
        "configure", "--profile", "default", "--endpoint-url", server.endpoint,
        "--data-dir", str(server.data_dir), env=env,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    text = config.read_text()
    assert "output = table" in text  # the default profile's other settings stay
    assert "region = eu-west-1" not in text
    called = aws("sts", "get-caller-identity", env=env)
    assert called.returncode == 0, called.stderr
    assert ROOT_ARN in called.stdout


def test_env_lines_work_for_boto3_and_the_cli(server: LiveServer, tmp_path: Path) -> None:
    env = clean_env(tmp_path)  # the shared files do not exist: environment only
    printed = localiam(
        "env", "--endpoint-url", server.endpoint, "--data-dir", str(server.data_dir), env=env
    )
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.splitlines()[:4] == [
        f"export AWS_ENDPOINT_URL={server.endpoint}",
        f"export AWS_ACCESS_KEY_ID={ROOT_KEY}",
        f"export AWS_SECRET_ACCESS_KEY={ROOT_SECRET}",
        "export AWS_DEFAULT_REGION=us-east-1",
    ]
    # A session token left from other credentials must not go along with the root key.
    env["AWS_SESSION_TOKEN"] = "stale"
    boto = (
        "import boto3; "
        "print(boto3.client('sts').get_caller_identity()['Arn']); "
        "print(boto3.session.Session().get_credentials().method)"
    )
    script = f'eval "$(cat {tmp_path / "env.sh"})"\n'
    (tmp_path / "env.sh").write_text(printed.stdout)
    run = subprocess.run(
        ["bash", "-c", script + f"{sys.executable} -c {shlex.quote(boto)}"],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [ROOT_ARN, "env"]  # the environment credentials provider
    run = subprocess.run(
        ["bash", "-c", script + f"{sys.executable} -m awscli sts get-caller-identity"],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert ROOT_ARN in run.stdout


def test_without_a_server_data_dir_the_commands_say_so(tmp_path: Path) -> None:
    env = clean_env(tmp_path)
    for command in ("configure", "env"):
        run = localiam(command, "--data-dir", str(tmp_path / "nowhere"), env=env)
        assert run.returncode == 2
        assert f"localiam {command}: no root-credentials.csv in" in run.stderr
    assert not (tmp_path / "aws").exists()
