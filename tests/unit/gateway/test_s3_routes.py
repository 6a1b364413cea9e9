"""`_s3_routes.match`: every operation of botocore's S3 model, serialized by botocore itself,
is recognised as that operation; the few that cannot be are named with their reason.

The requests are the ones botocore really sends: a client whose `before-send` handler stops
the call and keeps the prepared request. Input is the least the model requires (required
members only, each the smallest valid value), so an operation is told apart by what it must
carry, not by optional extras.
"""

from __future__ import annotations

import datetime
import functools
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import botocore.session
import pytest
from botocore import xform_name
from botocore.awsrequest import AWSPreparedRequest
from botocore.config import Config
from botocore.model import Shape

from localiam.auth import HttpRequestView
from localiam.catalog import Catalog
from localiam.gateway._model import GatewayRequest, Mapped, Unmappable
from localiam.gateway._s3 import S3, bucket_and_key
from localiam.gateway._s3_routes import match, routes

_CATALOG = Catalog()

#: Operations whose request is byte for byte their successor's: they are served as the
#: successor, which AWS authorizes with the same action (s3:GetLifecycleConfiguration, ...).
DEPRECATED_TWINS = {
    "GetBucketLifecycle": "GetBucketLifecycleConfiguration",
    "PutBucketLifecycle": "PutBucketLifecycleConfiguration",
    "GetBucketNotification": "GetBucketNotificationConfiguration",
    "PutBucketNotification": "PutBucketNotificationConfiguration",
}

#: Not served, so not routed: S3 Express (directory buckets) and S3 Object Lambda. CreateSession
#: and RenameObject reach the gateway (they are signed for `s3`) and must be refused, not taken
#: for the ListObjects or PutObject they resemble; ListDirectoryBuckets is signed for
#: `s3express` and WriteGetObjectResponse for `s3-object-lambda`, services the gateway is never
#: asked about, and on the wire ListDirectoryBuckets is ListBuckets.
NOT_SERVED = {
    "CreateSession": None,
    "RenameObject": None,
    "WriteGetObjectResponse": None,
    "ListDirectoryBuckets": "ListBuckets",
}


class _Sent(Exception):
    def __init__(self, request: AWSPreparedRequest) -> None:
        super().__init__("sent")
        self.request = request


def _stop(request: AWSPreparedRequest, **_: Any) -> None:
    raise _Sent(request)


@functools.cache
def _client(endpoint_url: str | None = "http://127.0.0.1:1", style: str = "path") -> Any:
    client = botocore.session.get_session().create_client(
        "s3",
        region_name="us-east-1",
        endpoint_url=endpoint_url,
        aws_access_key_id="AKIAEXAMPLE",
        aws_secret_access_key="x",
        config=Config(s3={"addressing_style": style}, retries={"total_max_attempts": 1}),
    )
    client.meta.events.register("before-send.*", _stop)
    return client


def _least(shape: Shape, name: str = "") -> Any:
    """The least input `shape` accepts: required members only, each as small as valid."""
    kind = shape.type_name
    if kind == "structure":
        members = shape.required_members
        if getattr(shape, "is_tagged_union", False):
            members = [next(iter(shape.members))]  # a union takes exactly one member
        return {m: _least(shape.members[m], m) for m in members}
    if kind == "list":
        return [_least(shape.member)]
    if kind == "map":
        return {"k": _least(shape.value)}
    if kind == "string":
        if shape.enum:
            return shape.enum[0]
        return {"Bucket": "bucket", "Key": "key"}.get(name, "x" * shape.metadata.get("min", 1))
    simple = {
        "integer": 1,
        "long": 1,
        "boolean": True,
        "blob": b"x",
        "double": 1.0,
        "float": 1.0,
        "timestamp": datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
    }
    return simple[kind]


