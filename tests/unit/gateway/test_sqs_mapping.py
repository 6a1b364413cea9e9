"""`SQS.map`: the action, queue ARN, owning account and condition keys AWS authorizes each SQS
request with, from JSON requests botocore itself serializes and from query-protocol forms as
older SDKs send them; the queue policy's validation; SQS's AccessDenied and error documents,
read back with botocore's own parsers
(https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-permissions-reference.html)."""

from __future__ import annotations

import functools
import json
from typing import Any
from urllib.parse import urlencode, urlsplit

import botocore.parsers
import botocore.session
import pytest
from botocore import xform_name
from botocore.awsrequest import AWSPreparedRequest
from botocore.config import Config

from localiam.auth import HttpRequestView
from localiam.authz import Decision, DecisionKind, PolicyType
from localiam.catalog import Catalog
from localiam.gateway._model import GatewayRequest, Mapped, Unmappable
from localiam.gateway._sqs import SQS
from localiam.protocol import ServiceError, load_service_model

ACCOUNT = "123456789012"
OTHER = "210987654321"
REGION = "us-east-1"
URL = f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/orders"
THEIRS = f"https://sqs.{REGION}.amazonaws.com/{OTHER}/shared"
ARN = f"arn:aws:sqs:{REGION}:{ACCOUNT}:orders"
SHARED = f"arn:aws:sqs:{REGION}:{OTHER}:shared"
#: Existing queues' tags and policies, by (account, region, name).
TAGS = {(ACCOUNT, REGION, "orders"): {"team": "blue"}}
POLICIES = {(OTHER, REGION, "shared"): '{"Statement": []}'}


class _Sent(Exception):
    def __init__(self, request: AWSPreparedRequest) -> None:
        super().__init__("sent")
        self.request = request


def _stop(request: AWSPreparedRequest, **_: Any) -> None:
    raise _Sent(request)


@functools.cache
def _client() -> Any:
    client = botocore.session.get_session().create_client(
        "sqs",
        region_name=REGION,
        endpoint_url="http://127.0.0.1:1",
        aws_access_key_id="AKIAEXAMPLE",
        aws_secret_access_key="x",
        # Requests that leave out required members too: the mapping must not depend on them.
        config=Config(parameter_validation=False),
    )
    client.meta.events.register("before-send.*", _stop)
    return client


def _adapter() -> SQS:
    return SQS(
        lambda account, region, name: TAGS.get((account, region, name), {}),
        lambda account, region, name: POLICIES.get((account, region, name)),
    )


def sent(operation: str, **params: Any) -> HttpRequestView:
    """The JSON request botocore sends for `operation`, as the server receives it."""
    with pytest.raises(_Sent) as info:
        getattr(_client(), xform_name(operation))(**params)
    request = info.value.request
    parts = urlsplit(request.url)
    headers = [
        (name, value.decode("latin-1") if isinstance(value, bytes) else value)
        for name, value in request.headers.items()
    ]
    headers.append(("Host", parts.netloc))
    body = request.body if isinstance(request.body, bytes) else str(request.body).encode()
    return HttpRequestView(request.method, parts.path or "/", parts.query, headers, body)


def query(form: dict[str, str], path: str = "/") -> HttpRequestView:
    """A query-protocol request as older SDKs post it."""
    headers = [("Content-Type", "application/x-www-form-urlencoded"), ("Host", "127.0.0.1:1")]
    return HttpRequestView("POST", path, "", headers, urlencode(form).encode())


def mapped(
    view: HttpRequestView, caller: str = ACCOUNT, adapter: SQS | None = None, rid: str = "r"
) -> Mapped:
    return (adapter or _adapter()).map(GatewayRequest(view, "sqs", REGION, caller, rid))


def only(result: Mapped) -> tuple[str, str, str | None, str | None]:
    (check,) = result.checks
    return check.action, check.resource, check.resource_account, check.policy_resource


