"""encode_json_result and encode_json_error: what we write, botocore's JSON parser reads back."""

import enum
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import botocore.model
import botocore.parsers
import pytest

from localiam.protocol import (
    JSON_CONTENT_TYPE,
    ServiceError,
    encode_json_error,
    encode_json_result,
    load_service_model,
)

JOINED = datetime(2026, 11, 28, 7, 28, 17, 123000, tzinfo=UTC)
COMPLETED = datetime(2026, 11, 28, 7, 30, tzinfo=UTC)

# A JSON 1.1 model with what Organizations does not use: every scalar type, a map, a member
# with a `locationName`, and an error shape whose message member is `message`.
SYNTHETIC: dict[str, Any] = {
    "version": "2.0",
    "metadata": {
        "apiVersion": "2020-01-01",
        "endpointPrefix": "example",
        "jsonVersion": "1.1",
        "protocol": "json",
        "serviceId": "Example",
        "signatureVersion": "v4",
        "targetPrefix": "Example_20200101",
    },
    "operations": {
        "Echo": {
            "name": "Echo",
            "http": {"method": "POST", "requestUri": "/"},
            "output": {"shape": "Everything"},
            "errors": [{"shape": "NotFound"}, {"shape": "Renamed"}],
        },
    },
    "shapes": {
        "Everything": {
            "type": "structure",
            "members": {
                "Renamed": {"shape": "Str", "locationName": "otherName"},
                "Names": {"shape": "StrList"},
                "Attrs": {"shape": "StrMap"},
                "Total": {"shape": "Long"},
                "Ratio": {"shape": "Double"},
                "Flag": {"shape": "Bool"},
                "When": {"shape": "Time"},
                "Data": {"shape": "Blob"},
                "Doc": {"shape": "Doc"},
            },
        },
        "NotFound": {
            "type": "structure",
            "members": {"message": {"shape": "Str"}, "resourceId": {"shape": "Str"}},
            "exception": True,
        },
        "Renamed": {
            "type": "structure",
            "members": {"Message": {"shape": "Str", "locationName": "errorMessage"}},
            "error": {"code": "RenamedError", "httpStatusCode": 409},
            "exception": True,
        },
        "Str": {"type": "string"},
        "Long": {"type": "long"},
        "Double": {"type": "double"},
        "Bool": {"type": "boolean"},
        "Time": {"type": "timestamp"},
        "Blob": {"type": "blob"},
        "Doc": {"type": "structure", "members": {}, "document": True},
        "StrList": {"type": "list", "member": {"shape": "Str"}},
        "StrMap": {"type": "map", "key": {"shape": "Str"}, "value": {"shape": "Long"}},
    },
}

ACCOUNT = {
    "Id": "123456789012",
    "Arn": "arn:aws:organizations::111111111111:account/o-exampleorgid/123456789012",
    "Email": "dev@example.com",
    "Name": "Development",
    "Status": "ACTIVE",
    "State": "ACTIVE",
    "JoinedMethod": "CREATED",
    "JoinedTimestamp": JOINED,
}

POLICY_SUMMARY = {
    "Id": "p-FullAWSAccess",
    "Arn": "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess",
    "Name": "FullAWSAccess",
    "Description": "Allows access to every operation",
    "Type": "SERVICE_CONTROL_POLICY",
    "AwsManaged": True,
}

ORGANIZATIONS_RESULTS: list[tuple[str, dict[str, Any]]] = [
    ("DescribeAccount", {"Account": ACCOUNT}),
    (
        "DescribeCreateAccountStatus",
        {
            "CreateAccountStatus": {
                "Id": "car-exampleaccountcreationrequestid",
                "AccountName": "Development",
                "State": "SUCCEEDED",
                "RequestedTimestamp": JOINED,
                "CompletedTimestamp": COMPLETED,
                "AccountId": "123456789012",
            }
        },
    ),
    (
        "DescribeCreateAccountStatus",
        {
            "CreateAccountStatus": {
                "Id": "car-exampleaccountcreationrequestid",
                "State": "FAILED",
                "RequestedTimestamp": JOINED,
                "FailureReason": "EMAIL_ALREADY_EXISTS",
            }
        },
    ),
    (
        "ListPolicies",
        {
            "Policies": [
                POLICY_SUMMARY,
                {**POLICY_SUMMARY, "Id": "p-examplepolicyid111", "AwsManaged": False},
            ],
            "NextToken": "opaque/+=token",
        },
    ),
    ("ListPolicies", {"Policies": []}),
    (
        "ListAccounts",
        {"Accounts": [ACCOUNT, {**ACCOUNT, "Id": "210987654321", "Name": "Ünïcode ✓"}]},
    ),
    (
        "CreatePolicy",
        {"Policy": {"PolicySummary": POLICY_SUMMARY, "Content": '{"Version":"2012-10-17"}'}},
    ),
    ("ListTagsForResource", {"Tags": [{"Key": "team", "Value": "platform"}]}),
]


