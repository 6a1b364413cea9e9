"""Small crafted import files: an account with every kind of entity, and an organization."""

from __future__ import annotations

import copy
import json
import random
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from localiam.catalog import ManagedPolicies
from localiam.importer import AccountImport, read_authorization_details
from localiam.store import IdGenerator

ACCOUNT = "111122223333"
OTHER = "444455556666"
MANAGEMENT = "999988887777"
NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
CREATED = "2024-05-06T07:08:09Z"
ARN = f"arn:aws:iam::{ACCOUNT}"


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action: str, resource: str = "*") -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource}


def deny(action: str, resource: str = "*") -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource}


def encoded(document: dict[str, Any]) -> str:
    """A document as the IAM API returns it: URL-encoded JSON text."""
    return quote(json.dumps(document), safe="")


def aws_policy(name: str, document: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "path": "/",
        "arn": f"arn:aws:iam::aws:policy/{name}",
        "defaultVersionId": "v1",
        "createDate": "2015-02-06T18:40:00+00:00",
        "updateDate": "2015-02-06T18:40:00+00:00",
        "document": document,
    }


#: A small catalog of AWS managed policies.
MANAGED = ManagedPolicies(
    {
        "asOf": "test",
        "policies": [
            aws_policy("ReadOnlyAccess", doc(allow("s3:Get*"), allow("sqs:Get*"))),
            aws_policy("PowerUserAccess", doc(allow("s3:*"), allow("sqs:*"), allow("sns:*"))),
        ],
    }
)

TRUST = doc(
    {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root", "Service": "ec2.amazonaws.com"},
        "Action": "sts:AssumeRole",
    }
)
USER_INLINE = doc(allow("sqs:SendMessage", f"arn:aws:sqs:us-east-1:{ACCOUNT}:jobs"))
GROUP_INLINE = doc(allow("sns:Publish"))
ROLE_INLINE = doc(allow("s3:*", "arn:aws:s3:::app-bucket/*"), deny("s3:DeleteObject"))
MINE_V1 = doc(allow("dynamodb:GetItem"))
MINE_V2 = doc(allow("dynamodb:*"), deny("dynamodb:DeleteTable"))


def account_file() -> dict[str, Any]:
    """A user in a group, a role in an instance profile, a customer managed policy with two
    versions; documents URL-encoded (as the IAM API returns them) and as objects (as the AWS
    CLI and boto3 print them)."""
    return copy.deepcopy(
        {
            "UserDetailList": [
                {
                    "Path": "/people/",
                    "UserName": "alice",
                    "UserId": "AIDAALICE00000000001",
                    "Arn": f"{ARN}:user/people/alice",
                    "CreateDate": CREATED,
                    "UserPolicyList": [
                        {"PolicyName": "jobs", "PolicyDocument": encoded(USER_INLINE)}
                    ],
                    "GroupList": ["devs"],
                    "AttachedManagedPolicies": [
                        {
                            "PolicyName": "ReadOnlyAccess",
                            "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess",
                        }
                    ],
                    "PermissionsBoundary": {
                        "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
                        "PermissionsBoundaryArn": "arn:aws:iam::aws:policy/PowerUserAccess",
                    },
                    "Tags": [{"Key": "team", "Value": "blue"}, {"Key": "level", "Value": "3"}],
                }
            ],
            "GroupDetailList": [
                {
                    "Path": "/",
                    "GroupName": "devs",
                    "GroupId": "AGPADEVS000000000001",
                    "Arn": f"{ARN}:group/devs",
                    "CreateDate": CREATED,
                    "GroupPolicyList": [{"PolicyName": "notify", "PolicyDocument": GROUP_INLINE}],
                    "AttachedManagedPolicies": [
                        {"PolicyName": "mine", "PolicyArn": f"{ARN}:policy/team/mine"}
                    ],
                }
            ],
            "RoleDetailList": [
                {
                    "Path": "/",
                    "RoleName": "app",
                    "RoleId": "AROAAPP0000000000001",
                    "Arn": f"{ARN}:role/app",
                    "CreateDate": CREATED,
                    "AssumeRolePolicyDocument": encoded(TRUST),
                    "InstanceProfileList": [
                        {
                            "Path": "/",
                            "InstanceProfileName": "web",
                            "InstanceProfileId": "AIPAWEB0000000000001",
                            "Arn": f"{ARN}:instance-profile/web",
                            "CreateDate": CREATED,
                            "Roles": [{"RoleName": "app", "RoleId": "AROAAPP0000000000001"}],
                            "Tags": [{"Key": "tier", "Value": "web"}],
                        }
                    ],
                    "RolePolicyList": [{"PolicyName": "bucket", "PolicyDocument": ROLE_INLINE}],
                    "AttachedManagedPolicies": [
                        {"PolicyName": "mine", "PolicyArn": f"{ARN}:policy/team/mine"}
                    ],
                    "Tags": [{"Key": "team", "Value": "blue"}],
                    "RoleLastUsed": {"LastUsedDate": "2025-01-01T00:00:00Z", "Region": "eu-west-1"},
                }
            ],
            "Policies": [
                {
                    "PolicyName": "mine",
                    "PolicyId": "ANPAMINE000000000001",
                    "Arn": f"{ARN}:policy/team/mine",
                    "Path": "/team/",
                    "DefaultVersionId": "v2",
                    "AttachmentCount": 2,
                    "PermissionsBoundaryUsageCount": 0,
                    "IsAttachable": True,
                    "Description": "my policy",
                    "CreateDate": CREATED,
                    "UpdateDate": "2024-06-01T00:00:00Z",
                    "PolicyVersionList": [
                        {
                            "Document": encoded(MINE_V2),
                            "VersionId": "v2",
                            "IsDefaultVersion": True,
                            "CreateDate": "2024-06-01T00:00:00Z",
                        },
                        {
                            "Document": MINE_V1,
                            "VersionId": "v1",
                            "IsDefaultVersion": False,
                            "CreateDate": CREATED,
                        },
                    ],
                },
                {
                    "PolicyName": "ReadOnlyAccess",
                    "PolicyId": "ANPAAWSREADONLY00001",
                    "Arn": "arn:aws:iam::aws:policy/ReadOnlyAccess",
                    "Path": "/",
                    "DefaultVersionId": "v1",
                    "PolicyVersionList": [],
                },
            ],
            "IsTruncated": False,
        }
    )