def sent(operation: str, client: Any = None, **params: Any) -> AWSPreparedRequest:
    """The request botocore sends for `operation` (the least input unless `params` given)."""
    client = client or _client()
    if not params:
        shape = client.meta.service_model.operation_model(operation).input_shape
        params = _least(shape) if shape is not None else {}
    with pytest.raises(_Sent) as stopped:
        getattr(client, xform_name(operation))(**params)
    return stopped.value.request


def routed(request: AWSPreparedRequest) -> str | None:
    """The operation the gateway's router takes `request` for."""
    parts = urlsplit(request.url)
    headers = {
        k.lower(): v.decode() if isinstance(v, bytes) else str(v)
        for k, v in request.headers.items()
    }
    bucket, key = bucket_and_key(parts.path, parts.netloc)
    form = "service" if bucket is None else ("bucket" if key is None else "object")
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    return match(request.method, form, query, headers)


OPERATIONS = sorted(_client().meta.service_model.operation_names)


def test_the_model_has_every_operation_the_router_knows() -> None:
    assert sorted(r.operation for r in routes()) == OPERATIONS
    assert len(OPERATIONS) > 100


@pytest.mark.parametrize("operation", OPERATIONS)
def test_each_operation_botocore_sends_is_routed_to_itself(operation: str) -> None:
    expected = DEPRECATED_TWINS.get(operation, NOT_SERVED.get(operation, operation))

    assert routed(sent(operation)) == expected


def _view(request: AWSPreparedRequest) -> HttpRequestView:
    """The request as the server receives it."""
    parts = urlsplit(request.url)
    headers = [
        (k, v.decode() if isinstance(v, bytes) else str(v)) for k, v in request.headers.items()
    ]
    body: Any = request.body or b""
    if isinstance(body, str):
        body = body.encode()
    elif not isinstance(body, bytes):
        body = body.read()
    return HttpRequestView(
        request.method, parts.path, parts.query, [*headers, ("Host", parts.netloc)], body
    )


def _map(request: AWSPreparedRequest) -> Mapped:
    gateway_request = GatewayRequest(_view(request), "s3", "us-east-1", "123456789012", "req")
    return S3(lambda bucket: "123456789012", lambda *_: {}).map(gateway_request)


@pytest.mark.parametrize("operation", [o for o in OPERATIONS if o not in NOT_SERVED])
def test_each_served_operation_is_authorized_with_actions_the_reference_has(
    operation: str,
) -> None:
    mapped = _map(sent(operation))

    assert mapped.operation == DEPRECATED_TWINS.get(operation, operation)
    unknown = [c.action for c in mapped.checks if _CATALOG.action(c.action) is None]
    assert mapped.checks and unknown == []


@pytest.mark.parametrize("operation", [o for o, twin in NOT_SERVED.items() if twin is None])
def test_operations_not_served_that_reach_the_gateway_are_unmappable(operation: str) -> None:
    with pytest.raises(Unmappable, match="cannot tell which S3 operation"):
        _map(sent(operation))


@pytest.mark.parametrize(
    ("operation", "params", "expected"),
    [
        # Optional members that name a more specific operation.
        ("ListObjectsV2", {"Bucket": "b", "Prefix": "a/", "MaxKeys": 5}, "ListObjectsV2"),
        ("ListObjects", {"Bucket": "b", "Prefix": "a/", "Marker": "m"}, "ListObjects"),
        ("GetObject", {"Bucket": "b", "Key": "k", "VersionId": "v1"}, "GetObject"),
        ("GetObject", {"Bucket": "b", "Key": "k", "PartNumber": 2}, "GetObject"),
        (
            "UploadPartCopy",
            {"Bucket": "b", "Key": "k", "CopySource": "s/k", "PartNumber": 1, "UploadId": "u"},
            "UploadPartCopy",
        ),
        ("UploadPart", {"Bucket": "b", "Key": "k", "PartNumber": 1, "UploadId": "u"}, "UploadPart"),
        ("CopyObject", {"Bucket": "b", "Key": "k", "CopySource": "s/k"}, "CopyObject"),
        ("PutObject", {"Bucket": "b", "Key": "k", "Body": b"x", "Tagging": "a=1"}, "PutObject"),
        ("DeleteObjects", {"Bucket": "b", "Delete": {"Objects": [{"Key": "k"}]}}, "DeleteObjects"),
        ("ListBuckets", {"MaxBuckets": 3, "Prefix": "p"}, "ListBuckets"),
        ("HeadObject", {"Bucket": "b", "Key": "a/b/c.txt"}, "HeadObject"),
        ("GetObject", {"Bucket": "b", "Key": "dir/"}, "GetObject"),
    ],
)
def test_optional_members_do_not_change_the_operation(
    operation: str, params: dict[str, Any], expected: str
) -> None:
    assert routed(sent(operation, **params)) == expected


