"""Amazon SQS through the gateway: which operation a request is, the action and queue AWS
authorizes for it, the queue policy, and SQS's error documents.

- Wire: the JSON 1.0 protocol (`X-Amz-Target: AmazonSQS.<Operation>`, what current SDKs send)
  and the query protocol older SDKs send (`Action=SendMessage&...`, posted to the endpoint or
  to the queue's URL), both decoded from botocore's model; for the query protocol the model is
  given back the legacy wire names SQS's query API uses (`Attribute.1.Name`, `Tag.1.Key`,
  `AttributeName.1`, https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-making-api-requests-xml.html).
- Actions: `sqs:<Operation>`, except that a batch operation is authorized with the action of
  the single one ("You cannot set permissions explicitly for SendMessageBatch,
  DeleteMessageBatch, or ChangeMessageVisibilityBatch",
  https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-batch-api.html),
  and CreateQueue with `tags` also needs sqs:TagQueue (CreateQueue API Reference, `tags`).
- Resources: `arn:aws:sqs:<region>:<account>:<queue>`, the account being the one in the queue
  URL (`https://sqs.<region>.amazonaws.com/<account>/<queue>`), or the caller's (or
  `QueueOwnerAWSAccountId`) for a queue named by `QueueName`; ListQueues is on `*`
  (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-permissions-reference.html).
- Condition keys: aws:ResourceTag/<key> from the queue's tags, aws:RequestTag/<key> and
  aws:TagKeys for the tags a request sets or removes
  (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsqs.html).
- The queue's `Policy` attribute is its resource-based policy; it cannot grant another account
  the owner-only actions listed in `_OWNER_ONLY`.
"""

from __future__ import annotations

import copy
import html
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Final
from urllib.parse import parse_qsl, unquote, urlsplit

import botocore.loaders  # type: ignore[import-untyped, unused-ignore]
import botocore.model  # type: ignore[import-untyped, unused-ignore]

from localiam.authz import Decision, PolicyType
from localiam.gateway import _moto_sqs
from localiam.gateway._input import parameter_style
from localiam.gateway._model import Check, Forward, GatewayRequest, Mapped, Unmappable
from localiam.policy import MalformedPolicyDocument, PolicyKind, parse_policy
from localiam.protocol import ServiceError, decode_json, decode_query, load_service_model
from localiam.regions import partition_of

#: Operations authorized with another operation's action (see the module docstring).
_ACTIONS: Final[Mapping[str, str]] = {
    "SendMessageBatch": "SendMessage",
    "DeleteMessageBatch": "DeleteMessage",
    "ChangeMessageVisibilityBatch": "ChangeMessageVisibility",
}

#: "Cross-account permissions don't apply to the following actions": a queue policy does not
#: grant them to another account
#: (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-limitations-of-custom-policies.html).
_OWNER_ONLY: Final = frozenset(
    {
        "AddPermission",
        "CancelMessageMoveTask",
        "CreateQueue",
        "DeleteQueue",
        "ListMessageMoveTasks",
        "ListQueues",
        "ListQueueTags",
        "RemovePermission",
        "SetQueueAttributes",
        "StartMessageMoveTask",
        "TagQueue",
        "UntagQueue",
    }
)

#: Dead-letter redrive, which the backend (moto) does not implement.
_UNSERVED: Final = frozenset(
    {"CancelMessageMoveTask", "ListMessageMoveTasks", "StartMessageMoveTask"}
)

#: The query protocol's names for list elements (`AttributeName.1`) ...
_QUERY_LIST_ELEMENTS: Final[Mapping[str, str]] = {
    "AWSAccountIdList": "AWSAccountId",
    "ActionNameList": "ActionName",
    "AttributeNameList": "AttributeName",
    "BinaryList": "BinaryListValue",
    "ChangeMessageVisibilityBatchRequestEntryList": "ChangeMessageVisibilityBatchRequestEntry",
    "DeleteMessageBatchRequestEntryList": "DeleteMessageBatchRequestEntry",
    "MessageAttributeNameList": "MessageAttributeName",
    "MessageSystemAttributeList": "MessageSystemAttributeName",
    "SendMessageBatchRequestEntryList": "SendMessageBatchRequestEntry",
    "StringList": "StringListValue",
    "TagKeyList": "TagKey",
}
#: ... and for maps: the entry name, its key and its value (`Attribute.1.Name`).
_QUERY_MAPS: Final[Mapping[str, tuple[str, str, str]]] = {
    "MessageBodyAttributeMap": ("MessageAttribute", "Name", "Value"),
    "MessageBodySystemAttributeMap": ("MessageSystemAttribute", "Name", "Value"),
    "QueueAttributeMap": ("Attribute", "Name", "Value"),
    "TagMap": ("Tag", "Key", "Value"),
}

