"""`localiam import` of a saved get-account-authorization-details (and an organization file),
then a live server on that data dir: boto3 as the account's root reads the imported role and
simulates its policies, and `localiam authorize --data-dir` decides cases for it, SCPs included."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

from live_server import LiveServer, start_server, stop_server

SOURCE = "111122223333"  # the account the file was saved from
ACCOUNT = "123456789012"  # the account it is loaded into (--account-id)
MANAGEMENT = "999988887777"
BUCKET = "arn:aws:s3:::deploy-artifacts"

TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            # A deleted role, which AWS names by its unique id in stored policies.
            "Principal": {"AWS": [f"arn:aws:iam::{SOURCE}:root", "AROAE2EDELETEDROLE01"]},
            "Action": "sts:AssumeRole",
        }
    ],
}
DEPLOY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "Artifacts", "Effect": "Allow", "Action": "s3:*", "Resource": [BUCKET, f"{BUCKET}/*"]},
        {"Sid": "KeepBucket", "Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"},
    ],
}  # fmt: skip
TABLES = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": "dynamodb:*",
            "Resource": f"arn:aws:dynamodb:us-east-1:{SOURCE}:table/*",
        }
    ],
}
SCP_NO_DELETE_TABLE = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Deny", "Action": "dynamodb:DeleteTable", "Resource": "*"}],
}


def authorization_details() -> dict[str, Any]:
    """What `aws iam get-account-authorization-details` saved: documents URL-encoded (as the
    API returns them) and as objects (as the AWS CLI prints them)."""
    arn = f"arn:aws:iam::{SOURCE}"
    return {
        "UserDetailList": [
            {
                "Path": "/",
                "UserName": "dev",
                "UserId": "AIDAE2EIMPORTDEV0001",
                "Arn": f"{arn}:user/dev",
                "CreateDate": "2024-01-02T03:04:05Z",
                "UserPolicyList": [],
                "GroupList": ["builders"],
                "AttachedManagedPolicies": [],
                "Tags": [{"Key": "team", "Value": "platform"}],
            }
        ],
        "GroupDetailList": [
            {
                "Path": "/",
                "GroupName": "builders",
                "GroupId": "AGPAE2EIMPORTGRP0001",
                "Arn": f"{arn}:group/builders",
                "CreateDate": "2024-01-02T03:04:05Z",
                "GroupPolicyList": [],
                "AttachedManagedPolicies": [
                    {"PolicyName": "Tables", "PolicyArn": f"{arn}:policy/Tables"}
                ],
            }
        ],
        "RoleDetailList": [
            {
                "Path": "/ci/",
                "RoleName": "deployer",
                "RoleId": "AROAE2EIMPORTROLE001",
                "Arn": f"{arn}:role/ci/deployer",
                "CreateDate": "2024-01-02T03:04:05Z",
                "AssumeRolePolicyDocument": quote(json.dumps(TRUST), safe=""),
                "InstanceProfileList": [
                    {
                        "Path": "/",
                        "InstanceProfileName": "deployer",
                        "InstanceProfileId": "AIPAE2EIMPORTPROF001",
                        "Arn": f"{arn}:instance-profile/deployer",
                        "CreateDate": "2024-01-02T03:04:05Z",
                        "Roles": [{"RoleName": "deployer"}],
                    }
                ],
                "RolePolicyList": [{"PolicyName": "deploy", "PolicyDocument": DEPLOY}],
                "AttachedManagedPolicies": [
                    {"PolicyName": "Tables", "PolicyArn": f"{arn}:policy/Tables"}
                ],
                "Tags": [{"Key": "team", "Value": "platform"}],
                "RoleLastUsed": {},
            }
        ],
        "Policies": [
            {
                "PolicyName": "Tables",
                "PolicyId": "ANPAE2EIMPORTPOL0001",
                "Arn": f"{arn}:policy/Tables",
                "Path": "/",
                "DefaultVersionId": "v1",
                "AttachmentCount": 2,
                "PermissionsBoundaryUsageCount": 0,
                "IsAttachable": True,
                "CreateDate": "2024-01-02T03:04:05Z",
                "UpdateDate": "2024-01-02T03:04:05Z",
                "PolicyVersionList": [
                    {
                        "Document": quote(json.dumps(TABLES), safe=""),
                        "VersionId": "v1",
                        "IsDefaultVersion": True,
                        "CreateDate": "2024-01-02T03:04:05Z",
                    }
                ],
            }
        ],
        "IsTruncated": False,
    }


def organization() -> dict[str, Any]:
    return {
        "Organization": {"Id": "o-e2eimport1", "MasterAccountId": MANAGEMENT, "FeatureSet": "ALL"},
        "Roots": [
            {
                "Id": "r-e2e1",
                "Name": "Root",
                "PolicyTypes": [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}],
            }
        ],
        "OrganizationalUnits": [{"Id": "ou-e2e1-aaaaaaaa", "Name": "Prod", "ParentId": "r-e2e1"}],
        "Accounts": [
            {"Id": MANAGEMENT, "Name": "Management", "Email": "m@example.com", "ParentId": "r-e2e1"},
            {"Id": ACCOUNT, "Name": "Prod", "Email": "p@example.com", "ParentId": "ou-e2e1-aaaaaaaa"},
        ],
        "Policies": [
            {
                "Id": "p-FullAWSAccess",
                "Targets": ["r-e2e1", "ou-e2e1-aaaaaaaa", MANAGEMENT, ACCOUNT],
            },
            {
                "Id": "p-e2enodel",
                "Name": "NoDeleteTable",
                "Type": "SERVICE_CONTROL_POLICY",
                "Description": "",
                "Content": json.dumps(SCP_NO_DELETE_TABLE),
                "Targets": ["ou-e2e1-aaaaaaaa"],
            },
        ],
    }  # fmt: skip


def localiam(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "localiam.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, str, str]]:
    """The files imported into a fresh data dir, and a live server on it; with the root key."""
    tmp = tmp_path_factory.mktemp("import")
    data = tmp / "data"
    (tmp / "account.json").write_text(json.dumps(authorization_details(), indent=2))
    (tmp / "org.json").write_text(json.dumps(organization()))
    run = localiam("import", str(tmp / "account.json"), "--account-id", ACCOUNT,
                   "--organization", str(tmp / "org.json"), "--data-dir", str(data))  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith(
        f"imported into account {ACCOUNT}: 1 users, 1 groups, 1 roles, "
        "1 customer managed policies, 1 instance profiles\n"
    )
    # The import gave the new account its root key, as `localiam serve` would have.
    account, key, secret = (data / "root-credentials.csv").read_text().splitlines()[1].split(",")
    assert account == ACCOUNT
    process, server = start_server(data)
    try:
        yield server, key, secret
    finally:
        stop_server(process)


def test_the_imported_role_is_served(imported: tuple[LiveServer, str, str]) -> None:
    server, key, secret = imported
    iam = server.client(key=key, secret=secret)
    role = iam.get_role(RoleName="deployer")["Role"]
    assert role["Arn"] == f"arn:aws:iam::{ACCOUNT}:role/ci/deployer"
    assert role["RoleId"] == "AROAE2EIMPORTROLE001"
    assert role["Path"] == "/ci/"
    assert role["Tags"] == [{"Key": "team", "Value": "platform"}]
    # boto3 decodes the document; the source account's id became the target's.
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
        "AWS": [f"arn:aws:iam::{ACCOUNT}:root", "AROAE2EDELETEDROLE01"]
    }
    # Given anew, such an id is refused as AWS refuses it.
    with pytest.raises(Exception) as refused:
        iam.create_role(
            RoleName="copy",
            AssumeRolePolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"AWS": "AROAE2EDELETEDROLE01"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                }
            ),
        )
    assert "Invalid principal in policy" in str(refused.value)
    assert iam.get_role_policy(RoleName="deployer", PolicyName="deploy")["PolicyDocument"] == DEPLOY
    attached = iam.list_attached_role_policies(RoleName="deployer")["AttachedPolicies"]
    assert attached == [
        {"PolicyName": "Tables", "PolicyArn": f"arn:aws:iam::{ACCOUNT}:policy/Tables"}
    ]
    profile = iam.get_instance_profile(InstanceProfileName="deployer")["InstanceProfile"]
    assert [r["RoleName"] for r in profile["Roles"]] == ["deployer"]
    groups = iam.list_groups_for_user(UserName="dev")["Groups"]
    assert [g["GroupName"] for g in groups] == ["builders"]
    policy = iam.get_policy(PolicyArn=f"arn:aws:iam::{ACCOUNT}:policy/Tables")["Policy"]
    assert (policy["AttachmentCount"], policy["DefaultVersionId"]) == (2, "v1")


def test_the_simulator_decides_by_the_imported_policies(
    imported: tuple[LiveServer, str, str],
) -> None:
    server, key, secret = imported
    iam = server.client(key=key, secret=secret)
    results = iam.simulate_principal_policy(
        PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:role/ci/deployer",
        ActionNames=["s3:PutObject", "s3:DeleteBucket", "dynamodb:GetItem", "ec2:RunInstances"],
        ResourceArns=[f"{BUCKET}/build.zip"],
    )["EvaluationResults"]
    decisions = {r["EvalActionName"]: r["EvalDecision"] for r in results}
    assert decisions == {
        "s3:PutObject": "allowed",  # the inline policy
        "s3:DeleteBucket": "explicitDeny",  # its Deny
        "dynamodb:GetItem": "implicitDeny",  # the attached policy covers tables, not this ARN
        "ec2:RunInstances": "implicitDeny",
    }
    table = iam.simulate_principal_policy(
        PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:role/ci/deployer",
        ActionNames=["dynamodb:GetItem"],
        ResourceArns=[f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/builds"],
    )["EvaluationResults"]
    assert table[0]["EvalDecision"] == "allowed"  # the attached customer managed policy


def case_decision(server: LiveServer, action: str, resource: str) -> dict[str, Any]:
    case = {
        "request": {
            "principal": f"arn:aws:sts::{ACCOUNT}:assumed-role/deployer/ci-run",
            "action": action,
            "resource": resource,
        }
    }
    path = server.data_dir.parent / f"case-{action.replace(':', '-')}.json"
    path.write_text(json.dumps(case))
    run = localiam("authorize", str(path), "--data-dir", str(server.data_dir))
    assert run.returncode == 0, run.stderr
    decision: dict[str, Any] = json.loads(run.stdout)
    return decision


def test_authorize_with_the_data_dir_decides_for_the_imported_role(
    imported: tuple[LiveServer, str, str],
) -> None:
    server, _, _ = imported
    table = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/builds"
    allowed = case_decision(server, "s3:PutObject", f"{BUCKET}/build.zip")
    assert allowed["decision"] == "allowed"
    assert {m["policy"] for m in allowed["matchedStatements"]} >= {"deploy", "p-FullAWSAccess"}
    denied = case_decision(server, "s3:DeleteBucket", BUCKET)
    assert (denied["decision"], denied["blockedBy"]) == ("explicitDeny", "identity")
    assert case_decision(server, "dynamodb:PutItem", table)["decision"] == "allowed"
    # The attached policy allows every DynamoDB action; the organization's SCP denies this one.
    scp = case_decision(server, "dynamodb:DeleteTable", table)
    assert (scp["decision"], scp["blockedBy"]) == ("explicitDeny", "scp")
    assert "with an explicit deny in a service control policy" in scp["message"]
