"""S3 through the gateway against a live server, with boto3, plain HTTP and the AWS CLI: identity
policies with exact ARNs, bucket policies (validated; granting same account and cross account;
denying), anonymous and presigned access, S3's condition keys and aws:SourceIp, multipart uploads
(https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-policy-language-overview.html,
https://docs.aws.amazon.com/AmazonS3/latest/userguide/how-s3-evaluates-access-control.html,
https://docs.aws.amazon.com/AmazonS3/latest/userguide/amazon-s3-policy-keys.html)."""

from __future__ import annotations

import functools
import json
import os
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import boto3
import botocore.config

from e2e.org_helpers import Caller, allow, create_org, deny, document, error_of, root_caller
from live_server import LiveServer

ACCOUNT = "123456789012"
SIGV4 = botocore.config.Config(signature_version="s3v4")


@functools.cache
def _boto() -> boto3.session.Session:
    return boto3.session.Session(region_name="us-east-1")


def s3(caller: Caller, config: botocore.config.Config | None = None) -> Any:
    """An S3 client with `caller`'s credentials."""
    return _boto().client(
        "s3",
        endpoint_url=caller.server.endpoint,
        aws_access_key_id=caller.creds["AccessKeyId"],
        aws_secret_access_key=caller.creds["SecretAccessKey"],
        aws_session_token=caller.creds.get("SessionToken"),
        config=config,
    )


def not_authorized(caller: str, action: str, resource: str, why: str) -> str:
    """S3's same-account AccessDenied message: the resource in quotes, none for `*`."""
    on = "" if resource == "*" else f' on resource: "{resource}"'
    return f"User: {caller} is not authorized to perform: {action}{on} {why}"


def no_identity_policy(user: str, action: str, resource: str) -> str:
    return not_authorized(
        f"arn:aws:iam::{ACCOUNT}:user/{user}",
        action,
        resource,
        f"because no identity-based policy allows the {action} action",
    )


def access_denied(call: Any) -> str:
    """The message of the AccessDenied (403) `call` met."""
    err = error_of(call)
    assert (err["Code"], err["Status"]) == ("AccessDenied", 403), err
    return str(err["Message"])


def bucket_with(server: LiveServer, bucket: str, **objects: bytes) -> Any:
    """`bucket` of the default account holding `objects`; its owner's (root) client."""
    owner = s3(root_caller(server))
    owner.create_bucket(Bucket=bucket)
    for key, body in objects.items():
        owner.put_object(Bucket=bucket, Key=key, Body=body)
    return owner


def http_get(url: str) -> tuple[int, bytes]:
    """An unsigned GET: its status and body."""
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return int(answer.status), bytes(answer.read())
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def s3_error(body: bytes) -> tuple[str | None, str | None]:
    root = ET.fromstring(body)
    return root.findtext("Code"), root.findtext("Message")


# -- identity policies -----------------------------------------------------------------------


def test_identity_policy_with_exact_arns(server: LiveServer) -> None:
    bucket_with(server, "photos", **{"2024/cat.jpg": b"meow"})
    bucket_with(server, "private", secret=b"s")
    alice = s3(
        root_caller(server).new_user(
            "alice",
            allow("s3:ListBucket", resource="arn:aws:s3:::photos"),
            allow("s3:GetObject", "s3:PutObject", resource="arn:aws:s3:::photos/*"),
        )
    )

    listed = alice.list_objects_v2(Bucket="photos")
    assert [o["Key"] for o in listed["Contents"]] == ["2024/cat.jpg"]
    assert alice.get_object(Bucket="photos", Key="2024/cat.jpg")["Body"].read() == b"meow"
    alice.put_object(Bucket="photos", Key="2024/dog.jpg", Body=b"woof")
    assert alice.head_object(Bucket="photos", Key="2024/dog.jpg")["ContentLength"] == 4

    # Another bucket: no statement names it.
    assert access_denied(lambda: alice.get_object(Bucket="private", Key="secret")) == (
        no_identity_policy("alice", "s3:GetObject", "arn:aws:s3:::private/secret")
    )
    assert access_denied(lambda: alice.list_objects_v2(Bucket="private")) == (
        no_identity_policy("alice", "s3:ListBucket", "arn:aws:s3:::private")
    )
    # A missing action on the granted ARN.
    assert access_denied(lambda: alice.delete_object(Bucket="photos", Key="2024/cat.jpg")) == (
        no_identity_policy("alice", "s3:DeleteObject", "arn:aws:s3:::photos/2024/cat.jpg")
    )
    assert access_denied(alice.list_buckets) == no_identity_policy(
        "alice", "s3:ListAllMyBuckets", "*"
    )
    # HEAD answers carry no body: the status alone.
    head = error_of(lambda: alice.head_object(Bucket="private", Key="secret"))
    assert (head["Code"], head["Status"]) == ("403", 403)
    # The denied delete did not happen.
    kept = s3(root_caller(server)).get_object(Bucket="photos", Key="2024/cat.jpg")
    assert kept["Body"].read() == b"meow"


