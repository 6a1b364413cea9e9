"""Amazon S3 through the gateway: which operation a request is, the actions and resources AWS
authorizes for it, the bucket policy, and S3's error documents.

- Actions: an operation is authorized with the action of the same name unless the Service
  Authorization Reference names another (ListObjectsV2 -> s3:ListBucket, HeadObject ->
  s3:GetObject, multipart uploads -> s3:PutObject, versioned calls -> the `...Version` action,
  https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html).
- Resources: `arn:aws:s3:::bucket` for bucket operations, `arn:aws:s3:::bucket/key` for object
  operations, `*` for ListBuckets; CopyObject also reads its source object.
- Condition keys: s3:prefix, s3:delimiter, s3:max-keys, s3:x-amz-acl, s3:x-amz-copy-source,
  s3:x-amz-server-side-encryption, s3:x-amz-metadata-directive, s3:VersionId, s3:authType,
  s3:signatureversion, s3:x-amz-content-sha256, s3:ExistingObjectTag/<key>,
  s3:RequestObjectTag/<key>, s3:RequestObjectTagKeys
  (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html).
- Virtual-hosted requests (`bucket.s3.amazonaws.com`, `bucket.localhost`) are forwarded
  path-style.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import replace
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, quote, unquote
from xml.etree import ElementTree

from localiam.authz import Decision, PolicyType
from localiam.gateway._model import Check, Forward, GatewayRequest, Mapped, Unmappable
from localiam.gateway._moto_state import s3_bucket_policy
from localiam.gateway._s3_routes import match
from localiam.policy import MalformedPolicyDocument, PolicyKind, parse_policy
from localiam.protocol import load_service_model

#: Operations whose action is not the operation's own name (None: resolved per request).
_ACTIONS: Mapping[str, str] = {
    "ListObjects": "ListBucket",
    "ListObjectsV2": "ListBucket",
    "HeadBucket": "ListBucket",
    "ListObjectVersions": "ListBucketVersions",
    "ListMultipartUploads": "ListBucketMultipartUploads",
    "ListParts": "ListMultipartUploadParts",
    "HeadObject": "GetObject",
    "SelectObjectContent": "GetObject",
    "CreateMultipartUpload": "PutObject",
    "UploadPart": "PutObject",
    "CompleteMultipartUpload": "PutObject",
    "CopyObject": "PutObject",
    "UploadPartCopy": "PutObject",
    "DeleteObjects": "DeleteObject",
    "ListBuckets": "ListAllMyBuckets",
    "DeleteBucketTagging": "PutBucketTagging",
    "PutBucketEncryption": "PutEncryptionConfiguration",
    "GetBucketEncryption": "GetEncryptionConfiguration",
    "DeleteBucketEncryption": "PutEncryptionConfiguration",
    "PutBucketLifecycleConfiguration": "PutLifecycleConfiguration",
    "PutBucketLifecycle": "PutLifecycleConfiguration",
    "GetBucketLifecycleConfiguration": "GetLifecycleConfiguration",
    "GetBucketLifecycle": "GetLifecycleConfiguration",
    "DeleteBucketLifecycle": "PutLifecycleConfiguration",
    "PutBucketCors": "PutBucketCORS",
    "GetBucketCors": "GetBucketCORS",
    "DeleteBucketCors": "PutBucketCORS",
    "PutBucketNotificationConfiguration": "PutBucketNotification",
    "PutBucketNotification": "PutBucketNotification",
    "GetBucketNotificationConfiguration": "GetBucketNotification",
    "GetBucketNotification": "GetBucketNotification",
    "PutPublicAccessBlock": "PutBucketPublicAccessBlock",
    "GetPublicAccessBlock": "GetBucketPublicAccessBlock",
    "DeletePublicAccessBlock": "PutBucketPublicAccessBlock",
    "DeleteBucketOwnershipControls": "PutBucketOwnershipControls",
    "PutBucketReplication": "PutReplicationConfiguration",
    "GetBucketReplication": "GetReplicationConfiguration",
    "DeleteBucketReplication": "PutReplicationConfiguration",
    "PutObjectLockConfiguration": "PutBucketObjectLockConfiguration",
    "GetObjectLockConfiguration": "GetBucketObjectLockConfiguration",
    "PutBucketAccelerateConfiguration": "PutAccelerateConfiguration",
    "GetBucketAccelerateConfiguration": "GetAccelerateConfiguration",
    "PutBucketInventoryConfiguration": "PutInventoryConfiguration",
    "GetBucketInventoryConfiguration": "GetInventoryConfiguration",
    "ListBucketInventoryConfigurations": "GetInventoryConfiguration",
    "DeleteBucketInventoryConfiguration": "PutInventoryConfiguration",
    "PutBucketAnalyticsConfiguration": "PutAnalyticsConfiguration",
    "GetBucketAnalyticsConfiguration": "GetAnalyticsConfiguration",
    "ListBucketAnalyticsConfigurations": "GetAnalyticsConfiguration",
    "DeleteBucketAnalyticsConfiguration": "PutAnalyticsConfiguration",
    "PutBucketMetricsConfiguration": "PutMetricsConfiguration",
    "GetBucketMetricsConfiguration": "GetMetricsConfiguration",
    "ListBucketMetricsConfigurations": "GetMetricsConfiguration",
    "DeleteBucketMetricsConfiguration": "PutMetricsConfiguration",
    "PutBucketIntelligentTieringConfiguration": "PutIntelligentTieringConfiguration",
    "GetBucketIntelligentTieringConfiguration": "GetIntelligentTieringConfiguration",
    "ListBucketIntelligentTieringConfigurations": "GetIntelligentTieringConfiguration",
    "DeleteBucketIntelligentTieringConfiguration": "PutIntelligentTieringConfiguration",
    "GetObjectAttributes": "GetObjectAttributes",
    "DeleteBucketMetadataTableConfiguration": "DeleteBucketMetadataTableConfiguration",
    # S3 Metadata V2 keeps V1's permissions
    # (https://docs.aws.amazon.com/AmazonS3/latest/userguide/metadata-tables-permissions.html).
    "CreateBucketMetadataConfiguration": "CreateBucketMetadataTableConfiguration",
    "GetBucketMetadataConfiguration": "GetBucketMetadataTableConfiguration",
    "DeleteBucketMetadataConfiguration": "DeleteBucketMetadataTableConfiguration",
}

#: With a `versionId`, these act on one version and need the version's action.
_VERSIONED: Mapping[str, str] = {
    "GetObject": "GetObjectVersion",
    "HeadObject": "GetObjectVersion",
    "DeleteObject": "DeleteObjectVersion",
    "GetObjectAcl": "GetObjectVersionAcl",
    "PutObjectAcl": "PutObjectVersionAcl",
    "GetObjectTagging": "GetObjectVersionTagging",
    "PutObjectTagging": "PutObjectVersionTagging",
    "DeleteObjectTagging": "DeleteObjectVersionTagging",
    "GetObjectAttributes": "GetObjectVersionAttributes",
}

#: Request headers that are condition keys of the same name (s3:x-amz-acl, ...).
_HEADER_KEYS = (
    "x-amz-acl",
    "x-amz-copy-source",
    "x-amz-server-side-encryption",
    "x-amz-server-side-encryption-aws-kms-key-id",
    "x-amz-metadata-directive",
    "x-amz-storage-class",
    "x-amz-grant-read",
    "x-amz-grant-write",
    "x-amz-grant-read-acp",
    "x-amz-grant-write-acp",
    "x-amz-grant-full-control",
    "x-amz-object-lock-mode",
    "x-amz-object-lock-retain-until-date",
    "x-amz-object-lock-legal-hold",
    "x-amz-content-sha256",
)

_VIRTUAL_SUFFIXES = (".s3.amazonaws.com", ".localhost")


def _split_host(host: str) -> str | None:
    """The bucket a virtual-hosted request names in its Host, or None for path-style."""
    name = host.rsplit(":", 1)[0].lower() if not host.startswith("[") else ""
    for suffix in _VIRTUAL_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            bucket = name[: -len(suffix)]
            return None if bucket in ("s3",) else bucket
    if ".s3." in name and name.endswith(".amazonaws.com"):
        return name.split(".s3.", 1)[0]
    return None


def bucket_and_key(view_path: str, host: str) -> tuple[str | None, str | None]:
    """The bucket and key a request names (path-style or virtual-hosted)."""
    path = view_path.split("?", 1)[0]
    virtual = _split_host(host)
    if virtual is not None:
        key = unquote(path[1:]) if len(path) > 1 else None
        return virtual, key
    parts = path[1:].split("/", 1)
    bucket = unquote(parts[0]) if parts[0] else None
    key = unquote(parts[1]) if len(parts) > 1 and parts[1] else None
    return bucket, key


def object_arn(bucket: str, key: str) -> str:
    return f"arn:aws:s3:::{bucket}/{key}"


def bucket_arn(bucket: str) -> str:
    return f"arn:aws:s3:::{bucket}"


class S3:
    """The S3 adapter (see `_service.Adapter`). `owner_of(bucket)` tells the account that owns a bucket (None when no
    bucket of that name exists), `object_tags(account, bucket, key, version)` an object's tags."""

    service = "s3"

    def __init__(self, owner_of: Any, object_tags: Any) -> None:
        self._owner_of = owner_of
        self._object_tags = object_tags

    def resource_policy(self, policy_resource: str) -> str | None:
        return s3_bucket_policy(policy_resource.removeprefix("arn:aws:s3:::"))

    def validate(self, mapped: Mapped) -> tuple[str, str] | None:
        """A bucket policy is parsed as AWS parses it before it is stored (MalformedPolicy); an
        XML payload must be well-formed (MalformedXML)."""
        if mapped.operation in _xml_payload_operations() and mapped.forward.body.strip():
            try:
                ElementTree.fromstring(mapped.forward.body)
            except ElementTree.ParseError:
                return (
                    "MalformedXML",
                    "The XML you provided was not well-formed or did not validate against our "
                    "published schema",
                )
        if mapped.operation != "PutBucketPolicy":
            return None
        try:
            text = mapped.forward.body.decode("utf-8")
            if not text.lstrip().startswith("{"):
                raise ValueError("not an object")
            parse_policy(text, PolicyKind.RESOURCE)
        except MalformedPolicyDocument as exc:
            return "MalformedPolicy", exc.message
        except (ValueError, UnicodeDecodeError):
            return "MalformedPolicy", "Policies must be valid JSON and the first byte must be '{'"
        return None

    def denied(self, decision: Decision, same_account: bool) -> tuple[str, str, int]:
        if same_account:
            # S3 quotes the resource in its messages, and names no policy after an explicit
            # deny in a bucket policy ("... with an explicit deny in a resource-based policy",
            # https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshoot-403-errors.html).
            if decision.blocked_by is PolicyType.RESOURCE:
                decision = replace(decision, denying_policy=None)
            message = decision.message.replace(
                f"on resource: {decision.resource}", f'on resource: "{decision.resource}"'
            )
        else:
            # Across accounts and to anonymous callers S3 says no more than this.
            message = "Access Denied"
        return "AccessDenied", message, 403

    def status(self, code: str, status: int) -> int:
        return status

    def error(
        self, code: str, message: str, status: int, request_id: str
    ) -> tuple[tuple[tuple[str, str], ...], bytes]:
        headers = (("content-type", "application/xml"), ("x-amz-request-id", request_id))
        return headers, error_document(code, message, request_id)

    def map(self, request: GatewayRequest) -> Mapped:
        view = request.view
        headers = {k.lower(): v for k, v in view.headers.items()}
        bucket, key = bucket_and_key(view.path, headers.get("host", ""))
        query = dict(parse_qsl(view.query_string, keep_blank_values=True))
        form = "service" if bucket is None else ("bucket" if key is None else "object")
        operation = match(view.method.upper(), form, query, headers)
        if operation is None:
            raise Unmappable(
                f"localiam cannot tell which S3 operation `{view.method} {view.path}` is."
            )
        base = self._base_context(request, headers, query)
        owner = None if bucket is None else self._owner_of(bucket)
        caller = request.caller_account or ""
        if operation in ("CreateBucket", "ListBuckets") or owner is None:
            owner = caller
        checks = list(self._checks(operation, bucket, key, headers, query, base, owner))
        path = view.path.split("?", 1)[0]
        if _split_host(headers.get("host", "")) is not None and bucket is not None:
            path = "/" + quote(bucket) + (path if path != "/" else "")
        kept = [(k, v) for k, v in view.headers.items() if k.lower() != "host"]
        forward_headers = (*kept, ("host", "s3.amazonaws.com"))
        return Mapped(
            "s3",
            operation,
            tuple(checks),
            owner or caller,
            Forward(
                view.method.upper(), unquote(path), view.query_string, forward_headers, view.body
            ),
        )

    def _base_context(
        self, request: GatewayRequest, headers: Mapping[str, str], query: Mapping[str, str]
    ) -> dict[str, object]:
        context: dict[str, object] = {}
        for name in _HEADER_KEYS:
            if name in headers:
                context[f"s3:{name}"] = headers[name]
        presigned = "X-Amz-Signature" in query or "Signature" in query
        if request.caller_account is not None:
            context["s3:authType"] = "REST-QUERY-STRING" if presigned else "REST-HEADER"
            context["s3:signatureversion"] = "AWS4-HMAC-SHA256"
        if "versionId" in query:
            context["s3:VersionId"] = query["versionId"]
        tagging = headers.get("x-amz-tagging")
        if tagging:
            tags = parse_qsl(tagging, keep_blank_values=True)
            for k, v in tags:
                context[f"s3:RequestObjectTag/{k}"] = v
            context["s3:RequestObjectTagKeys"] = [k for k, _ in tags]
        return context

    def _checks(
        self,
        operation: str,
        bucket: str | None,
        key: str | None,
        headers: Mapping[str, str],
        query: Mapping[str, str],
        base: dict[str, object],
        owner: str,
    ) -> list[Check]:
        action = _ACTIONS.get(operation, operation)
        if "versionId" in query and operation in _VERSIONED:
            action = _VERSIONED[operation]
        if bucket is None:
            return [Check(f"s3:{action}", "*", base, owner)]
        policy = bucket_arn(bucket)
        if key is None or operation == "DeleteObjects":
            context = dict(base)
            if action in ("ListBucket", "ListBucketVersions"):
                for name in ("prefix", "delimiter", "max-keys"):
                    if name in query:
                        context[f"s3:{name}"] = query[name]
            return [Check(f"s3:{action}", bucket_arn(bucket), context, owner, policy)]
        context = dict(base)
        if operation in _EXISTING_TAG_OPERATIONS:
            for k, v in self._object_tags(owner, bucket, key, query.get("versionId")).items():
                context[f"s3:ExistingObjectTag/{k}"] = v
        checks = [Check(f"s3:{action}", object_arn(bucket, key), context, owner, policy)]
        source = headers.get("x-amz-copy-source")
        if operation in ("CopyObject", "UploadPartCopy") and source:
            src_bucket, src_key, src_version = _copy_source(source)
            src_owner = self._owner_of(src_bucket) or owner
            src_action = "s3:GetObjectVersion" if src_version else "s3:GetObject"
            checks.append(
                Check(
                    src_action,
                    object_arn(src_bucket, src_key),
                    dict(base),
                    src_owner,
                    bucket_arn(src_bucket),
                )
            )
        return checks


