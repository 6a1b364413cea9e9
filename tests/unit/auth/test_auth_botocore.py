"""Requests signed by botocore, the signer behind boto3 and the AWS CLI, verify."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest
from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth, SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSPreparedRequest, AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from sigv4_support import (
    CREDENTIALS,
    NOW,
    PERMANENT,
    TEMP_CREDENTIALS,
    TEMPORARY,
    botocore_clock,
    host_of,
    lookup,
    sign,
    view_of,
)

from localiam.auth import Authenticated, HttpRequestView, authenticate

FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}


def verify(view: HttpRequestView, **options: Any) -> Authenticated:
    result = authenticate(view, lookup(), NOW, **options)
    assert result is not None
    return result


def test_iam_form_post_verifies_and_reports_scope_and_key() -> None:
    request = AWSRequest(
        "POST",
        "https://iam.amazonaws.com/",
        data={"Action": "ListUsers", "Version": "2010-05-08", "PathPrefix": "/a b+c/ü/"},
        headers=FORM,
    )
    result = verify(sign(request, SigV4Auth(CREDENTIALS, "iam", "us-east-1")))

    assert result == Authenticated(PERMANENT, "us-east-1", "iam", NOW, presigned=False)


def test_sts_form_post_with_session_token_verifies() -> None:
    request = AWSRequest(
        "POST",
        "https://sts.eu-west-1.amazonaws.com/",
        data={"Action": "GetCallerIdentity", "Version": "2011-06-15"},
        headers=FORM,
    )
    view = sign(request, SigV4Auth(TEMP_CREDENTIALS, "sts", "eu-west-1"))

    assert view.headers.get("x-amz-security-token") == TEMP_CREDENTIALS.token
    result = verify(view)
    assert (result.key, result.region, result.service) == (TEMPORARY, "eu-west-1", "sts")


def test_get_with_query_string_repeated_and_empty_parameters_verifies() -> None:
    request = AWSRequest(
        "GET",
        "https://iam.amazonaws.com/",
        params=[
            ("Version", "2010-05-08"),
            ("Action", "GetUser"),
            ("UserName", "b ob+=&/ü~"),
            ("Marker", "2"),
            ("Marker", "1"),
            ("Empty", ""),
        ],
    )
    view = sign(request, SigV4Auth(CREDENTIALS, "iam", "us-east-1"))

    assert "UserName=b+ob%2B%3D%26%2F%C3%BC~" in view.query_string  # spaces travel as '+'
    assert verify(view).service == "iam"


def test_query_already_in_the_url_verifies() -> None:
    url = "https://iam.amazonaws.com/?Version=2010-05-08&Action=ListRoles&PathPrefix=%2Fx%20y%2F"
    view = sign(AWSRequest("GET", url), SigV4Auth(CREDENTIALS, "iam", "us-east-1"))

    assert verify(view).service == "iam"


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/a%2Fb/c%20d/%E2%9C%93",
        "/functions/my-function%3A1/configuration",
        "/a//b/./c/../d/",
        "/%7Euser/%21%24%26%27%28%29%2A%2B%2C%3B%3D%40",
        "/unreserved-._~/reserved!$&'()*+,;=@:",
    ],
)
def test_paths_with_special_characters_verify(path: str) -> None:
    request = AWSRequest("GET", f"https://execute-api.us-west-2.amazonaws.com{path}")
    view = sign(request, SigV4Auth(CREDENTIALS, "execute-api", "us-west-2"))

    assert view.path == path
    assert verify(view).region == "us-west-2"


def test_repeated_and_spaced_headers_verify() -> None:
    request = AWSRequest(
        "POST",
        "https://iam.amazonaws.com/",
        data=b"Action=ListUsers&Version=2010-05-08",
        headers={**FORM, "X-Custom": "  a   b\tc  "},
    )
    view = sign(request, SigV4Auth(CREDENTIALS, "iam", "us-east-1"))

    assert verify(view).service == "iam"


def test_date_header_instead_of_x_amz_date_verifies() -> None:
    request = AWSRequest(
        "POST",
        "https://iam.amazonaws.com/",
        data=b"Action=ListUsers&Version=2010-05-08",
        headers={**FORM, "Date": "Thu, 01 Jan 1970 00:00:00 GMT"},
    )
    view = sign(request, SigV4Auth(CREDENTIALS, "iam", "us-east-1"))

    assert "x-amz-date" not in view.headers
    assert view.headers.get("date") == "Sat, 28 Nov 2026 07:00:00 -0000"
    assert verify(view).signed_at == NOW


def test_unsigned_payload_declared_by_header_is_honoured() -> None:
    request = AWSRequest(
        "POST",
        "https://iam.amazonaws.com/",
        data=b"Action=ListUsers&Version=2010-05-08",
        headers={**FORM, "X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"},
    )
    view = sign(request, SigV4Auth(CREDENTIALS, "iam", "us-east-1"))

    assert verify(view).service == "iam"


def test_presigned_sts_url_verifies_until_it_expires() -> None:
    request = AWSRequest(
        "GET",
        "https://sts.amazonaws.com/",
        params={"Action": "GetCallerIdentity", "Version": "2011-06-15"},
    )
    view = sign(request, SigV4QueryAuth(TEMP_CREDENTIALS, "sts", "us-east-1", expires=300))

    assert "X-Amz-Security-Token=" in view.query_string
    result = authenticate(view, lookup(), NOW + timedelta(seconds=300))
    assert result == Authenticated(TEMPORARY, "us-east-1", "sts", NOW, presigned=True)


def test_presigned_iam_post_moves_the_form_into_the_url_and_verifies() -> None:
    request = AWSRequest(
        "GET",
        "https://iam.amazonaws.com/",
        data={"Action": "ListUsers", "Version": "2010-05-08"},
        headers=FORM,
    )
    view = sign(request, SigV4QueryAuth(CREDENTIALS, "iam", "us-east-1", expires=60))

    assert view.body == b""
    assert view.query_string.startswith("Action=ListUsers&Version=2010-05-08&")
    assert verify(view).presigned


def test_s3_presigned_url_keeps_the_path_as_sent() -> None:
    request = AWSRequest("GET", "https://bucket.s3.amazonaws.com/a%2Fb/c%20d/../x")
    view = sign(request, S3SigV4QueryAuth(CREDENTIALS, "s3", "us-east-1", expires=604800))

    result = authenticate(view, lookup(), NOW + timedelta(days=7))
    assert result is not None and result.service == "s3"


def test_s3_header_signature_covers_the_body_hash() -> None:
    request = AWSRequest("PUT", "https://bucket.s3.amazonaws.com/a%2Bb/c%20d", data=b"hello")
    view = sign(request, S3SigV4Auth(CREDENTIALS, "s3", "us-east-1"))

    assert view.headers.get("x-amz-content-sha256") == (
        "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
    )
    assert verify(view).service == "s3"


# --- whole clients: what boto3 actually sends -------------------------------------------------


class _Sent(Exception):
    def __init__(self, request: AWSPreparedRequest) -> None:
        self.request = request


def _stop_before_sending(request: AWSPreparedRequest, **_: Any) -> None:
    raise _Sent(request)


def _client(service: str, credentials: Credentials = CREDENTIALS, **options: Any) -> Any:
    client = boto3.client(
        service,
        region_name="us-east-1",
        endpoint_url="http://localhost:4599",
        aws_access_key_id=credentials.access_key,
        aws_secret_access_key=credentials.secret_key,
        aws_session_token=credentials.token,
        **options,
    )
    client.meta.events.register("before-send", _stop_before_sending)
    return client


def _sent(client: Any, operation: str, **params: Any) -> HttpRequestView:
    with botocore_clock(NOW), pytest.raises(_Sent) as sent:
        getattr(client, operation)(**params)
    return view_of(sent.value.request)


@pytest.mark.parametrize(
    ("service", "operation", "params", "credentials"),
    [
        ("iam", "list_users", {"PathPrefix": "/division_abc/sub ü+&=/"}, CREDENTIALS),
        ("iam", "create_user", {"UserName": "bob", "Path": "/a/"}, TEMP_CREDENTIALS),
        ("sts", "get_caller_identity", {}, TEMP_CREDENTIALS),
        ("organizations", "list_accounts", {}, CREDENTIALS),
        ("lambda", "get_function", {"FunctionName": "my-function:1"}, CREDENTIALS),
        ("s3", "list_objects_v2", {"Bucket": "bucket", "Prefix": "a b/ü+"}, CREDENTIALS),
        (
            "s3",
            "put_object",
            {"Bucket": "bucket", "Key": "a b/c+d ü?x=1&y", "Body": b"hello world"},
            TEMP_CREDENTIALS,
        ),
    ],
)
def test_boto3_requests_verify(
    service: str, operation: str, params: dict[str, Any], credentials: Credentials
) -> None:
    view = _sent(_client(service, credentials), operation, **params)

    result = verify(view)
    assert (result.service, result.key.access_key_id) == (service, credentials.access_key)


def test_boto3_encodes_lambda_path_parameters_once_and_the_server_twice() -> None:
    view = _sent(_client("lambda"), "get_function", FunctionName="my-function:1")

    assert view.path == "/2015-03-31/functions/my-function%3A1"
    assert verify(view).service == "lambda"


@pytest.mark.parametrize(
    ("service", "operation", "params", "config"),
    [
        ("sts", "get_caller_identity", {}, None),
        ("iam", "list_users", {"PathPrefix": "/x y/"}, None),
        ("s3", "get_object", {"Bucket": "b", "Key": "a b/ü"}, Config(signature_version="s3v4")),
    ],
)
def test_boto3_presigned_urls_verify(
    service: str, operation: str, params: dict[str, Any], config: Config | None
) -> None:
    client = _client(service, TEMP_CREDENTIALS, config=config)
    with botocore_clock(NOW):
        url = client.generate_presigned_url(operation, Params=params, HttpMethod="GET")
    parts = urlsplit(url)
    view = HttpRequestView("GET", parts.path, parts.query, [("Host", host_of(url))])

    result = verify(view)
    assert (result.service, result.key, result.presigned) == (service, TEMPORARY, True)