def test_denied_error_document_is_s3s(server: LiveServer) -> None:
    bucket_with(server, "docs", a=b"a")
    bob = root_caller(server).new_user("bob")
    # The raw HTTP answer: S3's <Error> document with a request id.
    signed = s3(bob, SIGV4).generate_presigned_url(
        "get_object", Params={"Bucket": "docs", "Key": "a"}
    )
    status, body = http_get(signed)
    assert status == 403
    code, message = s3_error(body)
    assert code == "AccessDenied"
    assert message == no_identity_policy("bob", "s3:GetObject", "arn:aws:s3:::docs/a")
    assert ET.fromstring(body).findtext("RequestId")


# -- bucket policies -------------------------------------------------------------------------


def test_put_bucket_policy_is_validated(server: LiveServer) -> None:
    owner = bucket_with(server, "shared")
    no_principal = document(allow("s3:GetObject", resource="arn:aws:s3:::shared/*"))

    err = error_of(lambda: owner.put_bucket_policy(Bucket="shared", Policy=no_principal))
    assert (err["Code"], err["Message"], err["Status"]) == (
        "MalformedPolicy",
        "Missing required field Principal",
        400,
    )
    err = error_of(lambda: owner.put_bucket_policy(Bucket="shared", Policy='{"Version": '))
    assert (err["Code"], err["Status"]) == ("MalformedPolicy", 400)
    # Neither was stored.
    assert error_of(lambda: owner.get_bucket_policy(Bucket="shared"))["Code"] == (
        "NoSuchBucketPolicy"
    )
    good = document(
        allow("s3:GetObject", resource="arn:aws:s3:::shared/*", Principal={"AWS": ACCOUNT})
    )
    owner.put_bucket_policy(Bucket="shared", Policy=good)
    assert json.loads(owner.get_bucket_policy(Bucket="shared")["Policy"]) == json.loads(good)


def test_bucket_policy_alone_grants_a_user_of_the_same_account(server: LiveServer) -> None:
    owner = bucket_with(server, "reports", q1=b"numbers", q2=b"more")
    carol = s3(root_caller(server).new_user("carol"))  # no identity policy at all
    carol_arn = f"arn:aws:iam::{ACCOUNT}:user/carol"
    assert access_denied(lambda: carol.get_object(Bucket="reports", Key="q1")) == (
        no_identity_policy("carol", "s3:GetObject", "arn:aws:s3:::reports/q1")
    )

    owner.put_bucket_policy(
        Bucket="reports",
        Policy=document(
            allow("s3:GetObject", resource="arn:aws:s3:::reports/q1", Principal={"AWS": carol_arn})
        ),
    )

    assert carol.get_object(Bucket="reports", Key="q1")["Body"].read() == b"numbers"
    # Only what the bucket policy grants.
    access_denied(lambda: carol.get_object(Bucket="reports", Key="q2"))
    access_denied(lambda: carol.put_object(Bucket="reports", Key="q1", Body=b"x"))
    # Another user of the account is not named.
    dave = s3(root_caller(server).new_user("dave"))
    access_denied(lambda: dave.get_object(Bucket="reports", Key="q1"))


def test_explicit_deny_in_a_bucket_policy_beats_the_identity_allow(server: LiveServer) -> None:
    owner = bucket_with(server, "vault", gold=b"au", silver=b"ag")
    erin = s3(root_caller(server).new_user("erin", allow("s3:*")))
    assert erin.get_object(Bucket="vault", Key="gold")["Body"].read() == b"au"

    owner.put_bucket_policy(
        Bucket="vault",
        Policy=document(
            deny(
                "s3:GetObject",
                resource="arn:aws:s3:::vault/gold",
                Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:user/erin"},
            )
        ),
    )

    assert access_denied(lambda: erin.get_object(Bucket="vault", Key="gold")) == not_authorized(
        f"arn:aws:iam::{ACCOUNT}:user/erin",
        "s3:GetObject",
        "arn:aws:s3:::vault/gold",
        "with an explicit deny in a resource-based policy",
    )
    assert erin.get_object(Bucket="vault", Key="silver")["Body"].read() == b"ag"


