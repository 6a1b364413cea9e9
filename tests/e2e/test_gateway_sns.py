"""SNS through the gateway against a live server, with boto3: identity policies naming topic
ARNs, SNS's AuthorizationError document, topic policies (validated; granting a user of the same
account and another account's principal), aws:ResourceTag and aws:RequestTag conditions
(https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-language-api-permissions-reference.html,
https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html)."""

from __future__ import annotations

import functools
import json
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from typing import Any

import boto3
import botocore.auth
import botocore.awsrequest
import botocore.credentials

from e2e.org_helpers import Caller, allow, create_org, error_of, root_caller
from live_server import LiveServer

ACCOUNT = "123456789012"
REGION = "us-east-1"


@functools.cache
def _boto() -> boto3.session.Session:
    return boto3.session.Session(region_name=REGION)


def sns(caller: Caller) -> Any:
    return _boto().client(
        "sns",
        endpoint_url=caller.server.endpoint,
        aws_access_key_id=caller.creds["AccessKeyId"],
        aws_secret_access_key=caller.creds["SecretAccessKey"],
        aws_session_token=caller.creds.get("SessionToken"),
    )


def topic_arn(name: str, account: str = ACCOUNT) -> str:
    return f"arn:aws:sns:{REGION}:{account}:{name}"


def authorization_error(call: Any) -> str:
    """The message of the AuthorizationError (403, sender's fault) `call` met."""
    err = error_of(call)
    assert (err["Code"], err["Status"], err.get("Type")) == ("AuthorizationError", 403, "Sender")
    return str(err["Message"])


def not_authorized(principal: str, action: str, resource: str, policy: str = "identity") -> str:
    return (
        f"User: {principal} is not authorized to perform: {action} on resource: {resource} "
        f"because no {policy}-based policy allows the {action} action"
    )


def user_arn(name: str, account: str = ACCOUNT) -> str:
    return f"arn:aws:iam::{account}:user/{name}"


def topic_policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


# -- identity policies -----------------------------------------------------------------------


def test_publish_is_allowed_by_the_topic_arn_and_denied_elsewhere(server: LiveServer) -> None:
    root = sns(root_caller(server))
    orders = root.create_topic(Name="orders")["TopicArn"]
    audit = root.create_topic(Name="audit")["TopicArn"]
    assert orders == topic_arn("orders")
    alice = sns(root_caller(server).new_user("alice", allow("sns:Publish", resource=orders)))

    assert alice.publish(TopicArn=orders, Message="order 1")["MessageId"]
    assert alice.publish_batch(
        TopicArn=orders, PublishBatchRequestEntries=[{"Id": "1", "Message": "b"}]
    )["Successful"]

    # Another topic; another action on the granted one; an action on no resource.
    assert authorization_error(lambda: alice.publish(TopicArn=audit, Message="x")) == (
        not_authorized(user_arn("alice"), "SNS:Publish", audit)
    )
    assert authorization_error(lambda: alice.get_topic_attributes(TopicArn=orders)) == (
        not_authorized(user_arn("alice"), "SNS:GetTopicAttributes", orders)
    )
    message = authorization_error(alice.list_topics)
    assert message == (
        f"User: {user_arn('alice')} is not authorized to perform: SNS:ListTopics because no "
        "identity-based policy allows the SNS:ListTopics action"
    )
    # What was denied did not happen: only the allowed messages reached moto.
    assert [t["TopicArn"] for t in root.list_topics()["Topics"]] == [orders, audit]


