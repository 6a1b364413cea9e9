"""The metadata service on its own: IMDSv2 tokens, IMDSv1 when allowed, the paths EC2 serves,
and role credentials that are real role sessions, rotated before they expire
(https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-service.html)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from localiam.imds import Imds, RoleSessions
from localiam.imds._instances import InstanceFacts
from localiam.policy import parse_policy
from localiam.store import Database, IdGenerator, Secrets
from localiam.store.models import Account, InstanceProfile, InstanceProfileRole, Role, StsSession

ACCOUNT = "123456789012"
START = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
TRUST_EC2 = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "ec2.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)
FACTS = InstanceFacts(
    instance_id="i-0123456789abcdef0",
    account_id=ACCOUNT,
    region="eu-west-1",
    image_id="ami-12c6146b",
    instance_type="t3.micro",
    private_ip="10.0.0.12",
    hostname="ip-10-0-0-12.eu-west-1.compute.internal",
    mac="0e:49:61:0f:c3:11",
    availability_zone="eu-west-1a",
    launch_time=START,
    reservation_id="r-0123456789abcdef0",
    architecture="x86_64",
    http_tokens="optional",
    http_endpoint="enabled",
    metadata_tags=True,
    user_data=b"#!/bin/sh\necho hi\n",
    tags={"team": "red"},
    security_groups=("default",),
    vpc_id="vpc-12345678",
    profile_arn=f"arn:aws:iam::{ACCOUNT}:instance-profile/web",
)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database(f"sqlite:///{tmp_path / 'imds.db'}")
    with database.transaction() as session:
        session.add(Account(id=ACCOUNT, created_at=START))
        session.flush()
        session.add(
            Role(
                role_id="AROAEXAMPLEROLE00001",
                account_id=ACCOUNT,
                name="web-role",
                path="/",
                arn=f"arn:aws:iam::{ACCOUNT}:role/web-role",
                created_at=START,
                assume_role_policy=TRUST_EC2,
            )
        )
        session.add(
            InstanceProfile(
                instance_profile_id="AIPAEXAMPLEPROFILE01",
                account_id=ACCOUNT,
                name="web",
                path="/",
                arn=f"arn:aws:iam::{ACCOUNT}:instance-profile/web",
                created_at=START,
            )
        )
        session.flush()
        session.add(
            InstanceProfileRole(
                instance_profile_id="AIPAEXAMPLEPROFILE01", role_id="AROAEXAMPLEROLE00001"
            )
        )
    return database


def _imds(db: Database, clock: Clock, facts: InstanceFacts = FACTS, seconds: int = 21600) -> Imds:
    sessions = RoleSessions(
        db=db,
        ids=IdGenerator(),
        secrets=Secrets(Secrets.generate_key()),
        parse=lambda text, kind: parse_policy(text, kind),
        session_seconds=seconds,
    )
    return Imds(sessions, clock, lambda iid: facts if iid == facts.instance_id else None)


def _get(imds: Imds, path: str, token: str | None = None) -> tuple[int, str]:
    headers = {} if token is None else {"x-aws-ec2-metadata-token": token}
    answer = imds.handle("GET", f"{FACTS.instance_id}{path}", headers)
    return answer.status, answer.body.decode()


def _token(imds: Imds, ttl: str = "21600") -> str:
    answer = imds.handle(
        "PUT",
        f"{FACTS.instance_id}/latest/api/token",
        {"x-aws-ec2-metadata-token-ttl-seconds": ttl},
    )
    assert answer.status == 200
    return answer.body.decode()


def test_instance_facts_at_ec2s_paths(db: Database) -> None:
    imds = _imds(db, Clock())
    token = _token(imds)
    assert _get(imds, "/latest/meta-data/instance-id", token) == (200, FACTS.instance_id)
    assert _get(imds, "/latest/meta-data/placement/region", token) == (200, "eu-west-1")
    assert _get(imds, "/latest/meta-data/placement/availability-zone", token)[1] == "eu-west-1a"
    assert _get(imds, "/latest/meta-data/local-ipv4", token)[1] == "10.0.0.12"
    assert _get(imds, "/latest/meta-data/hostname", token)[1] == FACTS.hostname
    assert _get(imds, "/latest/user-data", token) == (200, "#!/bin/sh\necho hi\n")
    listing = _get(imds, "/latest/meta-data/", token)[1].split("\n")
    assert {"ami-id", "instance-id", "iam/", "placement/", "tags/"} <= set(listing)
    assert _get(imds, "/latest/meta-data/tags/instance/team", token) == (200, "red")
    document = json.loads(_get(imds, "/latest/dynamic/instance-identity/document", token)[1])
    assert document["accountId"] == ACCOUNT and document["region"] == "eu-west-1"
    assert _get(imds, "/latest/meta-data/no-such-thing", token)[0] == 404
    assert imds.handle("GET", "i-00000000000000000/latest/meta-data/", {}).status == 404


def test_token_rules(db: Database) -> None:
    clock = Clock()
    imds = _imds(db, clock, replace(FACTS, http_tokens="required"))
    for bad in ("0", "21601", "soon"):
        answer = imds.handle(
            "PUT",
            f"{FACTS.instance_id}/latest/api/token",
            {"x-aws-ec2-metadata-token-ttl-seconds": bad},
        )
        assert answer.status == 400
    assert imds.handle("PUT", f"{FACTS.instance_id}/latest/api/token", {}).status == 400
    proxied = imds.handle(
        "PUT",
        f"{FACTS.instance_id}/latest/api/token",
        {"x-aws-ec2-metadata-token-ttl-seconds": "60", "x-forwarded-for": "10.1.1.1"},
    )
    assert proxied.status == 403
    assert _get(imds, "/latest/meta-data/instance-id")[0] == 401  # IMDSv1 refused
    token = _token(imds, "60")
    assert _get(imds, "/latest/meta-data/instance-id", token)[0] == 200
    assert _get(imds, "/latest/meta-data/instance-id", "forged")[0] == 401
    clock.now += timedelta(seconds=61)
    assert _get(imds, "/latest/meta-data/instance-id", token)[0] == 401


def test_imdsv1_when_tokens_are_optional(db: Database) -> None:
    imds = _imds(db, Clock())
    assert _get(imds, "/latest/meta-data/instance-id") == (200, FACTS.instance_id)


def test_role_credentials_are_a_stored_role_session(db: Database) -> None:
    imds = _imds(db, Clock())
    token = _token(imds)
    assert _get(imds, "/latest/meta-data/iam/security-credentials/", token) == (200, "web-role")
    status, body = _get(imds, "/latest/meta-data/iam/security-credentials/web-role", token)
    creds = json.loads(body)
    assert status == 200 and creds["Code"] == "Success" and creds["Type"] == "AWS-HMAC"
    assert creds["AccessKeyId"].startswith("ASIA")
    assert creds["Expiration"] == "2026-11-28T14:00:00Z"
    with db.read() as session:
        row = session.get(StsSession, creds["AccessKeyId"])
        assert row is not None
        assert row.principal_arn == (
            f"arn:aws:sts::{ACCOUNT}:assumed-role/web-role/{FACTS.instance_id}"
        )
        assert row.request_context is not None
        assert row.request_context["ec2:SourceInstanceARN"] == (
            f"arn:aws:ec2:eu-west-1:{ACCOUNT}:instance/{FACTS.instance_id}"
        )
        assert row.request_context["ec2:RoleDelivery"] == "2.0"
    info = json.loads(_get(imds, "/latest/meta-data/iam/info", token)[1])
    assert info["InstanceProfileArn"] == FACTS.profile_arn
    assert info["InstanceProfileId"] == "AIPAEXAMPLEPROFILE01"


def test_credentials_are_rotated_before_they_expire(db: Database) -> None:
    clock = Clock()
    imds = _imds(db, clock)
    first = json.loads(_get(imds, "/latest/meta-data/iam/security-credentials/web-role")[1])
    clock.now += timedelta(hours=4)
    same = json.loads(_get(imds, "/latest/meta-data/iam/security-credentials/web-role")[1])
    assert same["AccessKeyId"] == first["AccessKeyId"]
    clock.now += timedelta(hours=1, minutes=1)  # less than an hour left
    fresh = json.loads(_get(imds, "/latest/meta-data/iam/security-credentials/web-role")[1])
    assert fresh["AccessKeyId"] != first["AccessKeyId"]
    assert fresh["Expiration"] > first["Expiration"]


def test_a_role_ec2_may_not_assume_yields_no_keys(db: Database) -> None:
    with db.transaction() as session:
        role = session.get(Role, "AROAEXAMPLEROLE00001")
        assert role is not None
        role.assume_role_policy = TRUST_EC2.replace("ec2.amazonaws.com", "lambda.amazonaws.com")
    imds = _imds(db, Clock())
    body = json.loads(_get(imds, "/latest/meta-data/iam/security-credentials/web-role")[1])
    assert body["Code"] == "AssumeRoleUnauthorizedAccess"
    assert "AccessKeyId" not in body


def test_a_profile_without_its_role_yields_nothing(db: Database) -> None:
    with db.transaction() as session:
        link = session.get(InstanceProfileRole, ("AIPAEXAMPLEPROFILE01", "AROAEXAMPLEROLE00001"))
        assert link is not None
        session.delete(link)
    imds = _imds(db, Clock())
    assert _get(imds, "/latest/meta-data/iam/security-credentials/")[0] == 404
    assert _get(imds, "/latest/meta-data/iam/security-credentials/web-role")[0] == 404
