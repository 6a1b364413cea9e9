"""`SNS.map`: the action, topic and condition keys AWS authorizes each SNS request with, from
requests botocore itself serializes
(https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsns.html), the
topic policy validation and SNS's denial document."""

from __future__ import annotations

import functools
import json
import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import urlsplit

import botocore.session
import pytest
from botocore import xform_name
from botocore.awsrequest import AWSPreparedRequest

from localiam.auth import HttpRequestView
from localiam.authz import Decision, DecisionKind, PolicyType
from localiam.catalog import Catalog
from localiam.gateway._model import GatewayRequest, Mapped
from localiam.gateway._sns import SNS, topic_of_subscription
from localiam.protocol import ServiceError

ACCOUNT = "123456789012"
OTHER = "210987654321"
TOPIC = f"arn:aws:sns:us-east-1:{ACCOUNT}:orders"
THEIRS = f"arn:aws:sns:us-east-1:{OTHER}:alerts"


class _Sent(Exception):
    def __init__(self, request: AWSPreparedRequest) -> None:
        super().__init__("sent")
        self.request = request


def _stop(request: AWSPreparedRequest, **_: Any) -> None:
    raise _Sent(request)


@functools.cache
def _client(region: str = "us-east-1") -> Any:
    client = botocore.session.get_session().create_client(
        "sns",
        region_name=region,
        endpoint_url="http://127.0.0.1:1",
        aws_access_key_id="AKIAEXAMPLE",
        aws_secret_access_key="x",
    )
    client.meta.events.register("before-send.*", _stop)
    return client


def view_of(operation: str, region: str = "us-east-1", **params: Any) -> HttpRequestView:
    """The request botocore sends for `operation`, as the server receives it."""
    with pytest.raises(_Sent) as sent:
        getattr(_client(region), xform_name(operation))(**params)
    request = sent.value.request
    parts = urlsplit(request.url)
    headers = [
        (k, v.decode("latin-1") if isinstance(v, bytes) else v) for k, v in request.headers.items()
    ]
    body = request.body or b""
    return HttpRequestView(
        request.method,
        parts.path or "/",
        parts.query,
        headers,
        body.encode() if isinstance(body, str) else body,
    )


class FakeTopics:
    """Two existing topics: ours (tagged) and another account's (with a policy)."""

    def policy(self, topic_arn: str) -> str | None:
        return {TOPIC: '{"Version":"2012-10-17","Statement":[]}', THEIRS: "{}"}.get(topic_arn)

    def tags(self, topic_arn: str) -> dict[str, str]:
        return {"team": "red"} if topic_arn == TOPIC else {}


@functools.cache
def _adapter() -> SNS:
    return SNS(Catalog(), FakeTopics())


def mapped(operation: str, region: str = "us-east-1", **params: Any) -> Mapped:
    view = view_of(operation, region, **params)
    return _adapter().map(GatewayRequest(view, "sns", region, ACCOUNT, "req-1"))


def only(m: Mapped) -> tuple[str, str, dict[str, object], str | None, str | None]:
    assert len(m.checks) == 1
    c = m.checks[0]
    return c.action, c.resource, dict(c.context), c.resource_account, c.policy_resource


def test_publish_is_authorized_on_the_topic_with_its_tags_and_policy() -> None:
    m = mapped("Publish", TopicArn=TOPIC, Message="hi")
    assert (m.service, m.operation, m.backend_account) == ("sns", "Publish", ACCOUNT)
    assert only(m) == ("sns:Publish", TOPIC, {"aws:ResourceTag/team": "red"}, ACCOUNT, TOPIC)
    assert m.forward.method == "POST" and b"Action=Publish" in m.forward.body
    assert ("host", "sns.us-east-1.amazonaws.com") in m.forward.headers


def test_another_accounts_topic_is_theirs_and_served_from_their_backend() -> None:
    m = mapped("Publish", TopicArn=THEIRS, Message="hi")
    assert only(m) == ("sns:Publish", THEIRS, {}, OTHER, THEIRS)
    assert m.backend_account == OTHER


def test_publish_batch_needs_sns_publish() -> None:
    entries = [{"Id": "1", "Message": "a"}]
    m = mapped("PublishBatch", TopicArn=TOPIC, PublishBatchRequestEntries=entries)
    assert only(m)[:2] == ("sns:Publish", TOPIC)
    assert m.operation == "PublishBatch"


def test_publish_to_a_phone_number_names_the_number() -> None:
    assert only(mapped("Publish", PhoneNumber="+15555550100", Message="x"))[:2] == (
        "sns:Publish",
        "+15555550100",
    )


@pytest.mark.parametrize(
    "operation",
    ["GetTopicAttributes", "DeleteTopic", "ListSubscriptionsByTopic", "AddPermission"],
)
def test_topic_operations(operation: str) -> None:
    params: dict[str, Any] = {"TopicArn": TOPIC}
    if operation == "AddPermission":
        params.update(Label="l", AWSAccountId=[OTHER], ActionName=["Publish"])
    assert only(mapped(operation, **params))[:2] == (f"sns:{operation}", TOPIC)


def test_data_protection_policy_names_the_topic_as_resource_arn() -> None:
    m = mapped("GetDataProtectionPolicy", ResourceArn=TOPIC)
    assert only(m)[:2] == ("sns:GetDataProtectionPolicy", TOPIC)


def test_create_topic_names_the_new_topic_with_request_tags() -> None:
    m = mapped("CreateTopic", Name="new", Tags=[{"Key": "team", "Value": "blue"}])
    assert only(m) == (
        "sns:CreateTopic",
        f"arn:aws:sns:us-east-1:{ACCOUNT}:new",
        {"aws:RequestTag/team": "blue", "aws:TagKeys": ["team"]},
        ACCOUNT,
        None,
    )


