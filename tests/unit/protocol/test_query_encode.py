"""encode_query_result: what we write, botocore's query parser reads back unchanged."""

from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from xml.etree import ElementTree

import pytest

from localiam.protocol import encode_query_result

CREATED = datetime(2026, 11, 28, 7, 28, 17, tzinfo=UTC)
META = {"ResponseMetadata": {"RequestId": "req-1"}}

USER = {
    "Path": "/",
    "UserName": "alice",
    "UserId": "AIDAEXAMPLE000000001",
    "Arn": "arn:aws:iam::123456789012:user/alice",
    "CreateDate": CREATED,
}

IAM_RESULTS: list[tuple[str, dict[str, Any]]] = [
    ("GetUser", {"User": {**USER, "Tags": [{"Key": "team", "Value": "platform"}]}}),
    (
        "ListUsers",
        {
            "Users": [USER, {**USER, "UserName": "bob", "PasswordLastUsed": CREATED}],
            "IsTruncated": True,
            "Marker": "opaque&<marker>",
        },
    ),
    ("ListUsers", {"Users": [], "IsTruncated": False}),
    (
        "CreateAccessKey",
        {
            "AccessKey": {
                "UserName": "alice",
                "AccessKeyId": "AKIAEXAMPLE000000001",
                "Status": "Active",
                "SecretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                "CreateDate": CREATED,
            }
        },
    ),
    ("GetAccountSummary", {"SummaryMap": {"Users": 3, "UsersQuota": 5000, "MFADevices": 0}}),
    (
        "GetCredentialReport",
        {
            "Content": b"user,arn\n<root_account>,arn:aws:iam::123456789012:root\n",
            "ReportFormat": "text/csv",
            "GeneratedTime": CREATED,
        },
    ),
    (
        "SimulatePrincipalPolicy",
        {
            "EvaluationResults": [
                {
                    "EvalActionName": "s3:GetObject",
                    "EvalResourceName": "arn:aws:s3:::bucket/key",
                    "EvalDecision": "allowed",
                    "MatchedStatements": [
                        {
                            "SourcePolicyId": "inline",
                            "SourcePolicyType": "user",
                            "StartPosition": {"Line": 1, "Column": 30},
                            "EndPosition": {"Line": 1, "Column": 95},
                        }
                    ],
                    "MissingContextValues": ["aws:SourceIp"],
                    "EvalDecisionDetails": {"PermissionsBoundaryPolicy": "allowed"},
                    "OrganizationsDecisionDetail": {"AllowedByOrganizations": True},
                }
            ],
            "IsTruncated": False,
        },
    ),
    (
        "GetUserPolicy",
        {
            "UserName": "alice",
            "PolicyName": "p",
            "PolicyDocument": '{"a": "<&>\'\\"", "b": "line\r\nbreak\ttab é 日本 😀"}',
        },
    ),
]


@pytest.mark.parametrize(("operation", "result"), IAM_RESULTS)
def test_iam_results_round_trip(iam: Any, parse: Any, operation: str, result: Any) -> None:
    body = encode_query_result(iam.operation_model(operation), result, "req-1")
    assert parse(iam, operation, body) == {**result, **META}


def test_sts_assume_role_round_trips(sts: Any, parse: Any) -> None:
    result = {
        "Credentials": {
            "AccessKeyId": "ASIAEXAMPLE000000001",
            "SecretAccessKey": "secret",
            "SessionToken": "FwoGZXIvYXdzEB0aD+/=token",
            "Expiration": CREATED,
        },
        "AssumedRoleUser": {
            "AssumedRoleId": "AROAEXAMPLE:session",
            "Arn": "arn:aws:sts::123456789012:assumed-role/deployer/session",
        },
        "PackedPolicySize": 6,
        "SourceIdentity": "alice",
    }
    body = encode_query_result(sts.operation_model("AssumeRole"), result, "req-1")
    assert body.startswith(
        b'<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
    )
    assert parse(sts, "AssumeRole", body) == {**result, **META}