_ACCOUNT: Final = re.compile(r"[0-9]{12}")
_JSON_CONTENT_TYPE: Final = "application/x-amz-json-1.0"
_XML_NAMESPACE: Final = "http://queue.amazonaws.com/doc/2012-11-05/"
#: How many query-protocol requests are remembered so that their errors are XML documents.
_REMEMBERED: Final = 4096
#: The `__type` of errors SQS answers from its service framework rather than its own model.
_FRAMEWORK_TYPES: Final[Mapping[str, str]] = {
    "AccessDenied": "AccessDeniedException",
    "InvalidClientTokenId": "UnrecognizedClientException",
    "SignatureDoesNotMatch": "InvalidSignatureException",
    "Throttling": "ThrottlingException",
}


def query_model() -> Any:
    """botocore's SQS model with the query protocol's wire names put back (`_QUERY_*`)."""
    data = copy.deepcopy(botocore.loaders.Loader().load_service_model("sqs", "service-2"))
    shapes = data["shapes"]
    for name, element in _QUERY_LIST_ELEMENTS.items():
        shapes[name]["member"]["locationName"] = element
        shapes[name]["flattened"] = True
    for name, (entry, key, value) in _QUERY_MAPS.items():
        shapes[name].update(locationName=entry, flattened=True)
        shapes[name]["key"]["locationName"] = key
        shapes[name]["value"]["locationName"] = value
    return botocore.model.ServiceModel(data, service_name="sqs")


def queue_arn(region: str, account: str, name: str) -> str:
    return f"arn:{partition_of(region) or 'aws'}:sqs:{region}:{account}:{name}"


@dataclass(frozen=True, slots=True)
class _Call:
    """A decoded request: its operation and parameters."""

    operation: str
    params: Mapping[str, Any]


