"""Load on a live server: requests/s and p50/p99 latency for GetUser, ListUsers (first page, with
10,000 users present), CreateUser, and (localiam only) STS GetCallerIdentity and AssumeRole, from
several client processes sending signed requests; then the same load against moto's server for
scale (when moto is installed).

Prints figures; asserts nothing. Bounded: each run lasts a few seconds and stops by itself.
Requests are signed by botocore ahead of time (SigV4 signatures stay valid for 15 minutes), so
the clients spend their CPU on sending, not signing.
"""

from __future__ import annotations

import http.client
import multiprocessing as mp
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from live_server import ROOT_KEY, ROOT_SECRET, start_server, stop_server

CLIENTS = 3
SECONDS = 4.0
POPULATION = int(os.environ.get("LOCALIAM_BENCH_USERS", "10000"))


ROOT = Credentials(ROOT_KEY, ROOT_SECRET)


def signed(
    endpoint: str, body: str, service: str = "iam", creds: Credentials = ROOT
) -> tuple[str, dict[str, str]]:
    request = AWSRequest(
        method="POST",
        url=endpoint + "/",
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    SigV4Auth(creds, service, "us-east-1").add_auth(request)
    return body, dict(request.headers.items())


def client(
    endpoint: str, requests: list[tuple[str, dict[str, str]]], seconds: float, out: Any
) -> None:
    host, port = endpoint.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    i = 0
    while time.perf_counter() < deadline:
        body, headers = requests[i % len(requests)]
        i += 1
        start = time.perf_counter()
        conn.request("POST", "/", body=body.encode(), headers=headers)
        answer = conn.getresponse()
        answer.read()
        latencies.append(time.perf_counter() - start)
        if answer.status != 200:
            errors += 1
    out.put((latencies, errors))


def load(
    label: str,
    endpoint: str,
    bodies: list[str],
    *,
    unique: bool = False,
    service: str = "iam",
    creds: Credentials = ROOT,
) -> None:
    """Each client sends `bodies` round-robin; with `unique`, each client gets its own copy
    with `{c}` replaced by its number (so created names never collide). Requests are signed
    for `service` with `creds`."""
    if unique:
        per_client = [[b.replace("{c}", str(c)) for b in bodies] for c in range(CLIENTS)]
        load_each(label, endpoint, per_client, service=service, creds=creds)
    else:
        load_each(label, endpoint, [bodies] * CLIENTS, service=service, creds=creds)


def load_each(
    label: str,
    endpoint: str,
    bodies_per_client: list[list[str]],
    *,
    service: str = "iam",
    creds: Credentials = ROOT,
) -> None:
    """Client c sends `bodies_per_client[c]` round-robin."""
    per_client = [
        [signed(endpoint, b, service, creds) for b in bodies] for bodies in bodies_per_client
    ]
    queue: Any = mp.Queue()
    procs = [
        mp.Process(target=client, args=(endpoint, per_client[c], SECONDS, queue))
        for c in range(CLIENTS)
    ]
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    latencies = sorted(x for r, _ in results for x in r)
    errors = sum(e for _, e in results)
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
    print(
        f"  {label:<34} {len(latencies) / SECONDS:8,.0f} req/s  p50 {p50:6.1f} ms  "
        f"p99 {p99:6.1f} ms  ({errors} non-200)"
    )


def populate(endpoint: str, count: int) -> None:
    """Create users quickly over one keep-alive connection."""
    host, port = endpoint.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    for i in range(count):
        body, headers = signed(
            endpoint, f"Action=CreateUser&Version=2010-05-08&UserName=pop{i:05d}"
        )
        conn.request("POST", "/", body=body.encode(), headers=headers)
        conn.getresponse().read()


def sts_scenario(endpoint: str) -> None:
    """GetCallerIdentity (root key) and AssumeRole (a user allowed to assume a role)."""
    load(
        "STS GetCallerIdentity",
        endpoint,
        ["Action=GetCallerIdentity&Version=2011-06-15"],
        service="sts",
    )
    iam = boto3.client(
        "iam",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=ROOT_KEY,
        aws_secret_access_key=ROOT_SECRET,
    )
    account = "123456789012"
    trust = (
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
        f'"Principal":{{"AWS":"arn:aws:iam::{account}:root"}},"Action":"sts:AssumeRole"}}]}}'
    )
    role_arn = iam.create_role(RoleName="bench-role", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    iam.create_user(UserName="bench-assumer")
    iam.put_user_policy(
        UserName="bench-assumer",
        PolicyName="assume",
        PolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
        f'"Action":"sts:AssumeRole","Resource":"{role_arn}"}}]}}',
    )
    key = iam.create_access_key(UserName="bench-assumer")["AccessKey"]
    assumer = Credentials(key["AccessKeyId"], key["SecretAccessKey"])
    load(
        "STS AssumeRole",
        endpoint,
        [
            f"Action=AssumeRole&Version=2011-06-15&RoleArn={role_arn}"
            f"&RoleSessionName=bench{{c}}x{i}"
            for i in range(1_000)
        ],
        unique=True,
        service="sts",
        creds=assumer,
    )


def scenario(name: str, endpoint: str, *, population: int, sts: bool = False) -> None:
    print(f"{name} ({CLIENTS} client processes, {SECONDS:.0f} s each):")
    populate(endpoint, 100)
    load(
        "GetUser",
        endpoint,
        [f"Action=GetUser&Version=2010-05-08&UserName=pop{i:05d}" for i in range(100)],
    )
    load("ListUsers (first page, 100 users)", endpoint, ["Action=ListUsers&Version=2010-05-08"])
    start = time.perf_counter()
    populate_from = 100
    bodies = [
        f"Action=CreateUser&Version=2010-05-08&UserName=pop{i:05d}"
        for i in range(populate_from, population)
    ]
    host, port = endpoint.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    for body in bodies:
        b, headers = signed(endpoint, body)
        conn.request("POST", "/", body=b.encode(), headers=headers)
        conn.getresponse().read()
    took = time.perf_counter() - start
    print(
        f"  (created {population - populate_from:,} more users in {took:.1f} s over one connection)"
    )
    load(
        f"ListUsers (first page, {population:,} users)",
        endpoint,
        ["Action=ListUsers&Version=2010-05-08"],
    )
    # Each client reads its own third of the users once in turn: most reads miss the memo.
    third = max(1, population // CLIENTS)
    cold = [
        [
            f"Action=GetUser&Version=2010-05-08&UserName=pop{(c * third + i):05d}"
            for i in range(third)
        ]
        for c in range(CLIENTS)
    ]
    load_each(f"GetUser, {population:,} distinct users (cold)", endpoint, cold)
    load(
        "CreateUser",
        endpoint,
        [f"Action=CreateUser&Version=2010-05-08&UserName=new{{c}}x{i}" for i in range(3_000)],
        unique=True,
    )
    if sts:
        sts_scenario(endpoint)


def moto_endpoint() -> tuple[subprocess.Popen[bytes], str] | None:
    python = shutil.which("python3")
    probe = subprocess.run(
        [python or "python3", "-c", "import moto.server, flask"], capture_output=True, check=False
    )
    if probe.returncode != 0:
        return None
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [python or "python3", "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.1)
    proc.kill()
    return None


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        process, server = start_server(Path(tmp))
        try:
            scenario("localiam", server.endpoint, population=POPULATION, sts=True)
        finally:
            stop_server(process)
    moto = moto_endpoint()
    if moto is None:
        print("moto_server: not installed here; skipped")
        return
    proc, endpoint = moto
    try:
        scenario("moto_server (no authorization)", endpoint, population=2_000)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    main()