# -- actions and queues ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("operation", "params", "action"),
    [
        ("SendMessage", {"MessageBody": "x"}, "sqs:SendMessage"),
        ("SendMessageBatch", {"Entries": [{"Id": "1", "MessageBody": "x"}]}, "sqs:SendMessage"),
        ("ReceiveMessage", {"MaxNumberOfMessages": 2}, "sqs:ReceiveMessage"),
        ("DeleteMessage", {"ReceiptHandle": "h"}, "sqs:DeleteMessage"),
        (
            "DeleteMessageBatch",
            {"Entries": [{"Id": "1", "ReceiptHandle": "h"}]},
            "sqs:DeleteMessage",
        ),
        (
            "ChangeMessageVisibility",
            {"ReceiptHandle": "h", "VisibilityTimeout": 5},
            "sqs:ChangeMessageVisibility",
        ),
        (
            "ChangeMessageVisibilityBatch",
            {"Entries": [{"Id": "1", "ReceiptHandle": "h"}]},
            "sqs:ChangeMessageVisibility",
        ),
        ("GetQueueAttributes", {"AttributeNames": ["All"]}, "sqs:GetQueueAttributes"),
        ("SetQueueAttributes", {"Attributes": {"DelaySeconds": "1"}}, "sqs:SetQueueAttributes"),
        ("PurgeQueue", {}, "sqs:PurgeQueue"),
        ("DeleteQueue", {}, "sqs:DeleteQueue"),
        ("ListQueueTags", {}, "sqs:ListQueueTags"),
        ("ListDeadLetterSourceQueues", {}, "sqs:ListDeadLetterSourceQueues"),
        (
            "AddPermission",
            {"Label": "l", "AWSAccountIds": [OTHER], "Actions": ["SendMessage"]},
            "sqs:AddPermission",
        ),
        ("RemovePermission", {"Label": "l"}, "sqs:RemovePermission"),
    ],
)
def test_queue_operations_act_on_the_queue_of_their_url(
    operation: str, params: dict[str, Any], action: str
) -> None:
    result = mapped(sent(operation, QueueUrl=URL, **params))
    assert result.operation == operation
    assert only(result) == (action, ARN, ACCOUNT, ARN)
    assert result.backend_account == ACCOUNT


def test_every_operation_maps_to_an_action_of_the_catalog_or_is_refused() -> None:
    """Every action the adapter names is in the Service Authorization Reference; the operations
    the backend lacks are refused, not waved through."""
    catalog = Catalog()
    model = load_service_model("sqs")
    params: dict[str, dict[str, Any]] = {
        "CreateQueue": {"QueueName": "orders"},
        "GetQueueUrl": {"QueueName": "orders"},
        "ListQueues": {},
        "CancelMessageMoveTask": {"TaskHandle": "t"},
        "ListMessageMoveTasks": {"SourceArn": ARN},
        "StartMessageMoveTask": {"SourceArn": ARN},
    }
    refused = []
    for operation in model.operation_names:
        view = sent(operation, **params.get(operation, {"QueueUrl": URL}))
        try:
            result = mapped(view)
        except Unmappable as exc:
            assert f"`{operation}`" in exc.message
            refused.append(operation)
            continue
        for check in result.checks:
            assert catalog.action(check.action) is not None, check.action
    assert refused == ["CancelMessageMoveTask", "ListMessageMoveTasks", "StartMessageMoveTask"]


def test_list_queues_is_on_any_resource_of_the_callers_account() -> None:
    result = mapped(sent("ListQueues", QueueNamePrefix="ord"), caller=OTHER)
    assert only(result) == ("sqs:ListQueues", "*", OTHER, None)
    assert result.backend_account == OTHER


def test_get_queue_url_names_the_owner_it_is_given() -> None:
    own = mapped(sent("GetQueueUrl", QueueName="orders"))
    assert only(own) == ("sqs:GetQueueUrl", ARN, ACCOUNT, ARN)
    theirs = mapped(sent("GetQueueUrl", QueueName="shared", QueueOwnerAWSAccountId=OTHER))
    assert only(theirs) == ("sqs:GetQueueUrl", SHARED, OTHER, SHARED)
    assert theirs.backend_account == OTHER


def test_a_queue_of_another_account_is_served_by_its_owner() -> None:
    result = mapped(sent("SendMessage", QueueUrl=THEIRS, MessageBody="x"))
    assert only(result) == ("sqs:SendMessage", SHARED, OTHER, SHARED)
    assert result.backend_account == OTHER


def test_owner_only_actions_ignore_the_queue_policy_across_accounts() -> None:
    """A queue policy cannot grant another account SetQueueAttributes, DeleteQueue, tagging..."""
    cases: list[tuple[str, dict[str, Any]]] = [
        ("SetQueueAttributes", {"Attributes": {"DelaySeconds": "1"}}),
        ("DeleteQueue", {}),
        ("ListQueueTags", {}),
        ("TagQueue", {"Tags": {"a": "b"}}),
        ("UntagQueue", {"TagKeys": ["a"]}),
        ("AddPermission", {"Label": "l", "AWSAccountIds": [OTHER], "Actions": ["*"]}),
    ]
    for operation, params in cases:
        assert mapped(sent(operation, QueueUrl=THEIRS, **params)).checks[0].policy_resource is None
        own = mapped(sent(operation, QueueUrl=THEIRS, **params), caller=OTHER)
        assert own.checks[0].policy_resource == SHARED


