"""Amazon DynamoDB through the gateway (and DynamoDB Streams, which signs as `dynamodb` too):
the JSON 1.0 request decoded from the botocore model, mapped to the checks of
`_dynamodb_operations`, the table's resource-based policy read from moto, and DynamoDB's
errors.

- Input: `X-Amz-Target: DynamoDB_20120810.<Operation>` (or `DynamoDBStreams_20120810.`); a
  body of the wrong JSON types is `SerializationException`, one breaking the model's
  constraints `ValidationException` ("1 validation error detected: ..."), before authorization.
- Denial: HTTP 400 `{"__type": "com.amazon.coral.service#AccessDeniedException", "Message":
  "User: ... is not authorized to perform: dynamodb:Scan on resource: ... because ..."}`, as
  users report it (for example aws-samples/aws-serverless-workshops#185,
  sebdah/dynamic-dynamodb#321, baopham/laravel-dynamodb#32).
- Resource-based policies: a table's policy (PutResourcePolicy, or CreateTable's
  ResourcePolicy) is parsed as AWS parses it before it is stored; it applies to the table and
  its indexes ("You can control index permissions using the base table's policy",
  PutResourcePolicy's ResourceArn); a stream's own policy applies to the stream.
- A request is served in the account owning its tables; one naming tables of several accounts
  is refused (moto serves a request in one account).
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping
from typing import Any

from localiam.authz import Decision
from localiam.gateway._dynamodb_checks import CheckBuilder, TableState, parse_arn
from localiam.gateway._dynamodb_operations import OPERATIONS
from localiam.gateway._model import Forward, GatewayRequest, Mapped, Unmappable
from localiam.policy import MalformedPolicyDocument, PolicyKind, parse_policy
from localiam.protocol import ServiceError, decode_json, input_violations, load_service_model

_DYNAMODB_PREFIX = "DynamoDB_20120810"
_STREAMS_PREFIX = "DynamoDBStreams_20120810"
_CONTENT_TYPE = "application/x-amz-json-1.0"

#: localiam's authentication, throttling and failure codes as DynamoDB words them.
_CODES: Mapping[str, str] = {
    "InvalidClientTokenId": "UnrecognizedClientException",
    "SignatureDoesNotMatch": "InvalidSignatureException",
    "RequestExpired": "InvalidSignatureException",
    "IncompleteSignature": "IncompleteSignatureException",
    "MissingAuthenticationToken": "MissingAuthenticationTokenException",
    "ExpiredToken": "ExpiredTokenException",
    "Throttling": "ThrottlingException",
    "InternalError": "InternalServerError",
    "InternalFailure": "InternalServerError",
}
#: The namespace of each error's `__type`: the request framework's errors, else DynamoDB's.
_NAMESPACES: Mapping[str, str] = {
    "AccessDeniedException": "com.amazon.coral.service",
    "UnrecognizedClientException": "com.amazon.coral.service",
    "InvalidSignatureException": "com.amazon.coral.service",
    "IncompleteSignatureException": "com.amazon.coral.service",
    "MissingAuthenticationTokenException": "com.amazon.coral.service",
    "ExpiredTokenException": "com.amazon.coral.service",
    "SerializationException": "com.amazon.coral.service",
    "UnknownOperationException": "com.amazon.coral.service",
    "ValidationException": "com.amazon.coral.validate",
    "ThrottlingException": "com.amazon.coral.availability",
}
_DEFAULT_NAMESPACE = "com.amazonaws.dynamodb.v20120810"


class DynamoDB:
    """The DynamoDB adapter (see `_service.Adapter`); `tables` tells the key schema, tags and
    resource-based policy of existing tables."""

    service = "dynamodb"

    def __init__(self, tables: TableState) -> None:
        self._tables = tables
        self._models: dict[str, Any] = {}

    def _model(self, prefix: str) -> Any:
        if prefix not in self._models:
            name = "dynamodbstreams" if prefix == _STREAMS_PREFIX else "dynamodb"
            self._models[prefix] = load_service_model(name)
        return self._models[prefix]

    def map(self, request: GatewayRequest) -> Mapped:
        view = request.view
        target = view.headers.get("x-amz-target") or ""
        prefix = _STREAMS_PREFIX if target.startswith(_STREAMS_PREFIX + ".") else _DYNAMODB_PREFIX
        operation, params = decode_json(self._model(prefix), target, view.body)
        build = OPERATIONS.get(operation.name)
        if build is None:
            raise Unmappable(
                f"localiam cannot authorize dynamodb {operation.name}: the Service "
                "Authorization Reference names no action for it."
            )
        violations = input_violations(operation, params)
        if violations:
            noun = "error" if len(violations) == 1 else "errors"
            raise ServiceError(
                "ValidationException",
                f"{len(violations)} validation {noun} detected: "
                + "; ".join(str(v) for v in violations),
            )
        if not self._tables.implements(operation.name, prefix == _STREAMS_PREFIX):
            raise Unmappable(
                f"localiam's DynamoDB backend (moto) does not implement {operation.name}."
            )
        caller = request.caller_account or ""
        checks = build(CheckBuilder(self._tables, caller, request.region), params)
        owners = {c.resource_account for c in checks if c.resource != "*"}
        if len(owners) > 1:
            raise Unmappable(
                f"localiam cannot serve one {operation.name} request across accounts "
                f"({', '.join(sorted(str(o) for o in owners))})."
            )
        owner = next(iter(owners), None) or caller
        host = "dynamodb" if prefix == _DYNAMODB_PREFIX else "streams.dynamodb"
        headers = tuple((k, v) for k, v in view.headers.items() if k != "host")
        forward = Forward(
            "POST",
            "/",
            "",
            (*headers, ("host", f"{host}.{request.region}.amazonaws.com")),
            view.body,
        )
        return Mapped("dynamodb", operation.name, tuple(checks), owner, forward)

    def resource_policy(self, policy_resource: str) -> str | None:
        target = parse_arn(policy_resource)
        return self._tables.policy(target.account, target.region, policy_resource)

    def validate(self, mapped: Mapped) -> tuple[str, str] | None:
        """A resource-based policy is parsed before it is stored; DynamoDB answers
        `ValidationException` "One or more parameter values were invalid: Invalid policy
        document: ..." (as users report it, aws-controllers-k8s/dynamodb-controller#176)."""
        member = {"PutResourcePolicy": "Policy", "CreateTable": "ResourcePolicy"}.get(
            mapped.operation
        )
        if member is None:
            return None
        text = json.loads(mapped.forward.body or b"{}").get(member)
        if not isinstance(text, str):
            return None
        try:
            parse_policy(text, PolicyKind.RESOURCE)
        except MalformedPolicyDocument as exc:
            return (
                "ValidationException",
                f"One or more parameter values were invalid: Invalid policy document: "
                f"{exc.message}",
            )
        return None

    def denied(self, decision: Decision, same_account: bool) -> tuple[str, str, int]:
        """HTTP 400 AccessDeniedException with the engine's sentence; DynamoDB names the
        resource `*` too ("... dynamodb:DescribeLimits on resource: * because ...")."""
        message = decision.message
        if decision.resource == "*":
            performs = f"perform: {decision.action}"
            message = message.replace(performs, f"{performs} on resource: *", 1)
        return "AccessDeniedException", message, 400

    def status(self, code: str, status: int) -> int:
        """DynamoDB answers authentication failures (an unknown key, a bad signature, an expired
        token) with HTTP 400, where the query services use 403."""
        return 400 if status in (401, 403) else status

    def error(
        self, code: str, message: str, status: int, request_id: str
    ) -> tuple[tuple[tuple[str, str], ...], bytes]:
        return error_answer(code, message, request_id)


def error_answer(
    code: str, message: str, request_id: str
) -> tuple[tuple[tuple[str, str], ...], bytes]:
    """DynamoDB's error document (`__type` and the message; AccessDeniedException spells it
    `Message`) and headers, with the CRC32 of the body that DynamoDB sends and SDKs check."""
    code = _CODES.get(code, code)
    namespace = _NAMESPACES.get(code, _DEFAULT_NAMESPACE)
    key = "Message" if code == "AccessDeniedException" else "message"
    body = json.dumps({"__type": f"{namespace}#{code}", key: message}).encode()
    headers = (
        ("content-type", _CONTENT_TYPE),
        ("x-amzn-requestid", request_id),
        ("x-amz-crc32", str(zlib.crc32(body))),
    )
    return headers, body
