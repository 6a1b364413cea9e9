"""Bad input to the data plane gets the service's own error, never a failure of the backend
(moto) passed on as a 5xx: malformed bodies, missing and mistyped parameters, unknown
operations, odd paths."""

from __future__ import annotations

import http.client

import pytest
from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from live_server import ROOT_KEY, ROOT_SECRET, LiveServer

CREDS = Credentials(ROOT_KEY, ROOT_SECRET)
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _send(
    server: LiveServer, method: str, path: str, service: str, body: bytes, headers: dict[str, str]
) -> tuple[int, bytes]:
    request = AWSRequest(method=method, url=server.endpoint + path, data=body, headers=headers)
    if service == "s3":
        request.headers["x-amz-content-sha256"] = "UNSIGNED-PAYLOAD"
        S3SigV4Auth(CREDS, "s3", "us-east-1").add_auth(request)
    else:
        SigV4Auth(CREDS, service, "us-east-1").add_auth(request)
    host, port = server.endpoint.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.request(method, path, body=body, headers=dict(request.prepare().headers))
        answer = conn.getresponse()
        return answer.status, answer.read()
    finally:
        conn.close()


CASES = [
    ("s3", "PUT", "/newbucket", b"\x00\x01 not xml", {}, 400, b"<Code>MalformedXML</Code>"),
    ("s3", "POST", "/newbucket?delete", b"<Delete><Object>", {}, 400, b"MalformedXML"),
    ("s3", "PUT", "/newbucket?policy", b"not json", {}, 400, b"<Code>MalformedPolicy</Code>"),
    ("sns", "POST", "/", b"Action=Publish&Version=2010-03-31", FORM, 400, b"ValidationError"),
    ("sns", "POST", "/", b"Action=CreateTopic&Version=2010-03-31", FORM, 400, b"ValidationError"),
    ("sns", "POST", "/", b"Action=Nope&Version=2010-03-31", FORM, 400, b"InvalidAction"),
    ("ec2", "POST", "/", b"Action=RunInstances&Version=2016-11-15&MinCount=a&MaxCount=1",
     FORM, 400, b"InvalidParameterValue"),
    ("ec2", "POST", "/", b"Action=RunInstances&Version=2016-11-15&MaxCount=1",
     FORM, 400, b"MissingParameter"),
    ("dynamodb", "POST", "/", b"{", {"X-Amz-Target": "DynamoDB_20120810.Scan"}, 400,
     b"SerializationException"),
    ("dynamodb", "POST", "/", b'{"TableName": 5}', {"X-Amz-Target": "DynamoDB_20120810.Scan"},
     400, b"Exception"),
    ("sqs", "POST", "/", b'{"QueueUrl": {"a": 1}}', {"X-Amz-Target": "AmazonSQS.SendMessage"},
     400, b""),
    ("kms", "POST", "/", b"[]", {"X-Amz-Target": "TrentService.Encrypt"}, 400, b""),
    ("organizations", "POST", "/", b"{", {"X-Amz-Target": "AWSOrganizationsV20161128.ListAccounts"},
     400, b"SerializationException"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("service", "method", "path", "body", "headers", "status", "marker"),
    CASES,
    ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)],
)
def test_bad_input_gets_the_services_error(
    server: LiveServer,
    service: str,
    method: str,
    path: str,
    body: bytes,
    headers: dict[str, str],
    status: int,
    marker: bytes,
) -> None:
    got, answer = _send(server, method, path, service, body, headers)
    assert got == status, answer
    assert marker in answer


@pytest.mark.parametrize(
    ("service", "code", "status"),
    [
        ("dynamodb", "UnrecognizedClientException", 400),
        ("kms", "UnrecognizedClientException", 400),
        ("sqs", "InvalidClientTokenId", 403),
    ],
)
def test_an_unknown_key_is_refused_with_the_services_code_and_status(
    server: LiveServer, service: str, code: str, status: int
) -> None:
    import botocore.exceptions

    client = server.client(service, key="AKIAUNKNOWNKEY000000", secret="x" * 40)
    call = {
        "dynamodb": lambda: client.list_tables(),
        "kms": lambda: client.list_keys(),
        "sqs": lambda: client.list_queues(),
    }[service]
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        call()
    response = refused.value.response
    assert response["Error"]["Code"] == code
    assert response["ResponseMetadata"]["HTTPStatusCode"] == status