def read(raw: object, account_id: str | None = None) -> AccountImport:
    """`read_authorization_details` with the sample catalog, fixed ids and a fixed clock."""
    return read_authorization_details(
        raw,
        account_id=account_id,
        managed=MANAGED,
        ids=IdGenerator(random.Random(1)),
        clock=lambda: NOW,
    )


SCP_DENY_SQS = doc(deny("sqs:*"))
RCP_DENY_OUTSIDE = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}},
        }
    ],
}


def organization_file() -> dict[str, Any]:
    """The management account at the root, ACCOUNT in the OU `Prod`; SCPs and RCPs enabled, an
    SCP denying SQS on Prod, an RCP, and AWS's full-access policies where AWS puts them."""
    return copy.deepcopy(
        {
            "Organization": {
                "Id": "o-a1b2c3d4e5",
                "MasterAccountId": MANAGEMENT,
                "FeatureSet": "ALL",
            },
            "Roots": [
                {
                    "Id": "r-ab12",
                    "Name": "Root",
                    "PolicyTypes": [
                        {"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"},
                        {"Type": "RESOURCE_CONTROL_POLICY", "Status": "ENABLED"},
                    ],
                }
            ],
            "OrganizationalUnits": [
                {"Id": "ou-ab12-11111111", "Name": "Prod", "ParentId": "r-ab12"},
                {"Id": "ou-ab12-22222222", "Name": "Eu", "ParentId": "ou-ab12-11111111"},
            ],
            "Accounts": [
                {
                    "Id": MANAGEMENT,
                    "Name": "Management",
                    "Email": "m@example.com",
                    "ParentId": "r-ab12",
                },
                {
                    "Id": ACCOUNT,
                    "Name": "Prod",
                    "Email": "p@example.com",
                    "ParentId": "ou-ab12-11111111",
                    "JoinedMethod": "INVITED",
                    "JoinedTimestamp": "2023-01-01T00:00:00Z",
                },
            ],
            "Policies": [
                {
                    "Id": "p-12345678",
                    "Name": "DenySqs",
                    "Type": "SERVICE_CONTROL_POLICY",
                    "Description": "no queues",
                    "Content": json.dumps(SCP_DENY_SQS),
                    "Targets": ["ou-ab12-11111111"],
                },
                {
                    "Id": "p-87654321",
                    "Name": "OrgOnly",
                    "Type": "RESOURCE_CONTROL_POLICY",
                    "Content": RCP_DENY_OUTSIDE,
                    "Targets": ["r-ab12"],
                },
                {
                    "Id": "p-FullAWSAccess",
                    "Targets": [
                        "r-ab12",
                        "ou-ab12-11111111",
                        "ou-ab12-22222222",
                        MANAGEMENT,
                        ACCOUNT,
                    ],
                },
                {
                    "Id": "p-RCPFullAWSAccess",
                    "Targets": [
                        "r-ab12",
                        "ou-ab12-11111111",
                        "ou-ab12-22222222",
                        MANAGEMENT,
                        ACCOUNT,
                    ],
                },
            ],
        }
    )
