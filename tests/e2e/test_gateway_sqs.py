"""SQS through the gateway against a live server, driven by boto3 (JSON protocol), the AWS CLI
and a hand-signed query-protocol client: identity policies name queues by ARN, queue policies
grant the same account and other accounts (where the other account's identity policy must also
allow), deny on aws:SecureTransport and aws:SourceIp, and aws:ResourceTag / aws:RequestTag
conditions; denials are SQS's AccessDenied (HTTP 403) with its sentence
(https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-basic-examples-of-sqs-policies.html,
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-limitations-of-custom-policies.html)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from functools import partial
from typing import Any
from urllib.parse import urlencode

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from e2e.org_helpers import Caller, allow, create_org, error_of, root_caller
from live_server import ROOT_KEY, ROOT_SECRET, LiveServer

REGION = "us-east-1"


def sqs(caller: Caller) -> Any:
    creds = caller.creds
    return boto3.session.Session(region_name=REGION).client(
        "sqs",
        endpoint_url=caller.server.endpoint,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds.get("SessionToken"),
    )


def queue_arn(account: str, name: str) -> str:
    return f"arn:aws:sqs:{REGION}:{account}:{name}"


def policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def denial(call: Any) -> str:
    """The message of the AccessDenied (HTTP 403) `call` was answered with."""
    err = error_of(call)
    assert (err["Code"], err["Status"]) == ("AccessDenied", 403), err
    return str(err["Message"])


def not_allowed(principal: str, action: str, resource: str | None, by: str = "identity") -> str:
    on = "" if resource is None else f" on resource: {resource}"
    return (
        f"User: {principal} is not authorized to perform: {action}{on} "
        f"because no {by}-based policy allows the {action} action"
    )


def test_identity_policy_allows_the_queue_it_names(server: LiveServer) -> None:
    account = server.account_id
    root = root_caller(server)
    owner = sqs(root)
    orders = owner.create_queue(QueueName="orders")["QueueUrl"]
    other = owner.create_queue(QueueName="other")["QueueUrl"]
    assert orders == f"{server.endpoint}/{account}/orders"
    alice = root.new_user(
        "alice",
        allow(
            "sqs:SendMessage",
            "sqs:ReceiveMessage",
            "sqs:DeleteMessage",
            resource=queue_arn(account, "orders"),
        ),
    )
    client = sqs(alice)
    client.send_message(QueueUrl=orders, MessageBody="one")
    sent = client.send_message_batch(  # batches are authorized as sqs:SendMessage
        QueueUrl=orders, Entries=[{"Id": "2", "MessageBody": "two"}]
    )
    assert [e["Id"] for e in sent["Successful"]] == ["2"]
    received = client.receive_message(QueueUrl=orders, MaxNumberOfMessages=10)["Messages"]
    assert sorted(m["Body"] for m in received) == ["one", "two"]
    deleted = client.delete_message_batch(
        QueueUrl=orders,
        Entries=[
            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(received)
        ],
    )
    assert len(deleted["Successful"]) == 2

    user = f"arn:aws:iam::{account}:user/alice"
    message = denial(lambda: client.send_message(QueueUrl=other, MessageBody="x"))
    assert message == not_allowed(user, "sqs:sendmessage", queue_arn(account, "other"))
    client.send_message(QueueUrl=orders, MessageBody="kept")
    message = denial(lambda: client.purge_queue(QueueUrl=orders))
    assert message == not_allowed(user, "sqs:purgequeue", queue_arn(account, "orders"))
    assert denial(lambda: client.list_queues()) == not_allowed(user, "sqs:listqueues", None)
    # The refused calls reached no queue: `other` is empty, `orders` still holds its message.
    for url, count in ((other, "0"), (orders, "1")):
        counted = owner.get_queue_attributes(
            QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"]
        )
        assert counted["Attributes"]["ApproximateNumberOfMessages"] == count


def test_queue_policy_grants_a_user_of_the_same_account(server: LiveServer) -> None:
    account = server.account_id
    root = root_caller(server)
    owner = sqs(root)
    url = owner.create_queue(QueueName="inbox")["QueueUrl"]
    bob = root.new_user("bob")  # no identity policy at all
    client = sqs(bob)
    user = f"arn:aws:iam::{account}:user/bob"
    arn = queue_arn(account, "inbox")
    assert denial(lambda: client.send_message(QueueUrl=url, MessageBody="x")) == not_allowed(
        user, "sqs:sendmessage", arn
    )
    grant = {"Effect": "Allow", "Principal": {"AWS": user}, "Action": "sqs:SendMessage"}
    owner.set_queue_attributes(
        QueueUrl=url, Attributes={"Policy": policy({**grant, "Resource": arn})}
    )
    client.send_message(QueueUrl=url, MessageBody="from bob")
    assert owner.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "from bob"
    assert denial(lambda: client.receive_message(QueueUrl=url)) == not_allowed(
        user, "sqs:receivemessage", arn
    )


def test_queue_policy_grants_another_account_whose_identity_policy_allows(
    server: LiveServer,
) -> None:
    org = create_org(server)
    a = org.management
    b = org.account("b")
    owner = sqs(root_caller(server))
    url = owner.create_queue(QueueName="shared")["QueueUrl"]
    arn = queue_arn(a, "shared")
    b_admin = org.member(b)  # OrganizationAccountAccessRole: AdministratorAccess in B
    admin = sqs(b_admin)
    session = f"arn:aws:sts::{b}:assumed-role/OrganizationAccountAccessRole/admin-{b}"

    # B's administrator may do anything in B, but the queue is A's and its policy says nothing.
    message = denial(lambda: admin.send_message(QueueUrl=url, MessageBody="x"))
    assert message == not_allowed(session, "sqs:sendmessage", arn, by="resource")

    statement = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{b}:root"},
        "Action": ["sqs:SendMessage", "sqs:GetQueueUrl", "sqs:SetQueueAttributes"],
        "Resource": arn,
    }
    owner.set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy(statement)})
    assert admin.get_queue_url(QueueName="shared", QueueOwnerAWSAccountId=a)["QueueUrl"] == url
    admin.send_message(QueueUrl=url, MessageBody="from b")
    assert owner.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "from b"
    message = denial(lambda: admin.receive_message(QueueUrl=url))
    assert message == not_allowed(session, "sqs:receivemessage", arn, by="resource")
    # "Cross-account permissions don't apply to" SetQueueAttributes, whatever the policy says.
    message = denial(
        lambda: admin.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "5"})
    )
    assert message == not_allowed(session, "sqs:setqueueattributes", arn, by="resource")

    # The queue policy trusts account B; a user of B must still be allowed by B's policies.
    carol = b_admin.new_user("carol")
    message = denial(lambda: sqs(carol).send_message(QueueUrl=url, MessageBody="x"))
    assert message == not_allowed(f"arn:aws:iam::{b}:user/carol", "sqs:sendmessage", arn)
    b_admin.iam.put_user_policy(
        UserName="carol",
        PolicyName="send",
        PolicyDocument=policy(allow("sqs:SendMessage", resource=arn)),
    )
    sqs(carol).send_message(QueueUrl=url, MessageBody="from carol")


def test_queue_policy_denies_on_transport_and_source_address(server: LiveServer) -> None:
    account = server.account_id
    root = root_caller(server)
    owner = sqs(root)
    url = owner.create_queue(QueueName="guarded")["QueueUrl"]
    arn = queue_arn(account, "guarded")
    alice = sqs(root.new_user("alice", allow("sqs:*")))
    owner.send_message(QueueUrl=url, MessageBody="before")

    def deny_all(action: str, condition: dict[str, Any]) -> dict[str, Any]:
        return {"Effect": "Deny", "Principal": "*", "Action": action, "Resource": arn,
                "Condition": condition}  # fmt: skip

    plain_http = deny_all("sqs:SendMessage", {"Bool": {"aws:SecureTransport": "false"}})
    elsewhere = deny_all("sqs:ReceiveMessage", {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}})
    owner.set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy(plain_http, elsewhere)})
    explicit = "with an explicit deny in a resource-based policy"
    user = f"arn:aws:iam::{account}:user/alice"
    message = denial(lambda: alice.send_message(QueueUrl=url, MessageBody="x"))
    assert message == (
        f"User: {user} is not authorized to perform: sqs:sendmessage on resource: {arn} {explicit}"
    )
    # The account's root user is refused too: an explicit deny in the queue policy binds everyone.
    assert denial(lambda: owner.send_message(QueueUrl=url, MessageBody="x")).endswith(explicit)
    assert denial(lambda: alice.receive_message(QueueUrl=url)).endswith(explicit)

    loopback = deny_all(
        "sqs:ReceiveMessage", {"NotIpAddress": {"aws:SourceIp": ["127.0.0.0/8", "::1/128"]}}
    )
    owner.set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy(loopback)})
    assert alice.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "before"
    alice.send_message(QueueUrl=url, MessageBody="after")


def test_resource_tag_and_request_tag_conditions(server: LiveServer) -> None:
    account = server.account_id
    root = root_caller(server)
    owner = sqs(root)
    blue = owner.create_queue(QueueName="blue", tags={"team": "blue"})["QueueUrl"]
    red = owner.create_queue(QueueName="red", tags={"team": "red"})["QueueUrl"]
    alice = sqs(
        root.new_user(
            "alice",
            allow("sqs:SendMessage", Condition={"StringEquals": {"aws:ResourceTag/team": "blue"}}),
            allow("sqs:CreateQueue"),
            allow("sqs:TagQueue", Condition={"StringEquals": {"aws:RequestTag/team": "blue"}}),
        )
    )
    user = f"arn:aws:iam::{account}:user/alice"
    alice.send_message(QueueUrl=blue, MessageBody="x")
    message = denial(lambda: alice.send_message(QueueUrl=red, MessageBody="x"))
    assert message == not_allowed(user, "sqs:sendmessage", queue_arn(account, "red"))
    owner.tag_queue(QueueUrl=red, Tags={"team": "blue"})
    alice.send_message(QueueUrl=red, MessageBody="x")

    # Tagging a queue as it is created takes sqs:TagQueue as well, with the tags as keys.
    alice.create_queue(QueueName="untagged")
    alice.create_queue(QueueName="mine", tags={"team": "blue"})
    assert owner.list_queue_tags(QueueUrl=f"{server.endpoint}/{account}/mine")["Tags"] == {
        "team": "blue"
    }
    message = denial(lambda: alice.create_queue(QueueName="theirs", tags={"team": "red"}))
    assert message == not_allowed(user, "sqs:tagqueue", queue_arn(account, "theirs"))
    assert "theirs" not in json.dumps(owner.list_queues())


def test_a_malformed_queue_policy_is_refused(server: LiveServer) -> None:
    owner = sqs(root_caller(server))
    url = owner.create_queue(QueueName="q")["QueueUrl"]
    no_principal = policy({"Effect": "Allow", "Action": "sqs:*", "Resource": "*"})
    for bad in (no_principal, "{not json"):
        err = error_of(
            partial(owner.set_queue_attributes, QueueUrl=url, Attributes={"Policy": bad})
        )
        assert (err["Code"], err["Message"], err["Status"]) == (
            "InvalidAttributeValue",
            "Invalid value for the parameter Policy.",
            400,
        )
    err = error_of(lambda: owner.create_queue(QueueName="p", Attributes={"Policy": no_principal}))
    assert err["Code"] == "InvalidAttributeValue"
    attributes = owner.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert "Policy" not in attributes
    assert [u.rsplit("/", 1)[1] for u in owner.list_queues()["QueueUrls"]] == ["q"]


def test_the_aws_cli_reports_sqs_denials(server: LiveServer) -> None:
    root = root_caller(server)
    url = sqs(root).create_queue(QueueName="cli")["QueueUrl"]
    alice = root.new_user("alice").creds
    # The CLI points `sqs` at queue.amazonaws.com unless --endpoint-url itself is given
    # (awscli/customizations/overridesslcommonname.py ignores AWS_ENDPOINT_URL).
    run = server.cli(
        "sqs", "send-message", "--queue-url", url, "--message-body", "x",
        "--endpoint-url", server.endpoint,
        key=alice["AccessKeyId"], secret=alice["SecretAccessKey"],
    )  # fmt: skip
    assert run.code == 255, run.stderr  # AWS CLI v1: a service error
    arn = queue_arn(server.account_id, "cli")
    user = f"arn:aws:iam::{server.account_id}:user/alice"
    assert (
        "An error occurred (AccessDenied) when calling the SendMessage operation: "
        + not_allowed(user, "sqs:sendmessage", arn)
    ) in run.stderr


def _query(server: LiveServer, form: dict[str, str], key: str, secret: str) -> tuple[int, str]:
    """A query-protocol request, SigV4-signed as older SDKs sign it."""
    request = AWSRequest(
        method="POST",
        url=f"{server.endpoint}/",
        data=urlencode({**form, "Version": "2012-11-05"}).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    SigV4Auth(Credentials(key, secret), "sqs", REGION).add_auth(request)
    prepared = urllib.request.Request(
        request.url, data=request.body, headers=dict(request.headers.items()), method="POST"
    )
    try:
        with urllib.request.urlopen(prepared, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_query_protocol_clients(server: LiveServer) -> None:
    account = server.account_id
    status, body = _query(server, {"Action": "CreateQueue", "QueueName": "legacy",
                                   "Tag.1.Key": "team", "Tag.1.Value": "blue"},
                          ROOT_KEY, ROOT_SECRET)  # fmt: skip
    url = f"{server.endpoint}/{account}/legacy"
    assert status == 200 and f"<QueueUrl>{url}</QueueUrl>" in body, body
    root = root_caller(server)
    assert sqs(root).list_queue_tags(QueueUrl=url)["Tags"] == {"team": "blue"}
    alice = root.new_user(
        "alice",
        allow("sqs:SendMessage", Condition={"StringEquals": {"aws:ResourceTag/team": "blue"}}),
    ).creds
    keys = alice["AccessKeyId"], alice["SecretAccessKey"]
    status, body = _query(
        server, {"Action": "SendMessage", "QueueUrl": url, "MessageBody": "x"}, *keys
    )
    assert status == 200 and "<MessageId>" in body, body
    status, body = _query(server, {"Action": "PurgeQueue", "QueueUrl": url}, *keys)
    assert status == 403
    message = not_allowed(
        f"arn:aws:iam::{account}:user/alice", "sqs:purgequeue", queue_arn(account, "legacy")
    )
    assert body == (
        '<?xml version="1.0"?><ErrorResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/">'
        f"<Error><Type>Sender</Type><Code>AccessDenied</Code><Message>{message}</Message>"
        f"<Detail/></Error><RequestId>{body.split('<RequestId>')[1].split('<')[0]}</RequestId>"
        "</ErrorResponse>"
    )