class SQS:
    """The SQS adapter (see `_service.Adapter`). `tags_of(account, region, queue)` and
    `policy_of(account, region, queue)` read a queue's tags and policy from the backend."""

    service = "sqs"

    def __init__(
        self,
        tags_of: Callable[[str, str, str], dict[str, str]] = _moto_sqs.queue_tags,
        policy_of: Callable[[str, str, str], str | None] = _moto_sqs.queue_policy,
    ) -> None:
        self._tags_of = tags_of
        self._policy_of = policy_of
        self._json_model = load_service_model("sqs")
        self._query_model = query_model()
        # `error` is told only the request id: which requests spoke the query protocol (and get
        # XML errors) is remembered here, JSON being the default.
        self._query_ids: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    # -- the request -------------------------------------------------------------------------

    def map(self, request: GatewayRequest) -> Mapped:
        view = request.view
        forward = Forward(
            view.method.upper(),
            unquote(view.path.split("?", 1)[0]),
            view.query_string,
            view.headers.items(),
            view.body,
        )
        if view.headers.get("x-amz-target") is None:
            self._remember_query(request.request_id)
        call = self._decode(forward)
        if call.operation in _UNSERVED:
            raise Unmappable(
                f"localiam does not serve `{call.operation}`: its SQS backend has no "
                "dead-letter queue redrive (message move tasks)."
            )
        caller = request.caller_account or ""
        checks, owner = self._checks(call, forward.path, request.region, caller)
        return Mapped("sqs", call.operation, tuple(checks), owner, forward)

    def _decode(self, forward: Forward) -> _Call:
        """The operation and parameters of a JSON request (`X-Amz-Target`) or a query one."""
        headers = dict(forward.headers)
        target = headers.get("x-amz-target")
        if target is not None:
            operation, params = decode_json(self._json_model, target, forward.body)
            parameter_style(operation, params, constraints=False)
            return _Call(str(operation.name), params)
        form = dict(parse_qsl(forward.query_string, keep_blank_values=True))
        if headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            try:
                text = forward.body.decode("utf-8")
            except UnicodeDecodeError:
                raise ServiceError("MalformedQueryString", "The body is not UTF-8.", 400) from None
            form.update(parse_qsl(text, keep_blank_values=True))
        operation, params = decode_query(self._query_model, form)
        parameter_style(operation, params, constraints=False)
        return _Call(str(operation.name), params)

    def _checks(self, call: _Call, path: str, region: str, caller: str) -> tuple[list[Check], str]:
        """The checks of `call` and the account owning the queue it acts on."""
        operation, params = call.operation, call.params
        if operation == "ListQueues":
            return [Check("sqs:ListQueues", "*", {}, caller)], caller
        if operation in ("CreateQueue", "GetQueueUrl"):
            name = _required(params, "QueueName")
            owner = str(params.get("QueueOwnerAWSAccountId") or caller)
            if not _ACCOUNT.fullmatch(owner):
                raise ServiceError(
                    "InvalidParameterValue",
                    f"Value {owner} for parameter QueueOwnerAWSAccountId is invalid. "
                    "Reason: it must be a 12-digit AWS account ID.",
                )
        else:
            owner, name = _queue_of(params.get("QueueUrl"), path, caller)
        arn = queue_arn(region, owner, name)
        policy = None if owner != caller and operation in _OWNER_ONLY else arn
        context: dict[str, object] = {}
        if operation != "CreateQueue":
            for key, value in self._tags_of(owner, region, name).items():
                context[f"aws:ResourceTag/{key}"] = value
        if operation in ("CreateQueue", "TagQueue"):
            tags = params.get("tags" if operation == "CreateQueue" else "Tags") or {}
            for key, value in tags.items():
                context[f"aws:RequestTag/{key}"] = value
            if tags or operation == "TagQueue":
                context["aws:TagKeys"] = list(tags)
        if operation == "UntagQueue":
            context["aws:TagKeys"] = list(params.get("TagKeys") or [])
        action = f"sqs:{_ACTIONS.get(operation, operation)}"
        checks = [Check(action, arn, context, owner, policy)]
        if operation == "CreateQueue" and params.get("tags"):
            checks.append(Check("sqs:TagQueue", arn, context, owner, policy))
        return checks, owner

    # -- policies ----------------------------------------------------------------------------

    def resource_policy(self, policy_resource: str) -> str | None:
        _, _, _, region, account, name = policy_resource.split(":", 5)
        return self._policy_of(account, region, name)

    def validate(self, mapped: Mapped) -> tuple[str, str] | None:
        """A `Policy` attribute is parsed as a resource-based policy before it is stored; SQS
        refuses a bad one without saying why (`InvalidAttributeValue`)."""
        if mapped.operation not in ("CreateQueue", "SetQueueAttributes"):
            return None
        attributes = self._decode(mapped.forward).params.get("Attributes") or {}
        text = attributes.get("Policy")
        if not text:  # an empty Policy removes the queue's policy
            return None
        try:
            parse_policy(text, PolicyKind.RESOURCE)
        except MalformedPolicyDocument:
            return "InvalidAttributeValue", "Invalid value for the parameter Policy."
        return None

    # -- errors ------------------------------------------------------------------------------

    def denied(self, decision: Decision, same_account: bool) -> tuple[str, str, int]:
        """SQS's AccessDenied (HTTP 403) says the sentence IAM says, with the action in lower
        case (`sqs:sendmessage`) and, for a queue policy's explicit deny, no policy ARN after
        it; the same across accounts."""
        shown = replace(
            decision,
            action=decision.action.lower(),
            denying_policy=(
                None if decision.blocked_by is PolicyType.RESOURCE else decision.denying_policy
            ),
        )
        return "AccessDenied", shown.message, 403

    def status(self, code: str, status: int) -> int:
        return status

    def error(
        self, code: str, message: str, status: int, request_id: str
    ) -> tuple[tuple[tuple[str, str], ...], bytes]:
        """An error as SQS words it: for a query request the `ErrorResponse` document, for a
        JSON one a `__type` and message, with the query code in `x-amzn-query-error` (which
        the SDKs report as the error code)."""
        fault = "Sender" if status < 500 else "Receiver"
        with self._lock:
            query = request_id in self._query_ids
        if query:
            body = (
                f'<?xml version="1.0"?><ErrorResponse xmlns="{_XML_NAMESPACE}"><Error>'
                f"<Type>{fault}</Type><Code>{html.escape(code)}</Code>"
                f"<Message>{html.escape(message)}</Message><Detail/></Error>"
                f"<RequestId>{request_id}</RequestId></ErrorResponse>"
            )
            return (("content-type", "text/xml"), ("x-amzn-requestid", request_id)), body.encode()
        if code in self._json_model.shape_names:
            document = {"__type": f"com.amazonaws.sqs#{code}", "message": message}
        else:
            default = code if code.endswith("Exception") else f"{code}Exception"
            framework = _FRAMEWORK_TYPES.get(code, default)
            document = {"__type": f"com.amazon.coral.service#{framework}", "Message": message}
        headers = (
            ("content-type", _JSON_CONTENT_TYPE),
            ("x-amzn-requestid", request_id),
            ("x-amzn-query-error", f"{code};{fault}"),
        )
        return headers, json.dumps(document).encode()

    def _remember_query(self, request_id: str) -> None:
        with self._lock:
            self._query_ids[request_id] = None
            while len(self._query_ids) > _REMEMBERED:
                self._query_ids.popitem(last=False)


def _required(params: Mapping[str, Any], name: str) -> str:
    value = params.get(name)
    if not value:
        raise ServiceError("MissingParameter", f"The request must contain the parameter {name}.")
    return str(value)


def _queue_of(url: str | None, path: str, caller: str) -> tuple[str, str]:
    """The account and name of the queue a request names: by its `QueueUrl`
    (`https://sqs.us-east-1.amazonaws.com/123456789012/orders`), by the path a query request is
    posted to, or by a bare queue name (the caller's queue)."""
    if url is None:
        parts = [part for part in path.split("/") if part]
        if len(parts) == 2 and _ACCOUNT.fullmatch(parts[0]):
            return parts[0], parts[1]
        raise ServiceError("MissingParameter", "The request must contain the parameter QueueUrl.")
    if "/" not in url and ":" not in url:
        return caller, url
    split = urlsplit(url)
    parts = [part for part in split.path.split("/") if part]
    if split.scheme in ("http", "https") and len(parts) == 2 and _ACCOUNT.fullmatch(parts[0]):
        return parts[0], parts[1]
    raise ServiceError("InvalidAddress", f"The address {url} is not valid for this endpoint.")
