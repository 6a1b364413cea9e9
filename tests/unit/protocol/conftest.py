"""Fixtures: the IAM and STS models, botocore's query serializer and parser, and a small
query-protocol service model with the wire features IAM and STS do not use:
flattened lists, `locationName` on members, list elements and map keys/values, and every
scalar type."""

from typing import Any

import botocore.model
import botocore.parsers
import botocore.serialize
import pytest

from localiam.protocol import load_service_model

SYNTHETIC: dict[str, Any] = {
    "version": "2.0",
    "metadata": {
        "apiVersion": "2020-01-01",
        "endpointPrefix": "example",
        "protocol": "query",
        "serviceId": "Example",
        "signatureVersion": "v4",
        "xmlNamespace": "https://example.amazonaws.com/doc/2020-01-01/",
    },
    "operations": {
        "Echo": {
            "name": "Echo",
            "http": {"method": "POST", "requestUri": "/"},
            "input": {"shape": "Everything"},
            "output": {"shape": "Everything", "resultWrapper": "EchoResult"},
            "errors": [{"shape": "Busy"}],
        },
        "Nothing": {"name": "Nothing", "http": {"method": "POST", "requestUri": "/"}},
    },
    "shapes": {
        "Everything": {
            "type": "structure",
            "members": {
                "Renamed": {"shape": "Str", "locationName": "OtherName"},
                "Flat": {"shape": "FlatList"},
                "FlatNamed": {"shape": "FlatNamedList"},
                "Named": {"shape": "NamedList"},
                "Attrs": {"shape": "NamedMap"},
                "FlatAttrs": {"shape": "FlatMap"},
                "Nested": {"shape": "Everything"},
                "Count": {"shape": "Long"},
                "Ratio": {"shape": "Double"},
                "Flag": {"shape": "Bool"},
                "When": {"shape": "Time"},
                "Data": {"shape": "Blob"},
            },
        },
        "Busy": {
            "type": "structure",
            "members": {},
            "error": {"code": "Busy", "httpStatusCode": 503},
            "exception": True,
        },
        "Str": {"type": "string"},
        "Long": {"type": "long"},
        "Double": {"type": "double"},
        "Bool": {"type": "boolean"},
        "Time": {"type": "timestamp"},
        "Blob": {"type": "blob"},
        "FlatList": {"type": "list", "member": {"shape": "Str"}, "flattened": True},
        "FlatNamedList": {
            "type": "list",
            "member": {"shape": "Str", "locationName": "Item"},
            "flattened": True,
        },
        "NamedList": {"type": "list", "member": {"shape": "Str", "locationName": "Entry"}},
        "NamedMap": {
            "type": "map",
            "key": {"shape": "Str", "locationName": "Name"},
            "value": {"shape": "Str", "locationName": "Val"},
        },
        "FlatMap": {
            "type": "map",
            "key": {"shape": "Str"},
            "value": {"shape": "Long"},
            "flattened": True,
        },
    },
}


@pytest.fixture
def example() -> Any:
    return botocore.model.ServiceModel(SYNTHETIC, service_name="example")


@pytest.fixture
def iam() -> Any:
    return load_service_model("iam")


@pytest.fixture
def sts() -> Any:
    return load_service_model("sts")


@pytest.fixture
def serialize() -> Any:
    """botocore's query serializer: (model, operation name, params) -> form fields."""
    serializer = botocore.serialize.create_serializer("query")

    def run(model: Any, operation: str, params: dict[str, Any]) -> dict[str, str]:
        body = serializer.serialize_to_request(params, model.operation_model(operation))["body"]
        return {key: str(value) for key, value in body.items()}

    return run


@pytest.fixture
def parse() -> Any:
    """botocore's query parser: (model, operation name or None for an error, body, status)
    -> the parsed dict, its `ResponseMetadata` reduced to the `RequestId`."""
    parser = botocore.parsers.create_parser("query")

    def run(model: Any, operation: str | None, body: bytes, status: int = 200) -> Any:
        shape = model.operation_model(operation).output_shape if operation else None
        response = {"body": body, "headers": {}, "status_code": status}
        parsed = parser.parse(response, shape)
        parsed["ResponseMetadata"] = {"RequestId": parsed["ResponseMetadata"]["RequestId"]}
        return parsed

    return run