def test_create_topic_in_another_region() -> None:
    m = mapped("CreateTopic", "eu-west-1", Name="eu")
    assert only(m)[1] == f"arn:aws:sns:eu-west-1:{ACCOUNT}:eu"
    assert ("host", "sns.eu-west-1.amazonaws.com") in m.forward.headers


def test_tagging_keys() -> None:
    tag = mapped("TagResource", ResourceArn=TOPIC, Tags=[{"Key": "env", "Value": "prod"}])
    assert only(tag)[2] == {
        "aws:RequestTag/env": "prod",
        "aws:TagKeys": ["env"],
        "aws:ResourceTag/team": "red",
    }
    untag = mapped("UntagResource", ResourceArn=TOPIC, TagKeys=["team"])
    assert only(untag)[2] == {"aws:TagKeys": ["team"], "aws:ResourceTag/team": "red"}
    assert only(mapped("ListTagsForResource", ResourceArn=TOPIC))[:2] == (
        "sns:ListTagsForResource",
        TOPIC,
    )


def test_subscribe_carries_protocol_and_endpoint() -> None:
    m = mapped("Subscribe", TopicArn=TOPIC, Protocol="email", Endpoint="a@example.com")
    assert only(m)[2] == {
        "sns:Protocol": "email",
        "sns:Endpoint": "a@example.com",
        "aws:ResourceTag/team": "red",
    }


def test_subscription_operations_act_on_the_topic() -> None:
    subscription = f"{TOPIC}:3f1c2b9e-0000-4000-8000-000000000001"
    assert topic_of_subscription(subscription) == TOPIC
    for operation in ("Unsubscribe", "GetSubscriptionAttributes"):
        action, resource, context, owner, policy = only(
            mapped(operation, SubscriptionArn=subscription)
        )
        assert (action, resource, owner, policy) == (f"sns:{operation}", TOPIC, ACCOUNT, TOPIC)
        assert context == {"aws:ResourceTag/team": "red"}


@pytest.mark.parametrize(
    ("operation", "params"),
    [
        ("ListTopics", {}),
        ("ListSubscriptions", {}),
        ("GetSMSAttributes", {}),
        ("ListPlatformApplications", {}),
        (
            "CreatePlatformApplication",
            {"Name": "a", "Platform": "GCM", "Attributes": {"PlatformCredential": "key"}},
        ),
    ],
)
def test_actions_without_a_resource_type_are_on_star(
    operation: str, params: dict[str, Any]
) -> None:
    m = mapped(operation, **params)
    assert only(m)[:2] == (f"sns:{operation}", "*")
    assert m.backend_account == ACCOUNT


def test_an_unknown_action_is_sns_invalid_action() -> None:
    view = HttpRequestView("POST", "/", "", [], b"Action=Nope&Version=2010-03-31")
    with pytest.raises(ServiceError) as info:
        _adapter().map(GatewayRequest(view, "sns", "us-east-1", ACCOUNT, "r"))
    assert info.value.code == "InvalidAction"


def test_topic_policies_are_validated_on_create_and_set() -> None:
    good = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": OTHER}, "Action": "sns:Publish",
                 "Resource": TOPIC}
            ],
        }
    )  # fmt: skip
    no_principal = json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sns:Publish"}]}
    )
    adapter = _adapter()
    ok = mapped("SetTopicAttributes", TopicArn=TOPIC, AttributeName="Policy", AttributeValue=good)
    assert adapter.validate(ok) is None
    bad = mapped(
        "SetTopicAttributes", TopicArn=TOPIC, AttributeName="Policy", AttributeValue=no_principal
    )
    code, message = adapter.validate(bad) or ("", "")
    assert code == "InvalidParameter"
    assert message.startswith("Invalid parameter: Policy Error: ")
    not_json = mapped("CreateTopic", Name="t", Attributes={"Policy": "{nope"})
    assert adapter.validate(not_json) == (
        "InvalidParameter",
        "Invalid parameter: Policy Error: null",
    )
    other = mapped(
        "SetTopicAttributes", TopicArn=TOPIC, AttributeName="DisplayName", AttributeValue="{"
    )
    assert adapter.validate(other) is None


def test_denial_is_authorization_error_with_sns_in_capitals() -> None:
    decision = Decision(
        DecisionKind.IMPLICIT_DENY,
        f"arn:aws:iam::{ACCOUNT}:user/alice",
        "sns:Publish",
        TOPIC,
        (),
        PolicyType.IDENTITY,
        (),
    )
    code, message, status = _adapter().denied(decision, True)
    assert (code, status) == ("AuthorizationError", 403)
    assert message == (
        f"User: arn:aws:iam::{ACCOUNT}:user/alice is not authorized to perform: SNS:Publish "
        f"on resource: {TOPIC} because no identity-based policy allows the SNS:Publish action"
    )
    headers, body = _adapter().error(code, message, status, "req-9")
    assert ("content-type", "text/xml") in headers
    root = ET.fromstring(body)
    ns = {"s": "http://sns.amazonaws.com/doc/2010-03-31/"}
    assert root.tag == "{http://sns.amazonaws.com/doc/2010-03-31/}ErrorResponse"
    assert root.findtext("s:Error/s:Type", namespaces=ns) == "Sender"
    assert root.findtext("s:Error/s:Code", namespaces=ns) == "AuthorizationError"
    assert root.findtext("s:Error/s:Message", namespaces=ns) == message
    assert root.findtext("s:RequestId", namespaces=ns) == "req-9"
