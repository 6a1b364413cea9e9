"""decode_json: what botocore's JSON serializer writes, we read back as the same parameters."""

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import botocore.model
import botocore.serialize
import pytest

from localiam.protocol import ServiceError, decode_json, load_service_model

TARGET = "AWSOrganizationsV20161128"

# A JSON 1.1 model with the wire features Organizations does not use: every scalar type, maps,
# a member with a `locationName`, a recursive structure and a document.
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
            "input": {"shape": "Everything"},
        },
        "Nothing": {"name": "Nothing", "http": {"method": "POST", "requestUri": "/"}},
    },
    "shapes": {
        "Everything": {
            "type": "structure",
            "members": {
                "Renamed": {"shape": "Str", "locationName": "otherName"},
                "Names": {"shape": "StrList"},
                "Attrs": {"shape": "StrMap"},
                "Nested": {"shape": "Everything"},
                "Count": {"shape": "Int"},
                "Total": {"shape": "Long"},
                "Ratio": {"shape": "Double"},
                "Flag": {"shape": "Bool"},
                "When": {"shape": "Time"},
                "Data": {"shape": "Blob"},
                "Doc": {"shape": "Doc"},
            },
        },
        "Str": {"type": "string"},
        "Int": {"type": "integer"},
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

WHEN = datetime(2026, 11, 28, 7, 28, 17, tzinfo=UTC)
TAGS = [{"Key": "team", "Value": "platform"}, {"Key": "cost-center", "Value": "Plätze 1"}]


@pytest.fixture
def orgs() -> Any:
    return load_service_model("organizations")


@pytest.fixture
def example() -> Any:
    return botocore.model.ServiceModel(SYNTHETIC, service_name="example")


def serialize(model: Any, operation: str, params: dict[str, Any]) -> tuple[str, bytes]:
    """botocore's JSON serializer: the `X-Amz-Target` header and body it sends."""
    serializer = botocore.serialize.create_serializer("json")
    request = serializer.serialize_to_request(params, model.operation_model(operation))
    return request["headers"]["X-Amz-Target"], request["body"]


def decode(model: Any, operation: str, body: Any) -> dict[str, Any]:
    """`body` (a JSON value, or bytes as they are) decoded as a request for `operation`."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    target = f"{model.metadata['targetPrefix']}.{operation}"
    found, params = decode_json(model, target, raw)
    assert found.name == operation
    return params


def failure(model: Any, target: str | None, body: bytes) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        decode_json(model, target, body)
    assert (caught.value.status, caught.value.sender) == (400, True)
    return caught.value


ORGANIZATIONS_REQUESTS: list[tuple[str, dict[str, Any]]] = [
    (
        "CreatePolicy",
        {
            "Content": json.dumps({"Version": "2012-10-17", "Statement": []}),
            "Description": "Deny leaving the organization",
            "Name": "deny-leave",
            "Type": "SERVICE_CONTROL_POLICY",
            "Tags": TAGS,
        },
    ),
    ("AttachPolicy", {"PolicyId": "p-examplepolicyid111", "TargetId": "ou-ab12-cdefgh34"}),
    ("ListAccounts", {}),
    ("ListAccounts", {"NextToken": "opaque/+=token", "MaxResults": 20}),
    ("TagResource", {"ResourceId": "123456789012", "Tags": TAGS}),
    ("TagResource", {"ResourceId": "r-ab12", "Tags": []}),
    (
        "CreateAccount",
        {
            "Email": "dev@example.com",
            "AccountName": "Development",
            "RoleName": "OrganizationAccountAccessRole",
            "IamUserAccessToBilling": "DENY",
            "Tags": TAGS,
        },
    ),
    ("ListPolicies", {"Filter": "TAG_POLICY", "MaxResults": 5}),
    ("UntagResource", {"ResourceId": "123456789012", "TagKeys": ["team", "cost-center"]}),
    ("EnableAllFeatures", {}),
    ("DeleteOrganization", {}),
]


@pytest.mark.parametrize(("operation", "params"), ORGANIZATIONS_REQUESTS)
def test_botocore_requests_decode_to_their_params(
    orgs: Any, operation: str, params: dict[str, Any]
) -> None:
    target, body = serialize(orgs, operation, params)
    found, decoded = decode_json(orgs, target, body)
    assert found is orgs.operation_model(operation)
    assert decoded == params


def test_every_scalar_type_round_trips(example: Any) -> None:
    params = {
        "Renamed": "x",
        "Names": ["a", "b"],
        "Attrs": {"k": 1, "big": 2**40},
        "Nested": {"Nested": {"Flag": False, "Names": []}},
        "Count": -7,
        "Total": 2**63 - 1,
        "Ratio": 0.25,
        "Flag": True,
        "When": WHEN,
        "Data": b"\x00\xffbinary",
        "Doc": {"free": ["form", 1, None]},
    }
    target, body = serialize(example, "Echo", params)
    assert json.loads(body)["otherName"] == "x"
    assert decode_json(example, target, body)[1] == params


def test_botocore_sub_second_timestamps(example: Any) -> None:
    when = WHEN + timedelta(microseconds=123456)
    target, body = serialize(example, "Echo", {"When": when})
    assert decode_json(example, target, body)[1] == {"When": when}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (1795850897, WHEN),
        (1795850897.5, WHEN + timedelta(milliseconds=500)),
        ("2026-11-28T07:28:17Z", WHEN),
        ("2026-11-28T07:28:17.250Z", WHEN + timedelta(milliseconds=250)),
        ("2026-11-28T09:28:17+02:00", WHEN),
        ("2026-11-28T07:28:17", WHEN),
    ],
)
def test_timestamps_are_aware_utc(example: Any, raw: Any, expected: datetime) -> None:
    when = decode(example, "Echo", {"When": raw})["When"]
    assert when == expected
    assert when.tzinfo is UTC


def test_other_offsets_are_converted_to_utc(example: Any) -> None:
    when = decode(example, "Echo", {"When": "2026-11-28T02:28:17-05:00"})["When"]
    assert when.utcoffset() == timedelta(0)
    assert when == WHEN.astimezone(timezone(timedelta(hours=-5)))


def test_integral_numbers_are_integers(orgs: Any, example: Any) -> None:
    assert decode(orgs, "ListAccounts", {"MaxResults": 5.0}) == {"MaxResults": 5}
    assert type(decode(orgs, "ListAccounts", {"MaxResults": 5.0})["MaxResults"]) is int
    assert decode(example, "Echo", {"Ratio": 3}) == {"Ratio": 3.0}


@pytest.mark.parametrize(
    ("raw", "check"),
    [("NaN", lambda x: x != x), ("Infinity", lambda x: x > 1e308), ("-Infinity", lambda x: x < 0)],
)
def test_smithy_special_floats(example: Any, raw: str, check: Any) -> None:
    assert check(decode(example, "Echo", {"Ratio": raw})["Ratio"])


def test_unknown_members_are_ignored(orgs: Any) -> None:
    body = {"ResourceId": "r-ab12", "Tags": [{"Key": "k", "Value": "v", "Extra": 1}], "X": [1]}
    assert decode(orgs, "TagResource", body) == {
        "ResourceId": "r-ab12",
        "Tags": [{"Key": "k", "Value": "v"}],
    }


def test_a_location_name_is_the_only_wire_name(example: Any) -> None:
    assert decode(example, "Echo", {"Renamed": "x"}) == {}
    assert decode(example, "Echo", {"otherName": "x"}) == {"Renamed": "x"}


def test_null_is_absent(orgs: Any, example: Any) -> None:
    assert decode(orgs, "ListAccounts", {"NextToken": None, "MaxResults": None}) == {}
    assert decode(example, "Echo", {"Names": ["a", None], "Attrs": {"a": None, "b": 2}}) == {
        "Names": ["a"],
        "Attrs": {"b": 2},
    }


@pytest.mark.parametrize("body", [b"", b"  \r\n", b"{}", b" { } "])
def test_empty_bodies_are_empty_objects(orgs: Any, body: bytes) -> None:
    assert decode(orgs, "ListAccounts", body) == {}


def test_operation_without_input_still_needs_an_object(orgs: Any) -> None:
    assert decode(orgs, "DeleteOrganization", b"") == {}
    assert decode(orgs, "DeleteOrganization", {"Anything": 1}) == {}
    assert failure(orgs, f"{TARGET}.DeleteOrganization", b"[]").code == "SerializationException"


@pytest.mark.parametrize(
    ("body", "shown"),
    [
        (b"[]", "an array"),
        (b'"text"', "a string"),
        (b"12", "a number"),
        (b"true", "a boolean"),
        (b"null", "null"),
    ],
)
def test_body_must_be_an_object(orgs: Any, body: bytes, shown: str) -> None:
    error = failure(orgs, f"{TARGET}.ListAccounts", body)
    assert error.code == "SerializationException"
    assert error.message == f"The request body must be a JSON object, not {shown}."


@pytest.mark.parametrize(
    "body",
    [
        b"{",
        b'{"MaxResults": 5,}',
        b"{'MaxResults': 5}",
        b'{"MaxResults": NaN}',
        b'{"MaxResults": Infinity}',
        b'{"NextToken": "\xff"}',
        b'{"a": 1} {"b": 2}',
        b"[" * 100_000,
    ],
)
def test_bad_json(orgs: Any, body: bytes) -> None:
    error = failure(orgs, f"{TARGET}.ListAccounts", body)
    assert (error.code, error.message) == (
        "SerializationException",
        "The request body is not valid JSON.",
    )


@pytest.mark.parametrize(
    ("operation", "body", "message"),
    [
        (
            "ListAccounts",
            {"MaxResults": "5"},
            "Expected an integer at 'maxResults', but got a string.",
        ),
        (
            "ListAccounts",
            {"MaxResults": 1.5},
            "Expected an integer at 'maxResults', but got a number.",
        ),
        (
            "ListAccounts",
            {"MaxResults": True},
            "Expected an integer at 'maxResults', but got a boolean.",
        ),
        ("ListAccounts", {"NextToken": 5}, "Expected a string at 'nextToken', but got a number."),
        (
            "ListAccounts",
            {"NextToken": ["t"]},
            "Expected a string at 'nextToken', but got an array.",
        ),
        ("TagResource", {"Tags": {"Key": "k"}}, "Expected an array at 'tags', but got an object."),
        (
            "TagResource",
            {"Tags": ["k"]},
            "Expected an object at 'tags.1.member', but got a string.",
        ),
        (
            "TagResource",
            {"Tags": [{"Key": "k", "Value": "v"}, {"Key": False}]},
            "Expected a string at 'tags.2.member.key', but got a boolean.",
        ),
        ("Echo", {"Flag": "true"}, "Expected a boolean at 'flag', but got a string."),
        ("Echo", {"Flag": 1}, "Expected a boolean at 'flag', but got a number."),
        ("Echo", {"Ratio": "0.5"}, "Expected a number at 'ratio', but got a string."),
        ("Echo", {"Attrs": ["a"]}, "Expected an object at 'attrs', but got an array."),
        ("Echo", {"Attrs": {"k": "v"}}, "Expected an integer at 'attrs.k', but got a string."),
        (
            "Echo",
            {"Nested": {"Names": "a"}},
            "Expected an array at 'nested.names', but got a string.",
        ),
        ("Echo", {"When": "yesterday"}, "Expected a timestamp at 'when', but got a string."),
        ("Echo", {"When": True}, "Expected a timestamp at 'when', but got a boolean."),
        ("Echo", {"When": 1e300}, "Expected a timestamp at 'when', but got a number."),
        (
            "Echo",
            {"Data": "not base64!"},
            "Expected a base64-encoded string at 'data', but got a string.",
        ),
        ("Echo", {"Data": 12}, "Expected a base64-encoded string at 'data', but got a number."),
    ],
)
def test_wrong_types_name_the_member(
    orgs: Any, example: Any, operation: str, body: dict[str, Any], message: str
) -> None:
    model = example if operation == "Echo" else orgs
    target = f"{model.metadata['targetPrefix']}.{operation}"
    error = failure(model, target, json.dumps(body).encode())
    assert (error.code, error.message) == ("SerializationException", message)


@pytest.mark.parametrize(
    ("member", "value", "bits"),
    [("Count", 2**31, 32), ("Count", -(2**31) - 1, 32), ("Total", 2**63, 64)],
)
def test_integers_must_fit_their_width(example: Any, member: str, value: int, bits: int) -> None:
    error = failure(example, "Example_20200101.Echo", json.dumps({member: value}).encode())
    assert error.code == "SerializationException"
    assert error.message == f"Value {value} at '{member.lower()}' is not a {bits}-bit integer."


def test_integers_at_their_limits(example: Any) -> None:
    assert decode(example, "Echo", {"Count": -(2**31), "Total": 2**63 - 1}) == {
        "Count": -(2**31),
        "Total": 2**63 - 1,
    }


@pytest.mark.parametrize("target", [None, ""])
def test_missing_target(orgs: Any, target: str | None) -> None:
    error = failure(orgs, target, b"{}")
    assert (error.code, error.message) == (
        "UnknownOperationException",
        "Missing X-Amz-Target header",
    )


@pytest.mark.parametrize(
    "target",
    [
        f"{TARGET}.NoSuchOperation",
        f"{TARGET}.listAccounts",
        f"{TARGET}.",
        "ListAccounts",
        TARGET,
        "AWSOrganizationsV20160101.ListAccounts",
        "DynamoDB_20120810.ListAccounts",
        f"x{TARGET}.ListAccounts",
        f"{TARGET}.ListAccounts.Extra",
    ],
)
def test_unknown_operation(orgs: Any, target: str) -> None:
    error = failure(orgs, target, b"{}")
    assert (error.code, error.message) == (
        "UnknownOperationException",
        f"Could not find operation {target}",
    )


def test_unknown_operation_is_reported_before_a_bad_body(orgs: Any) -> None:
    assert failure(orgs, "Nope.Nope", b"{").code == "UnknownOperationException"
