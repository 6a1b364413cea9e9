"""Time of `localiam import` for a large account, through the command as users run it.

The sample: 1,000 roles (each with a trust policy, 2 inline policies, 2 attached managed
policies, tags and an instance profile), 100 users, 20 groups and 200 customer managed policies
(2 versions each), documents URL-encoded as the IAM API returns them. Prints the figures;
asserts nothing. Run with `make bench`, or `python benchmarks/import_sample.py --roles 5000`.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

ACCOUNT = "111122223333"
CREATED = "2024-05-06T07:08:09Z"
AWS_MANAGED = [
    "arn:aws:iam::aws:policy/ReadOnlyAccess",
    "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
    "arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess",
]


def _encoded(document: dict[str, Any]) -> str:
    return quote(json.dumps(document), safe="")


def _identity(i: int, service: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Work",
                "Effect": "Allow",
                "Action": [f"{service}:Get*", f"{service}:List*", f"{service}:Put*"],
                "Resource": f"arn:aws:{service}:us-east-1:{ACCOUNT}:thing/item-{i}*",
                "Condition": {"StringEquals": {"aws:PrincipalTag/team": f"team-{i % 17}"}},
            },
            {"Effect": "Deny", "Action": "iam:*", "Resource": "*"},
        ],
    }


def sample(
    roles: int = 1000, users: int = 100, groups: int = 20, policies: int = 200
) -> dict[str, Any]:
    """An authorization-details file of the given size."""
    policy_arns = [f"arn:aws:iam::{ACCOUNT}:policy/team/policy-{p}" for p in range(policies)]
    out: dict[str, Any] = {"IsTruncated": False}
    out["Policies"] = [
        {
            "PolicyName": f"policy-{p}",
            "PolicyId": f"ANPA{p:017d}",
            "Arn": policy_arns[p],
            "Path": "/team/",
            "DefaultVersionId": "v2",
            "AttachmentCount": 0,
            "PermissionsBoundaryUsageCount": 0,
            "IsAttachable": True,
            "CreateDate": CREATED,
            "UpdateDate": CREATED,
            "PolicyVersionList": [
                {
                    "Document": _encoded(_identity(p, "s3")),
                    "VersionId": "v2",
                    "IsDefaultVersion": True,
                    "CreateDate": CREATED,
                },
                {
                    "Document": _encoded(_identity(p, "sqs")),
                    "VersionId": "v1",
                    "IsDefaultVersion": False,
                    "CreateDate": CREATED,
                },
            ],
        }
        for p in range(policies)
    ]
    out["GroupDetailList"] = [
        {
            "Path": "/",
            "GroupName": f"group-{g}",
            "GroupId": f"AGPA{g:017d}",
            "Arn": f"arn:aws:iam::{ACCOUNT}:group/group-{g}",
            "CreateDate": CREATED,
            "GroupPolicyList": [
                {"PolicyName": "inline", "PolicyDocument": _encoded(_identity(g, "sns"))}
            ],
            "AttachedManagedPolicies": [
                {"PolicyName": f"policy-{g}", "PolicyArn": policy_arns[g % policies]}
            ],
        }
        for g in range(groups)
    ]
    out["UserDetailList"] = [
        {
            "Path": "/people/",
            "UserName": f"user-{u}",
            "UserId": f"AIDA{u:017d}",
            "Arn": f"arn:aws:iam::{ACCOUNT}:user/people/user-{u}",
            "CreateDate": CREATED,
            "UserPolicyList": [
                {"PolicyName": "own", "PolicyDocument": _encoded(_identity(u, "dynamodb"))}
            ],
            "GroupList": [f"group-{u % groups}", f"group-{(u + 1) % groups}"],
            "AttachedManagedPolicies": [
                {"PolicyName": "ReadOnlyAccess", "PolicyArn": AWS_MANAGED[0]},
            ],
            "Tags": [{"Key": "team", "Value": f"team-{u % 17}"}],
        }
        for u in range(users)
    ]
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "ec2.amazonaws.com"},
                "Action": "sts:AssumeRole",
            },
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                "Action": "sts:AssumeRole",
                "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
            },
        ],
    }
    out["RoleDetailList"] = [
        {
            "Path": "/service/",
            "RoleName": f"role-{r}",
            "RoleId": f"AROA{r:017d}",
            "Arn": f"arn:aws:iam::{ACCOUNT}:role/service/role-{r}",
            "CreateDate": CREATED,
            "AssumeRolePolicyDocument": _encoded(trust),
            "InstanceProfileList": [
                {
                    "Path": "/",
                    "InstanceProfileName": f"profile-{r}",
                    "InstanceProfileId": f"AIPA{r:017d}",
                    "Arn": f"arn:aws:iam::{ACCOUNT}:instance-profile/profile-{r}",
                    "CreateDate": CREATED,
                    "Roles": [{"RoleName": f"role-{r}", "RoleId": f"AROA{r:017d}"}],
                }
            ],
            "RolePolicyList": [
                {"PolicyName": "logs", "PolicyDocument": _encoded(_identity(r, "logs"))},
                {"PolicyName": "data", "PolicyDocument": _encoded(_identity(r, "kinesis"))},
            ],
            "AttachedManagedPolicies": [
                {"PolicyName": "m", "PolicyArn": policy_arns[r % policies]},
                {"PolicyName": "a", "PolicyArn": AWS_MANAGED[1 + r % 2]},
            ],
            "Tags": [
                {"Key": "team", "Value": f"team-{r % 17}"},
                {"Key": "cost-center", "Value": str(1000 + r % 50)},
            ],
            "RoleLastUsed": {},
        }
        for r in range(roles)
    ]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--roles", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "account.json"
        data = sample(roles=args.roles)
        path.write_text(json.dumps(data, indent=2))
        size = path.stat().st_size / 1e6
        command = [sys.executable, "-m", "localiam.cli", "import", str(path), "--quiet"]
        start = time.perf_counter()
        run = subprocess.run(
            [*command, "--data-dir", str(Path(tmp) / "data")],
            capture_output=True,
            text=True,
            check=False,
        )
        elapsed = time.perf_counter() - start
        if run.returncode != 0:
            print(run.stderr, file=sys.stderr)
            raise SystemExit(run.returncode)
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "localiam.cli", "--help"], capture_output=True, check=True
        )
        startup = time.perf_counter() - start
    print(f"import of {args.roles:,} roles, 100 users, 20 groups, 200 policies ({size:.1f} MB):")
    print(
        f"  localiam import, whole command: {elapsed:.2f} s (process start-up alone {startup:.2f} s)"
    )
    print("  " + run.stdout.splitlines()[0])


if __name__ == "__main__":
    main()