@pytest.mark.parametrize(
    "url",
    [
        f"https://queue.amazonaws.com/{ACCOUNT}/orders",
        f"https://{REGION}.queue.amazonaws.com/{ACCOUNT}/orders",
        f"http://localhost:4566/{ACCOUNT}/orders/",
        "orders",
    ],
)
def test_queue_url_forms(url: str) -> None:
    assert only(mapped(sent("PurgeQueue", QueueUrl=url)))[1] == ARN


@pytest.mark.parametrize("url", ["https://sqs.us-east-1.amazonaws.com/orders", "ftp://x/1/q"])
def test_an_address_that_names_no_queue_is_invalid(url: str) -> None:
    with pytest.raises(ServiceError) as info:
        mapped(sent("PurgeQueue", QueueUrl=url))
    assert info.value.code == "InvalidAddress"
    assert info.value.message == f"The address {url} is not valid for this endpoint."


# -- condition keys --------------------------------------------------------------------------


def test_resource_tags_of_an_existing_queue() -> None:
    (check,) = mapped(sent("ReceiveMessage", QueueUrl=URL)).checks
    assert check.context == {"aws:ResourceTag/team": "blue"}


def test_create_queue_with_tags_needs_tag_queue_too() -> None:
    result = mapped(sent("CreateQueue", QueueName="orders", tags={"team": "red", "env": "dev"}))
    keys = {
        "aws:RequestTag/team": "red",
        "aws:RequestTag/env": "dev",
        "aws:TagKeys": ["team", "env"],
    }
    assert [(c.action, c.resource, c.resource_account, dict(c.context)) for c in result.checks] == [
        ("sqs:CreateQueue", ARN, ACCOUNT, keys),
        ("sqs:TagQueue", ARN, ACCOUNT, keys),
    ]
    untagged = mapped(sent("CreateQueue", QueueName="orders"))
    assert [(c.action, dict(c.context)) for c in untagged.checks] == [("sqs:CreateQueue", {})]


def test_tag_and_untag_queue_keys() -> None:
    (tag,) = mapped(sent("TagQueue", QueueUrl=URL, Tags={"env": "prod"})).checks
    assert tag.context == {
        "aws:ResourceTag/team": "blue",
        "aws:RequestTag/env": "prod",
        "aws:TagKeys": ["env"],
    }
    (untag,) = mapped(sent("UntagQueue", QueueUrl=URL, TagKeys=["team"])).checks
    assert untag.context == {"aws:ResourceTag/team": "blue", "aws:TagKeys": ["team"]}


# -- the query protocol ----------------------------------------------------------------------


def test_query_requests_decode_with_the_legacy_wire_names() -> None:
    form = {
        "Action": "CreateQueue",
        "Version": "2012-11-05",
        "QueueName": "orders",
        "Attribute.1.Name": "VisibilityTimeout",
        "Attribute.1.Value": "40",
        "Tag.1.Key": "team",
        "Tag.1.Value": "red",
    }
    result = mapped(query(form))
    assert [c.action for c in result.checks] == ["sqs:CreateQueue", "sqs:TagQueue"]
    assert result.checks[0].context == {"aws:RequestTag/team": "red", "aws:TagKeys": ["team"]}
    untag = {"Action": "UntagQueue", "QueueUrl": URL, "TagKey.1": "a", "TagKey.2": "b"}
    assert mapped(query(untag)).checks[0].context["aws:TagKeys"] == ["a", "b"]


def test_a_query_request_posted_to_the_queue_url_names_the_queue_by_its_path() -> None:
    result = mapped(query({"Action": "SendMessage", "MessageBody": "x"}, f"/{OTHER}/shared"))
    assert only(result) == ("sqs:SendMessage", SHARED, OTHER, SHARED)


def test_a_request_without_a_queue_is_refused() -> None:
    with pytest.raises(ServiceError) as info:
        mapped(query({"Action": "SendMessage", "MessageBody": "x"}))
    assert (info.value.code, info.value.message) == (
        "MissingParameter",
        "The request must contain the parameter QueueUrl.",
    )
    with pytest.raises(ServiceError) as unknown:
        mapped(query({"Action": "Teleport", "Version": "2012-11-05"}))
    assert unknown.value.code == "InvalidAction"


# -- the queue policy ------------------------------------------------------------------------