class AccountStatus(enum.Enum):
    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"


@pytest.fixture
def orgs() -> Any:
    return load_service_model("organizations")


@pytest.fixture
def example() -> Any:
    return botocore.model.ServiceModel(SYNTHETIC, service_name="example")


def parse(shape: Any, body: bytes, status: int = 200) -> Any:
    """botocore's JSON parser, its `ResponseMetadata` dropped."""
    response = {"status_code": status, "headers": {}, "body": body}
    parsed = botocore.parsers.create_parser("json").parse(response, shape)
    parsed.pop("ResponseMetadata", None)
    return parsed


def parse_error(model: Any, status: int, body: bytes) -> Any:
    """An error as a botocore client sees it: `Error` from the body, then the members of the
    modeled error shape added (as `botocore.endpoint.Endpoint._add_modeled_error_fields`)."""
    parsed = parse(None, body, status)
    shape = model.shape_for_error_code(parsed["Error"]["Code"])
    if shape is not None:
        parsed.update(parse(shape, body, status))
    return parsed


@pytest.mark.parametrize(("operation", "result"), ORGANIZATIONS_RESULTS)
def test_botocore_parses_results_back(orgs: Any, operation: str, result: dict[str, Any]) -> None:
    op = orgs.operation_model(operation)
    assert parse(op.output_shape, encode_json_result(op, result)) == result


def test_document_is_compact_json_with_epoch_seconds(orgs: Any) -> None:
    body = encode_json_result(
        orgs.operation_model("DescribeAccount"),
        {"Account": {"Id": "123456789012", "Status": "ACTIVE", "JoinedTimestamp": JOINED}},
    )
    assert body == (
        b'{"Account":{"Id":"123456789012","Status":"ACTIVE","JoinedTimestamp":1795850897.123}}'
    )


@pytest.mark.parametrize(
    ("when", "written"),
    [
        (datetime(2026, 11, 28, 7, 28, 17, tzinfo=UTC), 1795850897),
        (datetime(2026, 11, 28, 7, 28, 17, 999999, tzinfo=UTC), 1795850897.999),
        (datetime(2026, 11, 28, 7, 28, 17, 1000, tzinfo=UTC), 1795850897.001),
        (datetime(2026, 11, 28, 7, 28, 17), 1795850897),
        (datetime(2026, 11, 28, 9, 28, 17, tzinfo=timezone(timedelta(hours=2))), 1795850897),
        (datetime(1969, 12, 31, 23, 59, 59, 500000, tzinfo=UTC), -0.5),
        ("2026-11-28T07:28:17.123Z", 1795850897.123),
        (1795850897.5, 1795850897.5),
    ],
)
def test_timestamps_are_epoch_seconds_to_the_millisecond(
    example: Any, when: Any, written: float
) -> None:
    body = encode_json_result(example.operation_model("Echo"), {"When": when})
    assert body == b'{"When":' + json.dumps(written).encode() + b"}"


def test_every_scalar_type(example: Any) -> None:
    op = example.operation_model("Echo")
    result = {
        "Renamed": "x",
        "Names": ["a", "b"],
        "Attrs": {"k": 1, "big": 2**40},
        "Total": 2**63 - 1,
        "Ratio": 0.1,
        "Flag": False,
        "When": JOINED,
        "Data": b"\x00\xffbinary",
        "Doc": {"free": ["form", 1, None]},
    }
    body = encode_json_result(op, result)
    assert json.loads(body)["otherName"] == "x"
    assert json.loads(body)["Data"] == "AP9iaW5hcnk="
    assert parse(op.output_shape, body) == result


@pytest.mark.parametrize(
    ("value", "written"), [(float("nan"), "NaN"), (float("inf"), "Infinity"), (-1e999, "-Infinity")]
)
def test_floats_json_cannot_express_are_strings(example: Any, value: float, written: str) -> None:
    body = encode_json_result(example.operation_model("Echo"), {"Ratio": value})
    assert json.loads(body) == {"Ratio": written}


def test_enums_are_written_by_value(orgs: Any) -> None:
    op = orgs.operation_model("DescribeAccount")
    body = encode_json_result(op, {"Account": {"Id": "1", "Status": AccountStatus.SUSPENDED}})
    assert json.loads(body) == {"Account": {"Id": "1", "Status": "SUSPENDED"}}