@pytest.mark.parametrize(
    ("method", "form", "query"),
    [
        ("GET", "bucket", {"session": ""}),  # S3 Express CreateSession
        ("PATCH", "object", {}),
        ("POST", "bucket", {}),
        ("PUT", "service", {}),
        ("DELETE", "service", {}),
        ("POST", "object", {}),
    ],
)
def test_requests_no_served_operation_fits_are_not_routed(
    method: str, form: str, query: dict[str, str]
) -> None:
    assert match(method, form, query, {}) is None


@pytest.mark.parametrize(
    ("operation", "params"),
    [
        ("GetObject", {"Bucket": "bucket", "Key": "a b/c+d ü.txt"}),
        ("PutObject", {"Bucket": "bucket", "Key": "dir/k", "Body": b"x"}),
        ("ListObjectsV2", {"Bucket": "bucket", "Prefix": "dir/"}),
        ("GetBucketPolicy", {"Bucket": "bucket"}),
        ("DeleteObjects", {"Bucket": "bucket", "Delete": {"Objects": [{"Key": "k"}]}}),
    ],
)
@pytest.mark.parametrize(
    ("endpoint", "host"),
    [
        ("http://localhost:4599", "bucket.localhost:4599"),
        (None, "bucket.s3.amazonaws.com"),
    ],
)
def test_virtual_hosted_requests_name_the_same_bucket_and_key_as_path_style(
    operation: str, params: dict[str, Any], endpoint: str | None, host: str
) -> None:
    path_style = sent(operation, _client(), **params)
    virtual = sent(operation, _client(endpoint, "virtual"), **params)
    path_parts, virtual_parts = urlsplit(path_style.url), urlsplit(virtual.url)

    assert virtual_parts.netloc == host
    assert bucket_and_key(virtual_parts.path, virtual_parts.netloc) == bucket_and_key(
        path_parts.path, path_parts.netloc
    )
    assert routed(virtual) == routed(path_style) == operation


@pytest.mark.parametrize(
    ("path", "host", "expected"),
    [
        ("/", "s3.amazonaws.com", (None, None)),
        ("/", "s3.us-east-1.amazonaws.com", (None, None)),
        ("/", "localhost:4599", (None, None)),
        ("/", "127.0.0.1:4599", (None, None)),
        ("/b", "127.0.0.1:4599", ("b", None)),
        ("/b/", "127.0.0.1:4599", ("b", None)),
        ("/b/a/b%20c", "127.0.0.1:4599", ("b", "a/b c")),
        ("/", "my.dotted.bucket.s3.amazonaws.com", ("my.dotted.bucket", None)),
        ("/k", "b.s3.eu-west-1.amazonaws.com", ("b", "k")),
        ("/k", "b.s3.us-east-1.amazonaws.com:443", ("b", "k")),
        ("/a/%2F/b", "b.localhost", ("b", "a///b")),
        ("/", "[::1]:4599", (None, None)),
    ],
)
def test_bucket_and_key(path: str, host: str, expected: tuple[str | None, str | None]) -> None:
    assert bucket_and_key(path, host) == expected