def test_document_layout_is_aws(iam: Any) -> None:
    body = encode_query_result(
        iam.operation_model("ListUsers"), {"Users": [USER], "IsTruncated": True}, "rid"
    )
    assert body == (
        b'<ListUsersResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListUsersResult>'
        b"<Users><member><Path>/</Path><UserName>alice</UserName>"
        b"<UserId>AIDAEXAMPLE000000001</UserId><Arn>arn:aws:iam::123456789012:user/alice</Arn>"
        b"<CreateDate>2026-11-28T07:28:17Z</CreateDate></member></Users>"
        b"<IsTruncated>true</IsTruncated></ListUsersResult>"
        b"<ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata></ListUsersResponse>"
    )


def test_maps_are_entries_of_key_and_value(iam: Any) -> None:
    body = encode_query_result(
        iam.operation_model("GetAccountSummary"), {"SummaryMap": {"Users": 3}}, "rid"
    )
    assert b"<SummaryMap><entry><key>Users</key><value>3</value></entry></SummaryMap>" in body


def test_operation_without_output_answers_only_metadata(iam: Any, parse: Any) -> None:
    body = encode_query_result(iam.operation_model("DeleteUser"), {}, "req-1")
    assert body == (
        b'<DeleteUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">'
        b"<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></DeleteUserResponse>"
    )
    assert parse(iam, "DeleteUser", body) == META


@pytest.mark.parametrize(
    "value",
    [
        datetime(2026, 11, 28, 9, 28, 17, 999999, tzinfo=timezone(timedelta(hours=2))),
        datetime(2026, 11, 28, 7, 28, 17),  # naive: taken as UTC
        CREATED.timestamp(),
    ],
)
def test_timestamps_are_utc_to_the_second(iam: Any, value: Any) -> None:
    body = encode_query_result(
        iam.operation_model("GetUser"), {"User": {**USER, "CreateDate": value}}, "r"
    )
    element = ElementTree.fromstring(body).find(".//{*}CreateDate")
    assert element is not None and element.text == "2026-11-28T07:28:17Z"


def test_none_members_are_left_out(iam: Any) -> None:
    body = encode_query_result(
        iam.operation_model("ListUsers"), {"Users": [], "IsTruncated": False, "Marker": None}, "r"
    )
    assert b"Marker" not in body


def test_unknown_members_are_a_programming_error(iam: Any) -> None:
    with pytest.raises(ValueError, match="UserNmae"):
        encode_query_result(
            iam.operation_model("GetUser"), {"User": {**USER, "UserNmae": "x"}}, "r"
        )


def test_request_id_is_escaped(iam: Any) -> None:
    body = encode_query_result(iam.operation_model("DeleteUser"), {}, "<id&>")
    assert b"<RequestId>&lt;id&amp;&gt;</RequestId>" in body


def test_flattened_and_renamed_shapes_round_trip(example: Any, parse: Any) -> None:
    result = {
        "Renamed": "x",
        "Flat": ["a", "b"],
        "FlatNamed": ["c", "d"],
        "Named": ["e"],
        "Attrs": {"k": "v"},
        "FlatAttrs": {"n": 1, "m": 2},
        "Nested": {"Ratio": 0.25, "Flag": False, "Data": b"\x00\x01"},
        "Count": 2**40,
        "When": CREATED,
    }
    body = encode_query_result(example.operation_model("Echo"), result, "req-1")
    assert b"<OtherName>x</OtherName>" in body
    assert b"<Flat>a</Flat><Flat>b</Flat><Item>c</Item><Item>d</Item>" in body
    assert b"<Named><Entry>e</Entry></Named>" in body
    assert b"<Attrs><entry><Name>k</Name><Val>v</Val></entry></Attrs>" in body
    assert b"<FlatAttrs><key>n</key><value>1</value></FlatAttrs>" in body
    assert parse(example, "Echo", body) == {**result, **META}
