"""`S3.map`: the action, resource and S3 condition keys AWS authorizes each request with, from
requests botocore itself serializes (https://docs.aws.amazon.com/AmazonS3/latest/userguide/
using-with-s3-policy-actions.html; keys from
https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html)."""

from __future__ import annotations

import functools
from typing import Any
from urllib.parse import urlsplit

import botocore.session
import pytest
from botocore import xform_name
from botocore.awsrequest import AWSPreparedRequest
from botocore.config import Config

from localiam.auth import HttpRequestView
from localiam.gateway._model import GatewayRequest, Mapped, Unmappable
from localiam.gateway._s3 import S3

ACCOUNT = "123456789012"
OTHER = "210987654321"
#: Buckets that exist, and their owners; others do not exist yet.
OWNERS = {"bucket": ACCOUNT, "source": ACCOUNT, "theirs": OTHER}
#: The tags of existing objects: (bucket, key, version) -> tags.
TAGS: dict[tuple[str, str, str | None], dict[str, str]] = {
    ("bucket", "key", None): {"team": "red", "stage": "prod"},
    ("bucket", "key", "v1"): {"team": "blue"},
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


def _view(request: AWSPreparedRequest) -> HttpRequestView:
    """The request as the server receives it."""
    parts = urlsplit(request.url)
    headers = [
        (name, value.decode("latin-1") if isinstance(value, bytes) else value)
        for name, value in request.headers.items()
    ]
    headers.append(("Host", parts.netloc))
    body: Any = request.body or b""
    if isinstance(body, str):
        body = body.encode()
    elif not isinstance(body, bytes):
        body = body.read()
    return HttpRequestView(request.method, parts.path or "/", parts.query, headers, body)


def _tags(account: str, bucket: str, key: str, version: str | None) -> dict[str, str]:
    assert account == OWNERS.get(bucket, ACCOUNT)
    return TAGS.get((bucket, key, version), {})


def mapped(
    operation: str, client: Any = None, caller: str | None = ACCOUNT, **params: Any
) -> Mapped:
    """What the S3 adapter makes of the request botocore sends for `operation`."""
    with pytest.raises(_Sent) as stopped:
        getattr(client or _client(), xform_name(operation))(**params)
    request = GatewayRequest(_view(stopped.value.request), "s3", "us-east-1", caller, "req-1")
    return S3(OWNERS.get, _tags).map(request)


def checks(found: Mapped) -> list[tuple[str, str]]:
    return [(c.action, c.resource) for c in found.checks]


def s3_keys(found: Mapped, index: int = 0) -> dict[str, object]:
    """The S3 condition keys of one check, without those every signed request carries."""
    always = {"s3:authType", "s3:signatureversion", "s3:x-amz-content-sha256"}
    return {k: v for k, v in found.checks[index].context.items() if k not in always}


# -- the action/resource table --------------------------------------------------------------


@pytest.mark.parametrize(
    ("operation", "params", "action", "resource"),
    [
        ("ListObjectsV2", {"Bucket": "bucket"}, "s3:ListBucket", "arn:aws:s3:::bucket"),
        ("ListObjects", {"Bucket": "bucket"}, "s3:ListBucket", "arn:aws:s3:::bucket"),
        ("HeadBucket", {"Bucket": "bucket"}, "s3:ListBucket", "arn:aws:s3:::bucket"),
        ("ListBuckets", {}, "s3:ListAllMyBuckets", "*"),
        (
            "GetObject",
            {"Bucket": "bucket", "Key": "key"},
            "s3:GetObject",
            "arn:aws:s3:::bucket/key",
        ),
        (
            "HeadObject",
            {"Bucket": "bucket", "Key": "key"},
            "s3:GetObject",
            "arn:aws:s3:::bucket/key",
        ),
        (
            "PutObject",
            {"Bucket": "bucket", "Key": "a/b c.txt", "Body": b"x"},
            "s3:PutObject",
            "arn:aws:s3:::bucket/a/b c.txt",
        ),
        (
            "DeleteObject",
            {"Bucket": "bucket", "Key": "key"},
            "s3:DeleteObject",
            "arn:aws:s3:::bucket/key",
        ),
        (
            "DeleteObjects",
            {"Bucket": "bucket", "Delete": {"Objects": [{"Key": "key"}]}},
            "s3:DeleteObject",
            "arn:aws:s3:::bucket",
        ),
        (
            "GetObject",
            {"Bucket": "bucket", "Key": "key", "VersionId": "v1"},
            "s3:GetObjectVersion",
            "arn:aws:s3:::bucket/key",
        ),
        (
            "DeleteObject",
            {"Bucket": "bucket", "Key": "key", "VersionId": "v1"},
            "s3:DeleteObjectVersion",
            "arn:aws:s3:::bucket/key",
        ),
        (
            "CreateMultipartUpload",
            {"Bucket": "bucket", "Key": "big"},
            "s3:PutObject",
            "arn:aws:s3:::bucket/big",
        ),
        (
            "UploadPart",
            {"Bucket": "bucket", "Key": "big", "PartNumber": 1, "UploadId": "u", "Body": b"x"},
            "s3:PutObject",
            "arn:aws:s3:::bucket/big",
        ),
        (
            "CompleteMultipartUpload",
            {"Bucket": "bucket", "Key": "big", "UploadId": "u"},
            "s3:PutObject",
            "arn:aws:s3:::bucket/big",
        ),
        (
            "AbortMultipartUpload",
            {"Bucket": "bucket", "Key": "big", "UploadId": "u"},
            "s3:AbortMultipartUpload",
            "arn:aws:s3:::bucket/big",
        ),
        (
            "ListParts",
            {"Bucket": "bucket", "Key": "big", "UploadId": "u"},
            "s3:ListMultipartUploadParts",
            "arn:aws:s3:::bucket/big",
        ),
        (
            "ListMultipartUploads",
            {"Bucket": "bucket"},
            "s3:ListBucketMultipartUploads",
            "arn:aws:s3:::bucket",
        ),
        (
            "ListObjectVersions",
            {"Bucket": "bucket"},
            "s3:ListBucketVersions",
            "arn:aws:s3:::bucket",
        ),
        ("CreateBucket", {"Bucket": "new"}, "s3:CreateBucket", "arn:aws:s3:::new"),
        ("DeleteBucket", {"Bucket": "bucket"}, "s3:DeleteBucket", "arn:aws:s3:::bucket"),
        ("GetBucketPolicy", {"Bucket": "bucket"}, "s3:GetBucketPolicy", "arn:aws:s3:::bucket"),
        (
            "PutBucketPolicy",
            {"Bucket": "bucket", "Policy": "{}"},
            "s3:PutBucketPolicy",
            "arn:aws:s3:::bucket",
        ),
        (
            "DeleteBucketPolicy",
            {"Bucket": "bucket"},
            "s3:DeleteBucketPolicy",
            "arn:aws:s3:::bucket",
        ),
        (
            "PutBucketTagging",
            {"Bucket": "bucket", "Tagging": {"TagSet": [{"Key": "a", "Value": "1"}]}},
            "s3:PutBucketTagging",
            "arn:aws:s3:::bucket",
        ),
        (
            "DeleteBucketTagging",
            {"Bucket": "bucket"},
            "s3:PutBucketTagging",
            "arn:aws:s3:::bucket",
        ),
        (
            "GetObjectTagging",
            {"Bucket": "bucket", "Key": "key"},
            "s3:GetObjectTagging",
            "arn:aws:s3:::bucket/key",
        ),
        (
            "GetObjectTagging",
            {"Bucket": "bucket", "Key": "key", "VersionId": "v1"},
            "s3:GetObjectVersionTagging",
            "arn:aws:s3:::bucket/key",
        ),
        (
            "DeleteBucketEncryption",
            {"Bucket": "bucket"},
            "s3:PutEncryptionConfiguration",
            "arn:aws:s3:::bucket",
        ),
        (
            "GetBucketLifecycleConfiguration",
            {"Bucket": "bucket"},
            "s3:GetLifecycleConfiguration",
            "arn:aws:s3:::bucket",
        ),
        (
            "GetBucketLifecycle",  # deprecated; the same request and action as its successor
            {"Bucket": "bucket"},
            "s3:GetLifecycleConfiguration",
            "arn:aws:s3:::bucket",
        ),
        (
            "PutPublicAccessBlock",
            {
                "Bucket": "bucket",
                "PublicAccessBlockConfiguration": {"BlockPublicAcls": True},
            },
            "s3:PutBucketPublicAccessBlock",
            "arn:aws:s3:::bucket",
        ),
        ("GetBucketCors", {"Bucket": "bucket"}, "s3:GetBucketCORS", "arn:aws:s3:::bucket"),
    ],
)
def test_action_and_resource(
    operation: str, params: dict[str, Any], action: str, resource: str
) -> None:
    found = mapped(operation, **params)

    assert checks(found) == [(action, resource)]
    assert found.checks[0].policy_resource == (
        None if resource == "*" else "arn:aws:s3:::" + (params["Bucket"])
    )


def test_every_action_the_table_gives_is_one_the_service_authorization_reference_has() -> None:
    from localiam.catalog import Catalog
    from localiam.gateway._s3 import _ACTIONS, _VERSIONED

    catalog = Catalog()
    unknown = [
        a for a in {*_ACTIONS.values(), *_VERSIONED.values()} if not catalog.action(f"s3:{a}")
    ]
    assert unknown == []


def test_list_objects_v2_carries_prefix_delimiter_and_max_keys() -> None:
    found = mapped("ListObjectsV2", Bucket="bucket", Prefix="home/alice/", Delimiter="/", MaxKeys=7)

    assert checks(found) == [("s3:ListBucket", "arn:aws:s3:::bucket")]
    assert s3_keys(found) == {"s3:prefix": "home/alice/", "s3:delimiter": "/", "s3:max-keys": "7"}


def test_list_objects_without_a_prefix_carries_no_prefix_key() -> None:
    assert s3_keys(mapped("ListObjectsV2", Bucket="bucket")) == {}


def test_put_object_with_a_canned_acl_carries_x_amz_acl() -> None:
    found = mapped("PutObject", Bucket="bucket", Key="key", Body=b"x", ACL="public-read")

    assert checks(found) == [("s3:PutObject", "arn:aws:s3:::bucket/key")]
    assert s3_keys(found)["s3:x-amz-acl"] == "public-read"


def test_put_object_carries_its_request_tags_and_encryption() -> None:
    found = mapped(
        "PutObject",
        Bucket="bucket",
        Key="key",
        Body=b"x",
        Tagging="team=red&cost=12",
        ServerSideEncryption="aws:kms",
    )

    assert s3_keys(found) == {
        "s3:RequestObjectTag/team": "red",
        "s3:RequestObjectTag/cost": "12",
        "s3:RequestObjectTagKeys": ["team", "cost"],
        "s3:x-amz-server-side-encryption": "aws:kms",
    }


def test_get_object_of_a_version_carries_the_version_and_that_versions_tags() -> None:
    found = mapped("GetObject", Bucket="bucket", Key="key", VersionId="v1")

    assert checks(found) == [("s3:GetObjectVersion", "arn:aws:s3:::bucket/key")]
    assert s3_keys(found) == {"s3:VersionId": "v1", "s3:ExistingObjectTag/team": "blue"}


def test_an_existing_objects_tags_are_existing_object_tag_keys() -> None:
    found = mapped("GetObject", Bucket="bucket", Key="key")

    assert s3_keys(found) == {
        "s3:ExistingObjectTag/team": "red",
        "s3:ExistingObjectTag/stage": "prod",
    }
    assert s3_keys(mapped("GetObject", Bucket="bucket", Key="untagged")) == {}


def test_copy_object_puts_the_target_and_gets_the_source() -> None:
    found = mapped(
        "CopyObject", Bucket="bucket", Key="copy", CopySource={"Bucket": "source", "Key": "a/b"}
    )

    assert checks(found) == [
        ("s3:PutObject", "arn:aws:s3:::bucket/copy"),
        ("s3:GetObject", "arn:aws:s3:::source/a/b"),
    ]
    assert [c.policy_resource for c in found.checks] == [
        "arn:aws:s3:::bucket",
        "arn:aws:s3:::source",
    ]
    assert s3_keys(found)["s3:x-amz-copy-source"] == "source/a/b"


def test_copy_object_of_a_source_version_reads_that_version() -> None:
    found = mapped(
        "CopyObject",
        Bucket="bucket",
        Key="copy",
        CopySource={"Bucket": "theirs", "Key": "k", "VersionId": "v7"},
    )

    assert checks(found)[1] == ("s3:GetObjectVersion", "arn:aws:s3:::theirs/k")
    assert found.checks[1].resource_account == OTHER


def test_upload_part_copy_reads_its_source() -> None:
    found = mapped(
        "UploadPartCopy",
        Bucket="bucket",
        Key="big",
        CopySource="source/part",
        PartNumber=1,
        UploadId="u",
    )

    assert checks(found) == [
        ("s3:PutObject", "arn:aws:s3:::bucket/big"),
        ("s3:GetObject", "arn:aws:s3:::source/part"),
    ]


# -- accounts -----------------------------------------------------------------------------


def test_a_bucket_of_another_account_is_checked_and_served_in_that_account() -> None:
    found = mapped("PutObject", Bucket="theirs", Key="k", Body=b"x")

    assert found.checks[0].resource_account == OTHER
    assert found.backend_account == OTHER


def test_creating_and_listing_buckets_happen_in_the_callers_account() -> None:
    for operation, params in (("CreateBucket", {"Bucket": "theirs"}), ("ListBuckets", {})):
        found = mapped(operation, **params)
        assert found.backend_account == ACCOUNT
        assert found.checks[0].resource_account == ACCOUNT


def test_a_bucket_that_does_not_exist_is_the_callers() -> None:
    found = mapped("GetObject", Bucket="nowhere", Key="k")

    assert (found.checks[0].resource_account, found.backend_account) == (ACCOUNT, ACCOUNT)


def test_an_anonymous_request_has_no_auth_type() -> None:
    found = mapped("GetObject", caller=None, Bucket="bucket", Key="k")

    assert "s3:authType" not in found.checks[0].context
    assert found.checks[0].resource_account == ACCOUNT


def test_a_signed_request_says_how_it_was_signed() -> None:
    context = mapped("GetObject", Bucket="bucket", Key="k").checks[0].context

    assert context["s3:authType"] == "REST-HEADER"
    assert context["s3:signatureversion"] == "AWS4-HMAC-SHA256"


# -- addressing styles and what is forwarded ------------------------------------------------


@pytest.mark.parametrize(
    ("endpoint", "host"),
    [("http://localhost:4599", "bucket.localhost:4599"), (None, "bucket.s3.amazonaws.com")],
)
@pytest.mark.parametrize(
    ("operation", "params"),
    [
        ("GetObject", {"Bucket": "bucket", "Key": "dir/a b+c.txt"}),
        ("ListObjectsV2", {"Bucket": "bucket", "Prefix": "dir/", "MaxKeys": 3}),
        ("PutObject", {"Bucket": "bucket", "Key": "k", "Body": b"x", "ACL": "private"}),
        ("GetBucketTagging", {"Bucket": "bucket"}),
    ],
)
def test_virtual_hosted_requests_map_and_forward_as_path_style(
    endpoint: str | None, host: str, operation: str, params: dict[str, Any]
) -> None:
    path_style = mapped(operation, **params)
    virtual = mapped(operation, _client(endpoint, "virtual"), **params)

    assert virtual.operation == path_style.operation == operation
    assert checks(virtual) == checks(path_style)
    assert s3_keys(virtual) == s3_keys(path_style)
    assert virtual.forward.path == path_style.forward.path
    assert virtual.forward.query_string == path_style.forward.query_string
    assert dict(virtual.forward.headers)["host"] == "s3.amazonaws.com"


def test_an_s3_express_session_request_is_unmappable() -> None:
    with pytest.raises(Unmappable, match="cannot tell which S3 operation"):
        mapped("CreateSession", Bucket="bucket")
