"""decode_query: what botocore's query serializer writes, we read back unchanged."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from localiam.protocol import ServiceError, decode_query

POLICY = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}'

IAM_REQUESTS: list[tuple[str, dict[str, Any]]] = [
    (
        "CreateUser",
        {
            "UserName": "alice",
            "Path": "/engineering/",
            "PermissionsBoundary": "arn:aws:iam::123456789012:policy/boundary",
            "Tags": [{"Key": "team", "Value": "platform"}, {"Key": "empty", "Value": ""}],
        },
    ),
    (
        "PutUserPolicy",
        {
            "UserName": "alice",
            "PolicyName": "inline",
            "PolicyDocument": POLICY.replace("s3:*", "s3:Get*&<é>\n\t"),
        },
    ),
    ("ListUsers", {"PathPrefix": "/a/", "Marker": "opaque+/=token", "MaxItems": 5}),
    ("ListUsers", {}),
    (
        "CreateRole",
        {
            "RoleName": "deployer",
            "AssumeRolePolicyDocument": POLICY,
            "Description": "Deploys things",
            "MaxSessionDuration": 7200,
            "Tags": [{"Key": "a", "Value": "1"}],
        },
    ),
    ("TagUser", {"UserName": "alice", "Tags": [{"Key": f"k{i}", "Value": "v"} for i in range(12)]}),
    (
        "SimulatePrincipalPolicy",
        {
            "PolicySourceArn": "arn:aws:iam::123456789012:user/alice",
            "PolicyInputList": [POLICY],
            "ActionNames": ["s3:GetObject", "s3:PutObject"],
            "ResourceArns": ["arn:aws:s3:::bucket/*"],
            "ContextEntries": [
                {
                    "ContextKeyName": "aws:SourceIp",
                    "ContextKeyValues": ["203.0.113.7"],
                    "ContextKeyType": "ip",
                },
                {
                    "ContextKeyName": "aws:TagKeys",
                    "ContextKeyValues": ["a", "b", "c"],
                    "ContextKeyType": "stringList",
                },
            ],
            "MaxItems": 100,
        },
    ),
    (
        "UpdateAccountPasswordPolicy",
        {
            "MinimumPasswordLength": 14,
            "RequireSymbols": True,
            "RequireNumbers": False,
            "AllowUsersToChangePassword": True,
            "MaxPasswordAge": 90,
            "PasswordReusePrevention": 24,
            "HardExpiry": False,
        },
    ),
    ("CreateOpenIDConnectProvider", {"Url": "https://example.com", "ClientIDList": []}),
    ("PutAccountProperties", {"Properties": {"alpha": "1", "beta/gamma": "two words"}}),
    (
        "AcquireRole",
        {
            "TemplateArn": "arn:aws:iam::aws:role-template/x",
            "ReplacementValues": {"Bucket": {"Values": ["a", "b"]}},
        },
    ),
]

STS_REQUESTS: list[tuple[str, dict[str, Any]]] = [
    (
        "AssumeRole",
        {
            "RoleArn": "arn:aws:iam::123456789012:role/deployer",
            "RoleSessionName": "session-1",
            "PolicyArns": [
                {"arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"},
                {"arn": "arn:aws:iam::123456789012:policy/extra"},
            ],
            "Policy": POLICY,
            "DurationSeconds": 3600,
            "Tags": [{"Key": "project", "Value": "x"}],
            "TransitiveTagKeys": ["project"],
            "ExternalId": "ext-123",
        },
    ),
    ("GetCallerIdentity", {}),
    ("GetSessionToken", {"DurationSeconds": 900, "SerialNumber": "arn:aws:iam::1:mfa/a"}),
]


@pytest.mark.parametrize(("operation", "params"), IAM_REQUESTS)
def test_iam_requests_round_trip(iam: Any, serialize: Any, operation: str, params: Any) -> None:
    op, decoded = decode_query(iam, serialize(iam, operation, params))
    assert op.name == operation
    assert decoded == params


@pytest.mark.parametrize(("operation", "params"), STS_REQUESTS)
def test_sts_requests_round_trip(sts: Any, serialize: Any, operation: str, params: Any) -> None:
    op, decoded = decode_query(sts, serialize(sts, operation, params))
    assert op.name == operation
    assert decoded == params


def test_decoded_types_are_python_types(iam: Any, serialize: Any) -> None:
    form = serialize(
        iam, "UpdateAccountPasswordPolicy", {"RequireSymbols": True, "MaxPasswordAge": 9}
    )
    assert form["RequireSymbols"] == "true"
    _, decoded = decode_query(iam, form)
    assert decoded["RequireSymbols"] is True
    assert decoded["MaxPasswordAge"] == 9 and isinstance(decoded["MaxPasswordAge"], int)


def test_flattened_lists_renamed_members_and_named_maps_round_trip(
    example: Any, serialize: Any
) -> None:
    params = {
        "Renamed": "x",
        "Flat": ["a", "b"],
        "FlatNamed": ["c"],
        "Named": ["d", "e", "f"],
        "Attrs": {"k1": "v1", "k2": "v2"},
        "FlatAttrs": {"n": 7},
        "Nested": {"Count": 2**40, "Flag": False},
        "Count": -3,
        "Ratio": 2.5,
        "Flag": True,
        "When": datetime(2026, 11, 28, 7, 28, 17, tzinfo=UTC),
        "Data": b"\x00\xffbinary",
    }
    form = serialize(example, "Echo", params)
    assert form["OtherName"] == "x" and form["Item.1"] == "c" and form["Named.Entry.2"] == "e"
    assert form["Attrs.entry.1.Name"] == "k1" and form["FlatAttrs.1.key"] == "n"
    _, decoded = decode_query(example, form)
    assert decoded == params


def test_elements_are_ordered_by_index_not_by_field_order(iam: Any) -> None:
    form = {
        "Action": "TagUser",
        "UserName": "alice",
        "Tags.member.10.Key": "ten",
        "Tags.member.10.Value": "",
        "Tags.member.2.Key": "two",
        "Tags.member.2.Value": "",
        "Tags.member.1.Key": "one",
        "Tags.member.1.Value": "",
    }
    _, decoded = decode_query(iam, form)
    assert [tag["Key"] for tag in decoded["Tags"]] == ["one", "two", "ten"]


def test_unknown_parameters_are_ignored(iam: Any) -> None:
    form = {
        "Action": "GetUser",
        "Version": "2010-05-08",
        "UserName": "alice",
        "Bogus": "1",
        "UserName.member.1": "x",
        "X-Amz-Signature": "abc",
    }
    assert decode_query(iam, form)[1] == {"UserName": "alice"}


def test_version_may_be_omitted(iam: Any) -> None:
    op, decoded = decode_query(iam, {"Action": "ListRoles"})
    assert op.name == "ListRoles" and decoded == {}


def test_missing_action(iam: Any) -> None:
    with pytest.raises(ServiceError) as caught:
        decode_query(iam, {"Version": "2010-05-08"})
    assert (caught.value.code, caught.value.message) == ("MissingAction", "Missing Action")
    assert caught.value.status == 400


def test_unknown_action(iam: Any) -> None:
    with pytest.raises(ServiceError) as caught:
        decode_query(iam, {"Action": "ListUsersPlease", "Version": "2010-05-08"})
    assert caught.value.code == "InvalidAction"
    assert caught.value.message == "Could not find operation ListUsersPlease for version 2010-05-08"


def test_wrong_version_is_an_unknown_operation(sts: Any) -> None:
    with pytest.raises(ServiceError) as caught:
        decode_query(sts, {"Action": "GetCallerIdentity", "Version": "2010-05-08"})
    assert caught.value.code == "InvalidAction"
    assert (
        caught.value.message == "Could not find operation GetCallerIdentity for version 2010-05-08"
    )


@pytest.mark.parametrize(
    ("field", "raw", "constraint"),
    [
        ("Count", "12a", "Member must be a 64-bit integer"),
        ("Count", "9223372036854775808", "Member must be a 64-bit integer"),
        ("Count", "", "Member must be a 64-bit integer"),
        ("Ratio", "half", "Member must be a number"),
        ("Flag", "yes", "Member must be true or false"),
        ("When", "next tuesday", "Member must be a timestamp"),
        ("Data", "not base64!", "Member must be base64-encoded"),
    ],
)
def test_malformed_scalars_are_validation_errors(
    example: Any, field: str, raw: str, constraint: str
) -> None:
    with pytest.raises(ServiceError) as caught:
        decode_query(example, {"Action": "Echo", f"Nested.{field}": raw})
    assert caught.value.code == "ValidationError"
    path = "nested." + field[0].lower() + field[1:]
    assert caught.value.message == (
        f"1 validation error detected: Value '{raw}' at '{path}' "
        f"failed to satisfy constraint: {constraint}"
    )


def test_integer_range_is_java_int(iam: Any) -> None:
    _, decoded = decode_query(iam, {"Action": "ListUsers", "MaxItems": "2147483647"})
    assert decoded == {"MaxItems": 2147483647}
    with pytest.raises(ServiceError, match="at 'maxItems'"):
        decode_query(iam, {"Action": "ListUsers", "MaxItems": "2147483648"})


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-11-28T07:28:17Z", datetime(2026, 11, 28, 7, 28, 17, tzinfo=UTC)),
        ("2026-11-28T07:28:17.250Z", datetime(2026, 11, 28, 7, 28, 17, 250000, tzinfo=UTC)),
        ("2026-11-28T09:28:17+02:00", datetime(2026, 11, 28, 7, 28, 17, tzinfo=UTC)),
        ("2026-11-28T07:28:17", datetime(2026, 11, 28, 7, 28, 17, tzinfo=UTC)),
        ("1795850897", datetime(2026, 11, 28, 7, 28, 17, tzinfo=UTC)),
        ("1795850897.5", datetime(2026, 11, 28, 7, 28, 17, 500000, tzinfo=UTC)),
        ("Sat, 28 Nov 2026 07:28:17 GMT", datetime(2026, 11, 28, 7, 28, 17, tzinfo=UTC)),
    ],
)
def test_timestamps(example: Any, raw: str, expected: datetime) -> None:
    _, decoded = decode_query(example, {"Action": "Echo", "When": raw})
    assert decoded["When"] == expected
    assert decoded["When"].utcoffset() == timedelta(0)
    assert decoded["When"].tzinfo is UTC


def test_booleans_ignore_case_like_java(example: Any) -> None:
    assert decode_query(example, {"Action": "Echo", "Flag": "TRUE"})[1] == {"Flag": True}
    assert decode_query(example, {"Action": "Echo", "Flag": "False"})[1] == {"Flag": False}


def test_operation_without_input(example: Any) -> None:
    op, decoded = decode_query(example, {"Action": "Nothing", "Anything": "1"})
    assert op.name == "Nothing" and decoded == {}


def test_form_parameters_read_the_query_string_then_the_form_body() -> None:
    from localiam.protocol import form_parameters

    found = form_parameters(
        "Action=GetUser&X-Amz-Date=20260101T000000Z",
        "application/x-www-form-urlencoded; charset=utf-8",
        b"UserName=alice&Version=2010-05-08",
    )
    assert found == {"Action": "GetUser", "UserName": "alice", "Version": "2010-05-08"}
    assert form_parameters("", "application/json", b"UserName=alice") == {}


def test_form_parameters_refuse_bytes_that_are_not_utf8() -> None:
    from localiam.protocol import ServiceError, form_parameters

    with pytest.raises(ServiceError) as refused:
        form_parameters("", None, b"UserName=\xff")
    assert (refused.value.code, refused.value.status) == ("MalformedQueryString", 404)