def test_anonymous_get_needs_a_public_bucket_policy(server: LiveServer) -> None:
    owner = bucket_with(server, "site", **{"index.html": b"<h1>hi</h1>"})
    url = f"{server.endpoint}/site/index.html"

    status, body = http_get(url)
    assert status == 403
    assert s3_error(body) == ("AccessDenied", "Access Denied")

    owner.put_bucket_policy(
        Bucket="site",
        Policy=document(allow("s3:GetObject", resource="arn:aws:s3:::site/*", Principal="*")),
    )
    assert http_get(url) == (200, b"<h1>hi</h1>")
    # The policy grants reading objects, not listing the bucket.
    status, body = http_get(f"{server.endpoint}/site?list-type=2")
    assert (status, s3_error(body)) == (403, ("AccessDenied", "Access Denied"))


def test_presigned_url_and_its_expiry(server: LiveServer) -> None:
    bucket_with(server, "shares", report=b"q3 results")
    frank = root_caller(server).new_user(
        "frank", allow("s3:GetObject", resource="arn:aws:s3:::shares/*")
    )
    client = s3(frank, SIGV4)

    url = client.generate_presigned_url(
        "get_object", Params={"Bucket": "shares", "Key": "report"}, ExpiresIn=60
    )
    assert "X-Amz-Signature=" in url
    assert http_get(url) == (200, b"q3 results")

    short = client.generate_presigned_url(
        "get_object", Params={"Bucket": "shares", "Key": "report"}, ExpiresIn=1
    )
    time.sleep(2.1)
    status, body = http_get(short)
    assert (status, s3_error(body)) == (403, ("AccessDenied", "Request has expired"))
    # A URL signed by someone not allowed is refused like their own request.
    other = s3(root_caller(server).new_user("grace"), SIGV4)
    status, body = http_get(
        other.generate_presigned_url("get_object", Params={"Bucket": "shares", "Key": "report"})
    )
    assert (status, s3_error(body)[0]) == (403, "AccessDenied")


def test_a_sigv2_presigned_url_is_not_taken_for_an_anonymous_request(
    server: LiveServer,
) -> None:
    bucket_with(server, "legacy", report=b"old style")
    owner = s3(root_caller(server))  # boto3's default signature for S3 presigned URLs
    url = owner.generate_presigned_url("get_object", Params={"Bucket": "legacy", "Key": "report"})
    assert "Signature=" in url and "X-Amz-Signature" not in url

    status, body = http_get(url)
    # Either verified (S3 in us-east-1 still accepts SigV2 on older buckets) or refused as the
    # signature version it is; never S3's answer to an anonymous caller.
    refused = (
        "InvalidRequest",
        "The authorization mechanism you have provided is not supported. "
        "Please use AWS4-HMAC-SHA256.",
    )
    assert (status, body) == (200, b"old style") or (status, s3_error(body)) == (400, refused)


def test_s3_express_session_requests_are_refused_not_served_as_listings(
    server: LiveServer,
) -> None:
    owner = bucket_with(server, "plain", a=b"a")

    err = error_of(lambda: owner.create_session(Bucket="plain"))
    assert (err["Code"], err["Status"]) == ("NotImplemented", 501)
    assert "cannot tell which S3 operation" in err["Message"]


# -- condition keys --------------------------------------------------------------------------


