"""validate_input: every broken constraint, in AWS's words."""

from typing import Any

import pytest

from localiam.protocol import ServiceError, input_violations, load_service_model, validate_input

STS_ARN_PATTERN = (
    r"[\u0009\u000A\u000D\u0020-\u007E\u0085\u00A0-\uD7FF\uE000-\uFFFD\u10000-\u10FFFF]+"
)
TAG_PATTERN = r"[\p{L}\p{Z}\p{N}_.:/=+\-@]*"


def message(model: Any, operation: str, params: dict[str, Any]) -> str:
    with pytest.raises(ServiceError) as caught:
        validate_input(model.operation_model(operation), params)
    assert (caught.value.code, caught.value.status, caught.value.sender) == (
        "ValidationError",
        400,
        True,
    )
    return caught.value.message


def test_valid_input_passes(iam: Any, sts: Any) -> None:
    validate_input(
        iam.operation_model("CreateUser"),
        {"UserName": "alice.b+c=d,e@f-g_h", "Tags": [{"Key": "Team é", "Value": "Plätze 1"}]},
    )
    validate_input(
        sts.operation_model("AssumeRole"),
        {
            "RoleArn": "arn:aws:iam::123456789012:role/deployer",
            "RoleSessionName": "s1",
            "DurationSeconds": 43200,
        },
    )


def test_pattern(iam: Any) -> None:
    assert message(iam, "CreateUser", {"UserName": "x y"}) == (
        "1 validation error detected: Value 'x y' at 'userName' failed to satisfy constraint: "
        r"Member must satisfy regular expression pattern: [\w+=,.@-]+"
    )


def test_word_characters_are_ascii_as_in_java(iam: Any) -> None:
    assert "regular expression" in message(iam, "CreateUser", {"UserName": "josé"})


def test_max_length(iam: Any) -> None:
    name = "python-sesdynamodb-contactform-development-eu-central-1-lambdaRole"
    assert message(iam, "CreateRole", {"RoleName": name, "AssumeRolePolicyDocument": "{}"}) == (
        f"1 validation error detected: Value '{name}' at 'roleName' failed to satisfy "
        "constraint: Member must have length less than or equal to 64"
    )


def test_pattern_then_min_length_as_sts_reports_them(sts: Any) -> None:
    assert message(sts, "AssumeRole", {"RoleArn": "", "RoleSessionName": "s1"}) == (
        "2 validation errors detected: Value '' at 'roleArn' failed to satisfy constraint: "
        f"Member must satisfy regular expression pattern: {STS_ARN_PATTERN}; "
        "Value '' at 'roleArn' failed to satisfy constraint: "
        "Member must have length greater than or equal to 20"
    )


def test_missing_required_members(iam: Any, sts: Any) -> None:
    assert message(iam, "CreateUser", {}) == (
        "1 validation error detected: Value null at 'userName' failed to satisfy constraint: "
        "Member must not be null"
    )
    assert message(
        sts, "AssumeRoleWithWebIdentity", {"RoleArn": "a" * 20, "RoleSessionName": "s1"}
    ) == (
        "1 validation error detected: Value null at 'webIdentityToken' failed to satisfy "
        "constraint: Member must not be null"
    )


def test_enum(iam: Any) -> None:
    params = {"AccessKeyId": "AKIAEXAMPLE000000001", "Status": "Enabled"}
    assert message(iam, "UpdateAccessKey", params) == (
        "1 validation error detected: Value 'Enabled' at 'status' failed to satisfy "
        "constraint: Member must satisfy enum value set: [Active, Inactive, Expired]"
    )


@pytest.mark.parametrize(
    ("seconds", "constraint"),
    [
        (90000, "Member must have value less than or equal to 43200"),
        (899, "Member must have value greater than or equal to 900"),
    ],
)
def test_numeric_range(sts: Any, seconds: int, constraint: str) -> None:
    params = {"RoleArn": "arn:aws:iam::123456789012:role/r", "RoleSessionName": "s1"}
    assert message(sts, "AssumeRole", {**params, "DurationSeconds": seconds}) == (
        f"1 validation error detected: Value '{seconds}' at 'durationSeconds' failed to "
        f"satisfy constraint: {constraint}"
    )


def test_nested_list_members_are_located(iam: Any) -> None:
    value = "SourceIP: 86.16.135.208, UserAgent: aws-cli/2.1.17"
    tags = [{"Key": f"k{i}", "Value": "v"} for i in range(5)] + [{"Key": "k", "Value": value}]
    assert message(iam, "CreateUser", {"UserName": "alice", "Tags": tags}) == (
        f"1 validation error detected: Value '{value}' at 'tags.6.member.value' failed to "
        f"satisfy constraint: Member must satisfy regular expression pattern: {TAG_PATTERN}"
    )


def test_list_length_prints_the_list(sts: Any) -> None:
    keys = [f"k{i}" for i in range(51)]
    text = message(
        sts,
        "AssumeRole",
        {"RoleArn": "a" * 20, "RoleSessionName": "s1", "TransitiveTagKeys": keys},
    )
    assert text == (
        f"1 validation error detected: Value '[{', '.join(keys)}]' at 'transitiveTagKeys' "
        "failed to satisfy constraint: Member must have length less than or equal to 50"
    )


def test_list_elements_of_strings(iam: Any) -> None:
    params = {"Url": "https://example.com", "ClientIDList": ["ok", ""]}
    assert message(iam, "CreateOpenIDConnectProvider", params) == (
        "1 validation error detected: Value '' at 'clientIDList.2.member' failed to satisfy "
        "constraint: Member must have length greater than or equal to 1"
    )


