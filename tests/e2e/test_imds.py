"""EC2 instance metadata end to end: an instance launched with an instance profile hands its
role's credentials to boto3 and the AWS CLI through `AWS_EC2_METADATA_SERVICE_ENDPOINT` alone
(no keys in the environment or in files), as on EC2
(https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/iam-roles-for-amazon-ec2.html)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from live_server import LiveServer, _free_port, start_server, stop_server

TRUST_EC2 = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
READ_BUCKET = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*"},
        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::data"},
    ],
}


def _setup(server: LiveServer, http_tokens: str = "required") -> str:
    """A role `web-role` (S3 reads of bucket `data`) in profile `web`, and an instance with it."""
    iam = server.client("iam")
    iam.create_role(RoleName="web-role", AssumeRolePolicyDocument=json.dumps(TRUST_EC2))
    iam.put_role_policy(
        RoleName="web-role", PolicyName="read", PolicyDocument=json.dumps(READ_BUCKET)
    )
    iam.create_instance_profile(InstanceProfileName="web")
    iam.add_role_to_instance_profile(InstanceProfileName="web", RoleName="web-role")
    s3 = server.client("s3")
    s3.create_bucket(Bucket="data")
    s3.put_object(Bucket="data", Key="hello.txt", Body=b"hello")
    ec2 = server.client("ec2")
    image = ec2.describe_images()["Images"][0]["ImageId"]
    run = ec2.run_instances(
        ImageId=image,
        MinCount=1,
        MaxCount=1,
        InstanceType="t3.micro",
        IamInstanceProfile={"Name": "web"},
        MetadataOptions={"HttpTokens": http_tokens, "HttpEndpoint": "enabled"},
        UserData="#!/bin/sh\necho started\n",
    )
    return str(run["Instances"][0]["InstanceId"])


def _instance_env(server: LiveServer, instance_id: str) -> dict[str, str]:
    """An environment with no credentials at all: only the metadata endpoint."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_EC2_METADATA_SERVICE_ENDPOINT=f"{server.endpoint}/_localiam/imds/{instance_id}",
        AWS_ENDPOINT_URL=server.endpoint,
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE="/dev/null",
        AWS_SHARED_CREDENTIALS_FILE="/dev/null",
    )
    return env


_ON_THE_INSTANCE = textwrap.dedent(
    """
    import json, sys, boto3
    from botocore.exceptions import ClientError
    session = boto3.session.Session()
    creds = session.get_credentials()
    out = {"method": creds.method}
    out["arn"] = session.client("sts").get_caller_identity()["Arn"]
    s3 = session.client("s3")
    out["read"] = s3.get_object(Bucket="data", Key="hello.txt")["Body"].read().decode()
    try:
        s3.put_object(Bucket="data", Key="new.txt", Body=b"x")
        out["write"] = "allowed"
    except ClientError as exc:
        out["write"] = exc.response["Error"]["Code"]
    print(json.dumps(out))
    """
)


def _on_the_instance(server: LiveServer, instance_id: str) -> dict[str, Any]:
    run = subprocess.run(
        [sys.executable, "-c", _ON_THE_INSTANCE],
        env=_instance_env(server, instance_id),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    return dict(json.loads(run.stdout))


def test_boto3_gets_the_roles_credentials_from_imds(server: LiveServer) -> None:
    instance = _setup(server)
    seen = _on_the_instance(server, instance)
    assert seen["method"] == "iam-role"
    assert seen["arn"] == f"arn:aws:sts::{server.account_id}:assumed-role/web-role/{instance}"
    assert seen["read"] == "hello"
    assert seen["write"] == "AccessDenied"  # the role's policy decides


def test_the_aws_cli_gets_them_too(server: LiveServer) -> None:
    instance = _setup(server)
    run = subprocess.run(
        [sys.executable, "-m", "awscli", "sts", "get-caller-identity", "--output", "json"],
        env=_instance_env(server, instance),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["Arn"].endswith(f":assumed-role/web-role/{instance}")


def _get(url: str, headers: dict[str, str] | None = None, method: str = "GET") -> tuple[int, str]:
    request = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as failed:
        return failed.code, failed.read().decode()


def test_imdsv1_is_refused_when_the_instance_requires_v2(server: LiveServer) -> None:
    instance = _setup(server, http_tokens="required")
    base = f"{server.endpoint}/_localiam/imds/{instance}"
    assert _get(f"{base}/latest/meta-data/instance-id")[0] == 401
    status, token = _get(
        f"{base}/latest/api/token", {"X-aws-ec2-metadata-token-ttl-seconds": "60"}, "PUT"
    )
    assert status == 200
    assert _get(f"{base}/latest/meta-data/instance-id", {"X-aws-ec2-metadata-token": token}) == (
        200,
        instance,
    )
    assert _get(f"{base}/latest/user-data", {"X-aws-ec2-metadata-token": token}) == (
        200,
        "#!/bin/sh\necho started\n",
    )


def test_imdsv1_works_when_tokens_are_optional(server: LiveServer) -> None:
    instance = _setup(server, http_tokens="optional")
    base = f"{server.endpoint}/_localiam/imds/{instance}"
    assert _get(f"{base}/latest/meta-data/placement/region") == (200, "us-east-1")
    assert _get(f"{base}/latest/meta-data/iam/security-credentials/") == (200, "web-role")


def test_a_role_removed_from_its_profile_stops_yielding_credentials(server: LiveServer) -> None:
    instance = _setup(server, http_tokens="optional")
    base = f"{server.endpoint}/_localiam/imds/{instance}"
    server.client("iam").remove_role_from_instance_profile(
        InstanceProfileName="web", RoleName="web-role"
    )
    assert _get(f"{base}/latest/meta-data/iam/security-credentials/web-role")[0] == 404


def test_passing_the_role_needs_iam_pass_role(server: LiveServer) -> None:
    iam = server.client("iam")
    iam.create_role(RoleName="web-role", AssumeRolePolicyDocument=json.dumps(TRUST_EC2))
    iam.create_instance_profile(InstanceProfileName="web")
    iam.add_role_to_instance_profile(InstanceProfileName="web", RoleName="web-role")
    iam.create_user(UserName="dev")
    launch = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["ec2:RunInstances", "ec2:Describe*"], "Resource": "*"}
        ],
    }
    iam.put_user_policy(UserName="dev", PolicyName="launch", PolicyDocument=json.dumps(launch))
    key = iam.create_access_key(UserName="dev")["AccessKey"]
    ec2 = server.client("ec2", key["AccessKeyId"], key["SecretAccessKey"])
    image = server.client("ec2").describe_images()["Images"][0]["ImageId"]
    with pytest.raises(ClientError) as denied:
        ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, IamInstanceProfile={"Name": "web"})
    assert denied.value.response["Error"]["Code"] == "UnauthorizedOperation"
    assert "iam:PassRole" in denied.value.response["Error"]["Message"]
    launch["Statement"].append(
        {
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": f"arn:aws:iam::{server.account_id}:role/web-role",
            "Condition": {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}},
        }
    )
    iam.put_user_policy(UserName="dev", PolicyName="launch", PolicyDocument=json.dumps(launch))
    run = ec2.run_instances(
        ImageId=image, MinCount=1, MaxCount=1, IamInstanceProfile={"Name": "web"}
    )
    assert run["Instances"][0]["IamInstanceProfile"]["Arn"].endswith(":instance-profile/web")


