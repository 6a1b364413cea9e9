"""What the gateway adds to a data-plane request: S3 GetObject of a small object through
localiam (SigV4 verified, mapped, authorized with the caller's policies and the bucket policy,
then served by moto in process) versus the same request straight to moto's own server.

One client, sequential requests on a kept-alive connection, signed once ahead of time (SigV4
signatures stay valid for 15 minutes), so the figures are server latency. Prints p50/p90/p99 and
the p50 difference; asserts nothing. Bounded: a few thousand requests each.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from live_server import ROOT_KEY, ROOT_SECRET, _free_port, start_server, stop_server
from localiam.gateway import GatewayRequest

REQUESTS = int(os.environ.get("LOCALIAM_BENCH_REQUESTS", "3000"))
BUCKET, KEY = "bench", "small.txt"


def _signed_get(endpoint: str, creds: Credentials) -> dict[str, str]:
    request = AWSRequest(method="GET", url=f"{endpoint}/{BUCKET}/{KEY}")
    request.headers["x-amz-content-sha256"] = "UNSIGNED-PAYLOAD"
    S3SigV4Auth(creds, "s3", "us-east-1").add_auth(request)
    return dict(request.headers.items())


def _latencies(endpoint: str, headers: dict[str, str]) -> list[float]:
    host, port = endpoint.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    out: list[float] = []
    for i in range(REQUESTS + 200):
        start = time.perf_counter()
        conn.request("GET", f"/{BUCKET}/{KEY}", headers=headers)
        answer = conn.getresponse()
        body = answer.read()
        elapsed = time.perf_counter() - start
        if answer.status != 200 or body != b"hello":
            raise RuntimeError(f"{endpoint}: {answer.status} {body[:200]!r}")
        if i >= 200:  # warm-up
            out.append(elapsed * 1000)
    conn.close()
    return out


def _report(name: str, samples: list[float]) -> float:
    cuts = statistics.quantiles(samples, n=100)
    p50 = statistics.median(samples)
    print(f"{name:<34} p50 {p50:6.3f} ms   p90 {cuts[89]:6.3f} ms   p99 {cuts[98]:6.3f} ms")
    return p50


def _setup(client: object) -> None:
    client.create_bucket(Bucket=BUCKET)  # type: ignore[attr-defined]
    client.put_object(Bucket=BUCKET, Key=KEY, Body=b"hello")  # type: ignore[attr-defined]


def _in_process() -> tuple[list[float], list[float]]:
    """The same GetObject handled in process: the whole dispatcher (SigV4, mapping, policies,
    moto) versus moto's application alone, without HTTP on either side."""
    from localiam.auth import HttpRequestView
    from localiam.server import ServerConfig
    from localiam.server._run import build

    with tempfile.TemporaryDirectory() as tmp:
        config = ServerConfig(
            data_dir=Path(tmp), root_access_key_id=ROOT_KEY, root_secret_access_key=ROOT_SECRET
        )
        built = build(config)
        dispatcher = built.app.dispatcher
        endpoint = "http://127.0.0.1:4599"

        def call(method: str, path: str, body: bytes = b"") -> None:
            request = AWSRequest(method=method, url=endpoint + path, data=body)
            request.headers["x-amz-content-sha256"] = "UNSIGNED-PAYLOAD"
            S3SigV4Auth(Credentials(ROOT_KEY, ROOT_SECRET), "s3", "us-east-1").add_auth(request)
            headers = [(k.lower(), v) for k, v in request.headers.items()]
            headers.append(("host", "127.0.0.1:4599"))
            answer = dispatcher.handle(
                HttpRequestView(method, path, "", headers, body), "127.0.0.1", False
            )
            assert answer.status == 200, answer.body

        call("PUT", f"/{BUCKET}")
        call("PUT", f"/{BUCKET}/{KEY}", b"hello")
        headers = [
            (k.lower(), v)
            for k, v in _signed_get(endpoint, Credentials(ROOT_KEY, ROOT_SECRET)).items()
        ]
        headers.append(("host", "127.0.0.1:4599"))
        view = HttpRequestView("GET", f"/{BUCKET}/{KEY}", "", headers, b"")
        whole: list[float] = []
        for i in range(REQUESTS + 200):
            start = time.perf_counter()
            answer = dispatcher.handle(view, "127.0.0.1", False)
            elapsed = time.perf_counter() - start
            assert answer.status == 200 and answer.body == b"hello", answer.body
            if i >= 200:
                whole.append(elapsed * 1000)
        assert dispatcher.data_plane is not None
        mapped = dispatcher.data_plane.adapters["s3"].map(
            GatewayRequest(view, "s3", "us-east-1", built.root.account_id, "bench")
        )
        backend_only: list[float] = []
        for i in range(REQUESTS + 200):
            start = time.perf_counter()
            status, _, body = dispatcher.data_plane.backend.call(
                mapped.forward, built.root.account_id
            )
            elapsed = time.perf_counter() - start
            assert status == 200 and body == b"hello"
            if i >= 200:
                backend_only.append(elapsed * 1000)
        built.close()
        return whole, backend_only


def main() -> None:
    import boto3

    with tempfile.TemporaryDirectory() as tmp:
        process, server = start_server(Path(tmp))
        try:
            root = server.client("s3")
            _setup(root)
            iam = server.client("iam")
            iam.create_user(UserName="reader")
            policy = {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "s3:GetObject",
                        "Resource": f"arn:aws:s3:::{BUCKET}/*",
                    }
                ],
            }
            iam.put_user_policy(
                UserName="reader", PolicyName="read", PolicyDocument=json.dumps(policy)
            )
            key = iam.create_access_key(UserName="reader")["AccessKey"]
            root.put_bucket_policy(
                Bucket=BUCKET,
                Policy=json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Deny",
                                "Principal": "*",
                                "Action": "s3:DeleteBucket",
                                "Resource": f"arn:aws:s3:::{BUCKET}",
                            }
                        ],
                    }
                ),
            )
            creds = Credentials(key["AccessKeyId"], key["SecretAccessKey"])
            through = _latencies(server.endpoint, _signed_get(server.endpoint, creds))
        finally:
            stop_server(process)

    port = _free_port()
    moto = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        endpoint = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("moto server did not start") from None
                time.sleep(0.1)
        direct = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id=ROOT_KEY,
            aws_secret_access_key=ROOT_SECRET,
        )
        _setup(direct)
        straight = _latencies(endpoint, _signed_get(endpoint, Credentials(ROOT_KEY, ROOT_SECRET)))
    finally:
        moto.terminate()
        moto.wait(timeout=10)

    print(f"S3 GetObject of a 5-byte object, {REQUESTS} sequential requests each")
    a = _report("through localiam (authorized)", through)
    b = _report("straight to moto's server", straight)
    print(f"added at p50 over HTTP: {a - b:+.3f} ms (target: at most 1 ms)")
    whole, backend_only = _in_process()
    print("in process, no HTTP (the gateway's own cost):")
    c = _report("  dispatcher: SigV4 + authz + moto", whole)
    d = _report("  moto's application alone", backend_only)
    print(f"added at p50 in process: {c - d:+.3f} ms")


if __name__ == "__main__":
    main()