def test_the_denial_document_is_sns_query_error(server: LiveServer) -> None:
    bob = root_caller(server).new_user("bob")
    credentials = botocore.credentials.Credentials(
        bob.creds["AccessKeyId"], bob.creds["SecretAccessKey"]
    )
    request = botocore.awsrequest.AWSRequest(
        "POST",
        server.endpoint + "/",
        data=f"Action=Publish&Version=2010-03-31&TopicArn={topic_arn('t')}&Message=m".encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    botocore.auth.SigV4Auth(credentials, "sns", REGION).add_auth(request)
    prepared = request.prepare()
    raw = urllib.request.Request(
        prepared.url, data=prepared.body, headers=dict(prepared.headers), method="POST"
    )
    try:
        urllib.request.urlopen(raw, timeout=10)
        raise AssertionError("not denied")
    except urllib.error.HTTPError as exc:
        status, body = exc.code, exc.read()
    assert status == 403
    ns = {"s": "http://sns.amazonaws.com/doc/2010-03-31/"}
    doc = ET.fromstring(body)
    assert doc.tag == f"{{{ns['s']}}}ErrorResponse"
    assert doc.findtext("s:Error/s:Type", namespaces=ns) == "Sender"
    assert doc.findtext("s:Error/s:Code", namespaces=ns) == "AuthorizationError"
    assert doc.findtext("s:Error/s:Message", namespaces=ns) == not_authorized(
        user_arn("bob"), "SNS:Publish", topic_arn("t")
    )
    assert doc.findtext("s:RequestId", namespaces=ns)


# -- topic policies --------------------------------------------------------------------------


def test_topic_policies_are_validated(server: LiveServer) -> None:
    root = sns(root_caller(server))
    arn = root.create_topic(Name="checked")["TopicArn"]
    default = root.get_topic_attributes(TopicArn=arn)["Attributes"]["Policy"]

    no_principal = topic_policy(allow("sns:Publish", resource=arn))
    err = error_of(
        lambda: root.set_topic_attributes(
            TopicArn=arn, AttributeName="Policy", AttributeValue=no_principal
        )
    )
    assert (err["Code"], err["Status"]) == ("InvalidParameter", 400)
    assert err["Message"].startswith("Invalid parameter: Policy Error: ")
    err = error_of(
        lambda: root.set_topic_attributes(TopicArn=arn, AttributeName="Policy", AttributeValue="{")
    )
    assert (err["Code"], err["Message"]) == (
        "InvalidParameter",
        "Invalid parameter: Policy Error: null",
    )
    err = error_of(lambda: root.create_topic(Name="born-bad", Attributes={"Policy": no_principal}))
    assert err["Code"] == "InvalidParameter"
    # Nothing was stored.
    assert root.get_topic_attributes(TopicArn=arn)["Attributes"]["Policy"] == default
    assert topic_arn("born-bad") not in [t["TopicArn"] for t in root.list_topics()["Topics"]]


def test_the_default_topic_policy_grants_no_user_anything(server: LiveServer) -> None:
    # AWS's default topic policy names "AWS": "*" under an AWS:SourceOwner condition, which
    # callers' requests do not carry.
    arn = sns(root_caller(server)).create_topic(Name="quiet")["TopicArn"]
    carol = sns(root_caller(server).new_user("carol"))
    assert authorization_error(lambda: carol.publish(TopicArn=arn, Message="x")) == (
        not_authorized(user_arn("carol"), "SNS:Publish", arn)
    )


def test_a_topic_policy_alone_grants_a_user_of_the_same_account(server: LiveServer) -> None:
    root = sns(root_caller(server))
    arn = root.create_topic(Name="shared")["TopicArn"]
    dave = sns(root_caller(server).new_user("dave"))  # no identity policy
    authorization_error(lambda: dave.publish(TopicArn=arn, Message="x"))

    grant = allow("sns:Publish", resource=arn, Principal={"AWS": user_arn("dave")})
    root.set_topic_attributes(
        TopicArn=arn, AttributeName="Policy", AttributeValue=topic_policy(grant)
    )

    assert dave.publish(TopicArn=arn, Message="hello")["MessageId"]
    authorization_error(lambda: dave.get_topic_attributes(TopicArn=arn))
    erin = sns(root_caller(server).new_user("erin"))
    authorization_error(lambda: erin.publish(TopicArn=arn, Message="x"))


def test_a_topic_policy_grants_another_accounts_principal(server: LiveServer) -> None:
    org = create_org(server)
    member = org.account("publisher")
    outsider = sns(org.member(member))  # AdministratorAccess in its own account
    session = f"arn:aws:sts::{member}:assumed-role/OrganizationAccountAccessRole/admin-{member}"
    owner = sns(root_caller(server))
    arn = owner.create_topic(Name="inbox")["TopicArn"]

    # Its identity policy allows everything, but the topic is not its account's.
    assert authorization_error(lambda: outsider.publish(TopicArn=arn, Message="x")) == (
        not_authorized(session, "SNS:Publish", arn, policy="resource")
    )

    grant = allow("sns:Publish", resource=arn, Principal={"AWS": f"arn:aws:iam::{member}:root"})
    owner.set_topic_attributes(
        TopicArn=arn, AttributeName="Policy", AttributeValue=topic_policy(grant)
    )

    assert outsider.publish(TopicArn=arn, Message="from afar")["MessageId"]
    # Only Publish was granted.
    assert authorization_error(lambda: outsider.get_topic_attributes(TopicArn=arn)) == (
        not_authorized(session, "SNS:GetTopicAttributes", arn, policy="resource")
    )
    # The topic stays its owner's: the member account has no topic of its own.
    assert outsider.list_topics()["Topics"] == []
    assert [t["TopicArn"] for t in owner.list_topics()["Topics"]] == [arn]


# -- tags --------------------------------------------------------------------------------------


def test_resource_tag_condition(server: LiveServer) -> None:
    root = sns(root_caller(server))
    red = root.create_topic(Name="red", Tags=[{"Key": "team", "Value": "red"}])["TopicArn"]
    blue = root.create_topic(Name="blue", Tags=[{"Key": "team", "Value": "blue"}])["TopicArn"]
    frank = sns(
        root_caller(server).new_user(
            "frank",
            allow(
                "sns:Publish",
                "sns:GetTopicAttributes",
                Condition={"StringEquals": {"aws:ResourceTag/team": "red"}},
            ),
        )
    )

    assert frank.publish(TopicArn=red, Message="x")["MessageId"]
    assert frank.get_topic_attributes(TopicArn=red)["Attributes"]["TopicArn"] == red
    assert authorization_error(lambda: frank.publish(TopicArn=blue, Message="x")) == (
        not_authorized(user_arn("frank"), "SNS:Publish", blue)
    )
    # Retagging the topic changes the answer at once.
    root.tag_resource(ResourceArn=blue, Tags=[{"Key": "team", "Value": "red"}])
    assert frank.publish(TopicArn=blue, Message="x")["MessageId"]


def test_request_tag_condition_on_create_topic(server: LiveServer) -> None:
    gina = sns(
        root_caller(server).new_user(
            "gina",
            allow(
                "sns:CreateTopic",
                "sns:TagResource",
                Condition={
                    "StringEquals": {"aws:RequestTag/cost-center": "42"},
                    "ForAllValues:StringEquals": {"aws:TagKeys": ["cost-center"]},
                },
            ),
        )
    )
    made = gina.create_topic(Name="billed", Tags=[{"Key": "cost-center", "Value": "42"}])
    assert made["TopicArn"] == topic_arn("billed")
    assert authorization_error(lambda: gina.create_topic(Name="free")) == (
        not_authorized(user_arn("gina"), "SNS:CreateTopic", topic_arn("free"))
    )
    authorization_error(
        lambda: gina.tag_resource(
            ResourceArn=made["TopicArn"], Tags=[{"Key": "owner", "Value": "gina"}]
        )
    )