def test_length_counts_utf16_code_units_like_java(iam: Any) -> None:
    letter = "\U0001d400"  # MATHEMATICAL BOLD CAPITAL A: one letter, two UTF-16 units
    validate_input(
        iam.operation_model("TagUser"),
        {"UserName": "a", "Tags": [{"Key": "k", "Value": letter * 128}]},
    )
    text = message(iam, "TagUser", {"UserName": "a", "Tags": [{"Key": "k", "Value": letter * 129}]})
    assert text.endswith(
        "at 'tags.1.member.value' failed to satisfy constraint: "
        "Member must have length less than or equal to 256"
    )


def test_sensitive_values_are_not_printed(iam: Any) -> None:
    assert message(iam, "CreateLoginProfile", {"UserName": "a", "Password": "p" * 129}) == (
        "1 validation error detected: Value at 'password' failed to satisfy constraint: "
        "Member must have length less than or equal to 128"
    )


def test_every_violation_is_reported_in_member_order(iam: Any) -> None:
    text = message(
        iam,
        "CreateUser",
        {"Path": "no-slashes", "UserName": "", "Tags": [{"Key": "", "Value": "v"}]},
    )
    assert text.startswith("5 validation errors detected: ")
    places = [part.split(" at ")[1].split(" failed")[0] for part in text.split("; ")]
    assert places == [
        "'path'",
        "'userName'",
        "'userName'",
        "'tags.1.member.key'",
        "'tags.1.member.key'",
    ]


def test_map_keys_and_values(iam: Any) -> None:
    text = message(iam, "PutAccountProperties", {"Properties": {"1bad": "", "good": "x"}})
    assert text == (
        "2 validation errors detected: Value '{1bad=, good=x}' at 'properties' failed to "
        "satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular "
        "expression pattern: ^[A-Za-z][A-Za-z0-9/_-]*$]; Value '{1bad=, good=x}' at "
        "'properties' failed to satisfy constraint: Map value must satisfy constraint: "
        "[Member must have length greater than or equal to 1]"
    )


def test_map_values_that_are_structures(iam: Any) -> None:
    params = {"TemplateArn": "a" * 20, "ReplacementValues": {"Bucket": {"Values": []}}}
    assert message(iam, "AcquireRole", params) == (
        "1 validation error detected: Value '[]' at 'replacementValues.Bucket.values' failed "
        "to satisfy constraint: Member must have length greater than or equal to 1"
    )


def test_operation_without_input_accepts_anything(iam: Any) -> None:
    validate_input(iam.operation_model("GetAccountSummary"), {})


def kinds(model: Any, operation: str, params: dict[str, Any]) -> list[tuple[str, str]]:
    found = input_violations(model.operation_model(operation), params)
    return [(violation.path, violation.kind) for violation in found]


def test_each_violation_names_its_rule(iam: Any, sts: Any) -> None:
    assert kinds(iam, "CreateUser", {}) == [("userName", "required")]
    assert kinds(iam, "CreateUser", {"UserName": "x y"}) == [("userName", "pattern")]
    assert kinds(iam, "CreateUser", {"UserName": ""}) == [
        ("userName", "pattern"),
        ("userName", "min_length"),
    ]
    assert kinds(iam, "CreateUser", {"UserName": "a" * 65}) == [("userName", "max_length")]
    params = {"AccessKeyId": "AKIAEXAMPLE000000001", "Status": "Enabled"}
    assert kinds(iam, "UpdateAccessKey", params) == [("status", "enum")]
    role = {"RoleArn": "arn:aws:iam::123456789012:role/r", "RoleSessionName": "s1"}
    assert kinds(sts, "AssumeRole", {**role, "DurationSeconds": 899}) == [
        ("durationSeconds", "min_value")
    ]
    assert kinds(sts, "AssumeRole", {**role, "DurationSeconds": 43201}) == [
        ("durationSeconds", "max_value")
    ]


def test_map_violations_take_the_first_rule_broken(iam: Any) -> None:
    params = {"Properties": {"1bad": "", "good": "x"}}
    assert kinds(iam, "PutAccountProperties", params) == [
        ("properties", "pattern"),
        ("properties", "min_length"),
    ]


def test_organizations_violations() -> None:
    orgs = load_service_model("organizations")
    assert kinds(orgs, "ListAccounts", {"MaxResults": 0}) == [("maxResults", "min_value")]
    assert kinds(orgs, "ListAccounts", {"MaxResults": 21}) == [("maxResults", "max_value")]
    assert kinds(orgs, "AttachPolicy", {"PolicyId": "p-1"}) == [
        ("policyId", "pattern"),
        ("targetId", "required"),
    ]
    assert kinds(orgs, "ListPolicies", {"Filter": "NOPE"}) == [("filter", "enum")]


def test_input_violations_agree_with_validate_input(iam: Any) -> None:
    params = {"Path": "no-slashes", "UserName": "", "Tags": [{"Key": "", "Value": "v"}]}
    found = input_violations(iam.operation_model("CreateUser"), params)
    assert message(iam, "CreateUser", params) == ServiceError.validation(found).message
    assert input_violations(iam.operation_model("GetAccountSummary"), {"X": 1}) == []
    assert input_violations(iam.operation_model("CreateUser"), {"UserName": "alice"}) == []