def test_existing_object_tag_condition(server: LiveServer) -> None:
    owner = bucket_with(server, "data")
    owner.put_object(Bucket="data", Key="open.csv", Body=b"o", Tagging="classification=public")
    owner.put_object(Bucket="data", Key="closed.csv", Body=b"c", Tagging="classification=secret")
    owner.put_object(Bucket="data", Key="untagged.csv", Body=b"u")
    heidi = s3(
        root_caller(server).new_user(
            "heidi",
            allow(
                "s3:GetObject",
                resource="arn:aws:s3:::data/*",
                Condition={"StringEquals": {"s3:ExistingObjectTag/classification": "public"}},
            ),
        )
    )

    assert heidi.get_object(Bucket="data", Key="open.csv")["Body"].read() == b"o"
    for key in ("closed.csv", "untagged.csv"):
        assert access_denied(lambda key=key: heidi.get_object(Bucket="data", Key=key)) == (
            no_identity_policy("heidi", "s3:GetObject", f"arn:aws:s3:::data/{key}")
        )
    # Retagging the object changes the answer at once.
    owner.put_object_tagging(
        Bucket="data",
        Key="closed.csv",
        Tagging={"TagSet": [{"Key": "classification", "Value": "public"}]},
    )
    assert heidi.get_object(Bucket="data", Key="closed.csv")["Body"].read() == b"c"


def test_prefix_condition_on_list_bucket(server: LiveServer) -> None:
    bucket_with(server, "home", **{"ivan/a.txt": b"a", "judy/b.txt": b"b"})
    ivan = s3(
        root_caller(server).new_user(
            "ivan",
            allow(
                "s3:ListBucket",
                resource="arn:aws:s3:::home",
                Condition={"StringLike": {"s3:prefix": ["ivan/*"]}},
            ),
        )
    )

    listed = ivan.list_objects_v2(Bucket="home", Prefix="ivan/")
    assert [o["Key"] for o in listed["Contents"]] == ["ivan/a.txt"]
    for prefix in ("judy/", ""):
        assert access_denied(
            lambda prefix=prefix: ivan.list_objects_v2(Bucket="home", Prefix=prefix)
        ) == (no_identity_policy("ivan", "s3:ListBucket", "arn:aws:s3:::home"))
    access_denied(lambda: ivan.list_objects_v2(Bucket="home"))  # no prefix: the key is absent


def test_source_ip_condition(server: LiveServer) -> None:
    bucket_with(server, "ops", log=b"l")
    outside = {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}
    kim = s3(root_caller(server).new_user("kim", allow("s3:*"), deny("s3:*", Condition=outside)))

    # Requests come from 127.0.0.1, outside 10.0.0.0/8.
    assert access_denied(lambda: kim.get_object(Bucket="ops", Key="log")) == not_authorized(
        f"arn:aws:iam::{ACCOUNT}:user/kim",
        "s3:GetObject",
        "arn:aws:s3:::ops/log",
        "with an explicit deny in an identity-based policy",
    )
    root_caller(server).iam.put_user_policy(
        UserName="kim",
        PolicyName="inline",
        PolicyDocument=document(
            allow("s3:*"), deny("s3:*", Condition={"NotIpAddress": {"aws:SourceIp": "127.0.0.0/8"}})
        ),
    )
    assert kim.get_object(Bucket="ops", Key="log")["Body"].read() == b"l"


# -- cross account ---------------------------------------------------------------------------


def test_cross_account_put_needs_the_bucket_policy_and_the_identity_policy(
    server: LiveServer,
) -> None:
    org = create_org(server)
    b = org.account("b")
    b_admin = s3(org.member(b))
    b_admin.create_bucket(Bucket="b-inbox")
    a = org.management
    alice_arn = f"arn:aws:iam::{a}:user/alice"
    alice_caller = org.admin.new_user(
        "alice", allow("s3:PutObject", resource="arn:aws:s3:::b-inbox/*")
    )
    alice = s3(alice_caller)
    grant = allow("s3:PutObject", resource="arn:aws:s3:::b-inbox/*", Principal={"AWS": alice_arn})

    # Without B's consent, A's own allow is not enough. (The message is not asserted: localiam
    # says only "Access Denied" across accounts, while S3 documents its detailed messages for
    # requests within the same organization too, which A and B are.)
    access_denied(lambda: alice.put_object(Bucket="b-inbox", Key="x", Body=b"1"))

    b_admin.put_bucket_policy(Bucket="b-inbox", Policy=document(grant))
    alice.put_object(Bucket="b-inbox", Key="from-a.txt", Body=b"hello b")
    got = b_admin.get_object(Bucket="b-inbox", Key="from-a.txt")
    assert got["Body"].read() == b"hello b"  # stored in B's bucket

    # The grant is PutObject only.
    access_denied(lambda: alice.get_object(Bucket="b-inbox", Key="from-a.txt"))
    # And A's identity policy must allow too.
    org.admin.iam.delete_user_policy(UserName="alice", PolicyName="inline")
    access_denied(lambda: alice.put_object(Bucket="b-inbox", Key="y", Body=b"2"))

    # B's statement removed: denied again.
    org.admin.iam.put_user_policy(
        UserName="alice",
        PolicyName="inline",
        PolicyDocument=document(allow("s3:PutObject", resource="arn:aws:s3:::b-inbox/*")),
    )
    alice.put_object(Bucket="b-inbox", Key="z", Body=b"3")
    b_admin.delete_bucket_policy(Bucket="b-inbox")
    access_denied(lambda: alice.put_object(Bucket="b-inbox", Key="w", Body=b"4"))
    # Only the allowed puts reached B's bucket; A has no bucket of that name.
    keys = [o["Key"] for o in b_admin.list_objects_v2(Bucket="b-inbox")["Contents"]]
    assert keys == ["from-a.txt", "z"]
    assert s3(root_caller(server)).list_buckets()["Buckets"] == []


