"""`localiam serve --database-url postgresql+psycopg://...`: the same service on PostgreSQL.

Runs when LOCALIAM_TEST_POSTGRES_URL names a throwaway database (`make test-postgres` starts
one from Debian's package)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from live_server import ROOT_KEY, ROOT_SECRET, LiveServer, _free_port, stop_server

URL = os.environ.get("LOCALIAM_TEST_POSTGRES_URL")
pytestmark = pytest.mark.skipif(
    URL is None, reason="set LOCALIAM_TEST_POSTGRES_URL (make test-postgres)"
)


def test_users_and_keys_on_postgres(tmp_path: Path) -> None:
    assert URL is not None
    port = _free_port()
    env = {
        **os.environ,
        "LOCALIAM_ROOT_ACCESS_KEY_ID": ROOT_KEY,
        "LOCALIAM_ROOT_SECRET_ACCESS_KEY": ROOT_SECRET,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "localiam.cli", "serve", "--port", str(port), "--data-dir", str(tmp_path),
         "--database-url", URL],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    server = LiveServer(f"http://127.0.0.1:{port}", tmp_path, "123456789012")
    try:
        for _ in range(100):
            try:
                server.reset()
                break
            except OSError:
                time.sleep(0.2)
        iam = server.client()
        iam.create_user(UserName="pg-user")
        key = iam.create_access_key(UserName="pg-user")["AccessKey"]
        assert [u["UserName"] for u in iam.list_users()["Users"]] == ["pg-user"]
        user = server.client(key=key["AccessKeyId"], secret=key["SecretAccessKey"])
        with pytest.raises(Exception, match="AccessDenied"):
            user.list_users()
    finally:
        stop_server(process)