GOOD_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": OTHER}, "Action": "sqs:SendMessage"}
        ],
    }
)


@pytest.mark.parametrize(
    ("policy", "refused"),
    [
        (GOOD_POLICY, False),
        ("", False),  # removes the policy
        ("{not json", True),
        (json.dumps({"Statement": [{"Effect": "Allow", "Action": "sqs:*"}]}), True),  # no Principal
    ],
)
def test_a_policy_attribute_is_validated_as_a_resource_policy(policy: str, refused: bool) -> None:
    adapter = _adapter()
    for view in (
        sent("SetQueueAttributes", QueueUrl=URL, Attributes={"Policy": policy}),
        sent("CreateQueue", QueueName="orders", Attributes={"Policy": policy}),
        query({"Action": "SetQueueAttributes", "QueueUrl": URL, "Attribute.1.Name": "Policy",
               "Attribute.1.Value": policy}),
    ):  # fmt: skip
        expected = ("InvalidAttributeValue", "Invalid value for the parameter Policy.")
        assert adapter.validate(mapped(view, adapter=adapter)) == (expected if refused else None)


def test_the_queue_policy_is_read_from_the_queue_its_arn_names() -> None:
    adapter = _adapter()
    assert adapter.resource_policy(SHARED) == '{"Statement": []}'
    assert adapter.resource_policy(ARN) is None


# -- denials and errors ----------------------------------------------------------------------


def _decision(kind: DecisionKind, blocked_by: PolicyType, denying: str | None = None) -> Decision:
    return Decision(
        kind, f"arn:aws:iam::{OTHER}:user/bob", "sqs:SendMessage", ARN, (), blocked_by, (), denying
    )


def test_access_denied_names_the_action_in_lower_case() -> None:
    """As SQS says it (`sqs:sendmessage`), same account or not."""
    code, message, status = _adapter().denied(
        _decision(DecisionKind.IMPLICIT_DENY, PolicyType.RESOURCE), same_account=False
    )
    assert (code, status) == ("AccessDenied", 403)
    assert message == (
        f"User: arn:aws:iam::{OTHER}:user/bob is not authorized to perform: sqs:sendmessage "
        f"on resource: {ARN} because no resource-based policy allows the sqs:sendmessage action"
    )
    _, explicit, _ = _adapter().denied(
        _decision(DecisionKind.EXPLICIT_DENY, PolicyType.RESOURCE, ARN), same_account=True
    )
    assert explicit.endswith(f"on resource: {ARN} with an explicit deny in a resource-based policy")


def _parsed(protocol: str, headers: tuple[tuple[str, str], ...], body: bytes, status: int) -> Any:
    parser = botocore.parsers.create_parser(protocol)
    shape = load_service_model("sqs").operation_model("SendMessage").output_shape
    return parser.parse({"status_code": status, "headers": dict(headers), "body": body}, shape)


def test_a_json_error_reads_as_its_query_code_in_the_sdks() -> None:
    headers, body = _adapter().error("AccessDenied", "User: x", 403, "rid")
    assert dict(headers)["x-amzn-query-error"] == "AccessDenied;Sender"
    assert json.loads(body) == {
        "__type": "com.amazon.coral.service#AccessDeniedException",
        "Message": "User: x",
    }
    error = _parsed("json", headers, body, 403)["Error"]
    assert (error["Code"], error["Message"], error["Type"]) == ("AccessDenied", "User: x", "Sender")
    headers, body = _adapter().error(
        "InvalidAttributeValue", "Invalid value for the parameter Policy.", 400, "rid"
    )
    assert json.loads(body)["__type"] == "com.amazonaws.sqs#InvalidAttributeValue"
    assert _parsed("json", headers, body, 400)["Error"]["Code"] == "InvalidAttributeValue"


def test_a_query_request_gets_its_errors_as_xml() -> None:
    adapter = _adapter()
    mapped(query({"Action": "PurgeQueue", "QueueUrl": URL}), adapter=adapter, rid="old")
    headers, body = adapter.error("AccessDenied", "User: <x>", 403, "old")
    assert dict(headers)["content-type"] == "text/xml"
    assert b"<Detail/>" in body
    error = _parsed("query", headers, body, 403)["Error"]
    assert (error["Code"], error["Message"], error["Type"]) == (
        "AccessDenied",
        "User: <x>",
        "Sender",
    )
    # Requests whose protocol was never seen (an authentication failure) answer in JSON.
    assert dict(adapter.error("AccessDenied", "x", 403, "new")[0])["content-type"] == (
        "application/x-amz-json-1.0"
    )