# -- multipart uploads and the CLI -----------------------------------------------------------


def test_multipart_upload_is_allowed_by_put_object(server: LiveServer) -> None:
    bucket_with(server, "uploads")
    uploader = s3(
        root_caller(server).new_user(
            "uploader", allow("s3:PutObject", resource="arn:aws:s3:::uploads/big/*")
        )
    )

    started = uploader.create_multipart_upload(Bucket="uploads", Key="big/file")
    upload_id = started["UploadId"]
    part = uploader.upload_part(
        Bucket="uploads", Key="big/file", UploadId=upload_id, PartNumber=1, Body=b"p" * 1024
    )
    uploader.complete_multipart_upload(
        Bucket="uploads",
        Key="big/file",
        UploadId=upload_id,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]},
    )
    stored = s3(root_caller(server)).get_object(Bucket="uploads", Key="big/file")
    assert stored["Body"].read() == b"p" * 1024

    # Outside the granted prefix, the first step is already refused as s3:PutObject.
    assert access_denied(
        lambda: uploader.create_multipart_upload(Bucket="uploads", Key="small/file")
    ) == no_identity_policy("uploader", "s3:PutObject", "arn:aws:s3:::uploads/small/file")
    # Aborting is an action of its own.
    again = uploader.create_multipart_upload(Bucket="uploads", Key="big/other")["UploadId"]
    assert access_denied(
        lambda: uploader.abort_multipart_upload(Bucket="uploads", Key="big/other", UploadId=again)
    ) == no_identity_policy("uploader", "s3:AbortMultipartUpload", "arn:aws:s3:::uploads/big/other")


def cli_user(server: LiveServer, name: str, *statements: dict[str, Any]) -> dict[str, str]:
    creds = root_caller(server).new_user(name, *statements).creds
    return {"key": creds["AccessKeyId"], "secret": creds["SecretAccessKey"]}


def test_aws_cli_copies_lists_and_gets(server: LiveServer, tmp_path: Path) -> None:
    bucket_with(server, "cli-bucket")
    bucket_with(server, "elsewhere")
    keys = cli_user(
        server,
        "cli",
        allow("s3:ListBucket", resource="arn:aws:s3:::cli-bucket"),
        allow("s3:GetObject", "s3:PutObject", resource="arn:aws:s3:::cli-bucket/*"),
    )
    local = tmp_path / "notes.txt"
    local.write_text("from the cli\n")

    up = server.cli("s3", "cp", str(local), "s3://cli-bucket/dir/notes.txt", **keys)
    assert up.code == 0, up.stderr
    listed = server.cli("s3", "ls", "s3://cli-bucket/dir/", **keys)
    assert listed.code == 0, listed.stderr
    assert listed.stdout.split()[-2:] == ["13", "notes.txt"]
    down = tmp_path / "down.txt"
    copied = server.cli("s3", "cp", "s3://cli-bucket/dir/notes.txt", str(down), **keys)
    assert copied.code == 0, copied.stderr
    assert down.read_text() == "from the cli\n"
    out = tmp_path / "api.txt"
    got = server.cli(
        "s3api", "get-object", "--bucket", "cli-bucket", "--key", "dir/notes.txt", str(out),
        **keys,
    )  # fmt: skip
    assert got.code == 0, got.stderr
    assert got.json()["ContentLength"] == 13
    assert out.read_text() == "from the cli\n"

    refused = server.cli("s3", "cp", str(local), "s3://elsewhere/notes.txt", **keys)
    assert refused.code == 1
    assert "An error occurred (AccessDenied) when calling the PutObject operation" in (
        refused.stderr
    )
    assert (
        f"User: arn:aws:iam::{ACCOUNT}:user/cli is not authorized to perform: s3:PutObject on "
        'resource: "arn:aws:s3:::elsewhere/notes.txt"' in refused.stderr
    )