#: Operations on an existing object, whose tags are s3:ExistingObjectTag/<key>.
_EXISTING_TAG_OPERATIONS = frozenset(
    {
        "GetObject",
        "HeadObject",
        "GetObjectAcl",
        "PutObjectAcl",
        "GetObjectTagging",
        "PutObjectTagging",
        "DeleteObjectTagging",
        "DeleteObject",
    }
)


@lru_cache(maxsize=1)
def _xml_payload_operations() -> frozenset[str]:
    """The operations whose body is an XML document (a structure payload in the model)."""
    model = load_service_model("s3")
    found: set[str] = set()
    for name in model.operation_names:
        shape = model.operation_model(name).input_shape
        payload = None if shape is None else shape.serialization.get("payload")
        if payload and shape.members[payload].type_name == "structure":
            found.add(name)
    return frozenset(found)


def _copy_source(value: str) -> tuple[str, str, str | None]:
    text, _, query = unquote(value).partition("?versionId=")
    text = text.lstrip("/")
    bucket, _, key = text.partition("/")
    return bucket, key, query or None


def error_document(code: str, message: str, request_id: str, **extra: str) -> bytes:
    """S3's `<Error>` document."""
    parts = [f"<Code>{html.escape(code)}</Code>", f"<Message>{html.escape(message)}</Message>"]
    for name, value in extra.items():
        parts.append(f"<{name}>{html.escape(value)}</{name}>")
    parts.append(f"<RequestId>{request_id}</RequestId><HostId>{request_id}</HostId>")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Error>' + "".join(parts) + "</Error>"
    ).encode()