def test_profile_associations_follow_ec2s_api(server: LiveServer) -> None:
    instance = _setup(server, http_tokens="optional")
    ec2 = server.client("ec2")
    found = ec2.describe_iam_instance_profile_associations()["IamInstanceProfileAssociations"]
    assert [a["InstanceId"] for a in found] == [instance]
    ec2.disassociate_iam_instance_profile(AssociationId=found[0]["AssociationId"])
    base = f"{server.endpoint}/_localiam/imds/{instance}"
    assert _get(f"{base}/latest/meta-data/iam/security-credentials/")[0] == 404
    ec2.associate_iam_instance_profile(IamInstanceProfile={"Name": "web"}, InstanceId=instance)
    assert _get(f"{base}/latest/meta-data/iam/security-credentials/") == (200, "web-role")


def test_credentials_refresh_after_expiry(tmp_path: Path) -> None:
    process, server = start_server(tmp_path, extra_args=["--imds-credential-seconds", "4"])
    try:
        instance = _setup(server, http_tokens="optional")
        base = f"{server.endpoint}/_localiam/imds/{instance}"
        path = f"{base}/latest/meta-data/iam/security-credentials/web-role"
        first = json.loads(_get(path)[1])
        assert _on_the_instance(server, instance)["read"] == "hello"
        time.sleep(4.5)
        second = json.loads(_get(path)[1])
        assert second["AccessKeyId"] != first["AccessKeyId"]
        assert _on_the_instance(server, instance)["read"] == "hello"
    finally:
        stop_server(process)


def test_a_dedicated_port_serves_the_instance_like_169_254_169_254(server: LiveServer) -> None:
    instance = _setup(server, http_tokens="optional")
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "localiam.cli", "imds", instance,
         "--endpoint", server.endpoint, "--port", str(port)],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == f"{server.endpoint}/_localiam/imds/{instance}"
        assert "serving" in process.stdout.readline()
        base = f"http://127.0.0.1:{port}"
        status, hostname = _get(f"{base}/latest/meta-data/hostname")
        assert status == 200 and hostname.endswith(".ec2.internal")
        status, token = _get(
            f"{base}/latest/api/token", {"X-aws-ec2-metadata-token-ttl-seconds": "30"}, "PUT"
        )
        assert status == 200
        assert _get(
            f"{base}/latest/meta-data/instance-id", {"X-aws-ec2-metadata-token": token}
        ) == (
            200,
            instance,
        )
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_requests_with_instance_credentials_carry_the_instance_keys(server: LiveServer) -> None:
    instance = _setup(server, http_tokens="optional")
    arn = f"arn:aws:ec2:us-east-1:{server.account_id}:instance/{instance}"
    only_from_this_instance = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::data/*",
                "Condition": {"StringEquals": {"ec2:SourceInstanceARN": arn}},
            },
            {
                "Effect": "Deny",
                "Action": "s3:PutObject",
                "Resource": "*",
                "Condition": {"StringEquals": {"ec2:RoleDelivery": "1.0"}},
            },
        ],
    }
    server.client("iam").put_role_policy(
        RoleName="web-role", PolicyName="read", PolicyDocument=json.dumps(only_from_this_instance)
    )
    seen = _on_the_instance(server, instance)
    assert seen["read"] == "hello"  # ec2:SourceInstanceARN matched
    assert seen["write"] == "AccessDenied"