def test_aws_cli_copies_a_10_mb_file_in_parts(server: LiveServer, tmp_path: Path) -> None:
    bucket_with(server, "large")
    user = cli_user(
        server, "big", allow("s3:PutObject", "s3:GetObject", resource="arn:aws:s3:::large/*")
    )
    local = tmp_path / "ten.bin"
    local.write_bytes(os.urandom(10 * 1024 * 1024))

    up = server.cli("s3", "cp", str(local), "s3://large/ten.bin", **user)
    assert up.code == 0, up.stderr[-500:]
    head = s3(root_caller(server)).head_object(Bucket="large", Key="ten.bin")
    assert head["ContentLength"] == 10 * 1024 * 1024
    assert head["ETag"].endswith('-2"')  # assembled from the CLI's two 8 MiB-or-less parts
    down = tmp_path / "back.bin"
    got = server.cli("s3", "cp", "s3://large/ten.bin", str(down), **user)
    assert got.code == 0, got.stderr[-500:]
    assert down.read_bytes() == local.read_bytes()


def test_a_virtual_hosted_request_names_its_bucket_in_the_host(server: LiveServer) -> None:
    """`GET http://bucket.localhost:PORT/key` (virtual-hosted style) reads the same object as
    the path-style `GET /bucket/key`; the name resolves nowhere here, so the request is sent to
    127.0.0.1 with that Host header, signed for it as an SDK signs it."""
    import http.client

    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    from live_server import ROOT_KEY, ROOT_SECRET

    bucket_with(server, "vhosted", greeting=b"hello from the host")
    port = server.endpoint.rsplit(":", 1)[1]
    request = AWSRequest(method="GET", url=f"http://vhosted.localhost:{port}/greeting")
    request.headers["x-amz-content-sha256"] = "UNSIGNED-PAYLOAD"
    S3SigV4Auth(Credentials(ROOT_KEY, ROOT_SECRET), "s3", "us-east-1").add_auth(request)
    headers = dict(request.prepare().headers)
    headers["Host"] = f"vhosted.localhost:{port}"
    conn = http.client.HTTPConnection("127.0.0.1", int(port), timeout=30)
    try:
        conn.request("GET", "/greeting", headers=headers)
        answer = conn.getresponse()
        assert (answer.status, answer.read()) == (200, b"hello from the host")
    finally:
        conn.close()


def test_denials_within_an_organization_are_detailed_outside_it_are_not(
    server: LiveServer,
) -> None:
    """S3 gives the detailed message to callers of the bucket owner's account or organization,
    and "Access Denied" to others
    (https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshoot-403-errors.html)."""
    org = create_org(server)
    member = org.account("holder")
    holder = org.member(member)
    s3(holder).create_bucket(Bucket="org-held")
    s3(holder).put_object(Bucket="org-held", Key="k", Body=b"x")

    # A user of the management account: same organization, detailed message.
    insider = root_caller(server).new_user("insider", allow("s3:GetObject"))
    inside = error_of(lambda: s3(insider).get_object(Bucket="org-held", Key="k"))
    assert inside["Code"] == "AccessDenied"
    assert inside["Message"] == (
        f"User: arn:aws:iam::{ACCOUNT}:user/insider is not authorized to perform: s3:GetObject "
        'on resource: "arn:aws:s3:::org-held/k" because no resource-based policy allows the '
        "s3:GetObject action"
    )

    # The same account once it has left the organization: an outsider now.
    outsider_account = org.account("leaver")
    outsider = org.member(outsider_account).new_user("outsider", allow("s3:GetObject"))
    org.client.remove_account_from_organization(AccountId=outsider_account)
    outside = error_of(lambda: s3(outsider).get_object(Bucket="org-held", Key="k"))
    assert (outside["Code"], outside["Message"]) == ("AccessDenied", "Access Denied")