def test_none_members_are_left_out(orgs: Any) -> None:
    op = orgs.operation_model("ListPolicies")
    assert encode_json_result(op, {"Policies": [], "NextToken": None}) == b'{"Policies":[]}'
    assert encode_json_result(op, {}) == b"{}"


def test_text_is_utf8_and_lone_surrogates_do_not_fail(orgs: Any) -> None:
    op = orgs.operation_model("ListPolicies")
    assert encode_json_result(op, {"NextToken": 'é"\\\n<'}) == (
        '{"NextToken":"é\\"\\\\\\n<"}'.encode()
    )
    assert encode_json_result(op, {"NextToken": "a\ud800b"}) == b'{"NextToken":"a?b"}'


def test_unknown_members_are_programming_errors(orgs: Any) -> None:
    op = orgs.operation_model("DescribeAccount")
    with pytest.raises(ValueError, match="Nickname"):
        encode_json_result(op, {"Account": {"Id": "1", "Nickname": "dev"}})
    with pytest.raises(ValueError, match="Accounts"):
        encode_json_result(op, {"Accounts": []})


def test_operation_without_output_answers_an_empty_object(orgs: Any) -> None:
    op = orgs.operation_model("AttachPolicy")
    assert encode_json_result(op, {}) == b"{}"
    assert parse(op.output_shape, b"{}") == {}
    with pytest.raises(ValueError, match="AttachPolicy"):
        encode_json_result(op, {"Policy": {}})


def test_content_type() -> None:
    assert JSON_CONTENT_TYPE == "application/x-amz-json-1.1"


def test_error_with_reason(orgs: Any) -> None:
    error = ServiceError.from_model(
        orgs,
        "ConstraintViolationException",
        "You have exceeded the allowed number of accounts.",
        fields={"Reason": "ACCOUNT_NUMBER_LIMIT_EXCEEDED"},
    )
    status, body = encode_json_error(orgs, error)
    assert status == 400
    assert body == (
        b'{"__type":"ConstraintViolationException",'
        b'"Message":"You have exceeded the allowed number of accounts.",'
        b'"Reason":"ACCOUNT_NUMBER_LIMIT_EXCEEDED"}'
    )
    assert parse_error(orgs, status, body) == {
        "Error": {
            "Code": "ConstraintViolationException",
            "Message": "You have exceeded the allowed number of accounts.",
        },
        "Message": "You have exceeded the allowed number of accounts.",
        "Reason": "ACCOUNT_NUMBER_LIMIT_EXCEEDED",
    }


def test_error_without_fields(orgs: Any) -> None:
    error = ServiceError.from_model(orgs, "AccountNotFoundException", "You specified an account…")
    status, body = encode_json_error(orgs, error)
    assert json.loads(body) == {
        "__type": "AccountNotFoundException",
        "Message": "You specified an account…",
    }
    assert parse_error(orgs, status, body)["Error"] == {
        "Code": "AccountNotFoundException",
        "Message": "You specified an account…",
    }


def test_status_is_the_errors(orgs: Any) -> None:
    error = ServiceError("ServiceException", "internal error", 500, sender=False)
    status, body = encode_json_error(orgs, error)
    assert status == 500
    assert parse_error(orgs, status, body)["Error"]["Code"] == "ServiceException"


@pytest.mark.parametrize(
    ("code", "message_name"),
    [
        ("NotFound", "message"),
        ("RenamedError", "errorMessage"),
        ("Renamed", "errorMessage"),
        ("SerializationException", "message"),
    ],
)
def test_message_member_is_named_as_the_model_names_it(
    example: Any, code: str, message_name: str
) -> None:
    status, body = encode_json_error(example, ServiceError(code, "m", 404))
    assert (status, json.loads(body)) == (404, {"__type": code, message_name: "m"})


def test_message_member_without_a_model() -> None:
    error = ServiceError("UnknownOperationException", "Could not find operation X", 400)
    status, body = encode_json_error(None, error)
    assert (status, body) == (
        400,
        b'{"__type":"UnknownOperationException","message":"Could not find operation X"}',
    )


def test_botocore_reads_lowercase_messages_and_extra_fields(example: Any) -> None:
    error = ServiceError("NotFound", "no such thing", 404, fields={"resourceId": "r-1"})
    status, body = encode_json_error(example, error)
    assert parse_error(example, status, body) == {
        "Error": {"Code": "NotFound", "Message": "no such thing"},
        "message": "no such thing",
        "resourceId": "r-1",
    }


@pytest.mark.parametrize("name", ["__type", "Message"])
def test_fields_cannot_replace_the_code_or_message(orgs: Any, name: str) -> None:
    error = ServiceError.from_model(orgs, "InvalidInputException", "m", fields={name: "x"})
    with pytest.raises(ValueError, match=name):
        encode_json_error(orgs, error)
