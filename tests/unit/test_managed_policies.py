"""The shipped AWS managed policy set: complete enough, well formed, and parsed by our parser."""

from __future__ import annotations

from localiam.catalog import ManagedPolicies
from localiam.policy import PolicyKind, parse_policy

POLICIES = ManagedPolicies()


def test_the_well_known_policies_are_there() -> None:
    assert len(POLICIES) > 1000
    admin = POLICIES.get("arn:aws:iam::aws:policy/AdministratorAccess")
    assert admin is not None
    assert admin.document["Statement"][0]["Action"] == "*"
    assert POLICIES.get("arn:aws:iam::aws:policy/ReadOnlyAccess") is not None
    role = POLICIES.get("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
    assert role is not None and role.path == "/service-role/"


def test_every_managed_policy_parses_as_an_identity_policy() -> None:
    refused = []
    for policy in POLICIES:
        try:
            parse_policy(policy.document, PolicyKind.IDENTITY)
        except ValueError as exc:
            refused.append(f"{policy.name}: {exc}")
    assert not refused


def test_the_file_is_dated() -> None:
    assert POLICIES.as_of >= "2026-01-01"
    assert all(p.arn.startswith("arn:aws:iam::aws:policy/") for p in POLICIES)
