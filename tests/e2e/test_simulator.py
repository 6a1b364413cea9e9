"""The policy simulator and GetAccountAuthorizationDetails through boto3 and the AWS CLI, with
decisions checked against `localiam authorize` for the same cases."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import botocore.exceptions
import pytest

from live_server import LiveServer

ACCOUNT = "123456789012"
# The policy of the AWS CLI reference's simulate-custom-policy example, and its positions.
DYNAMODB = (
    '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*",'
    '"Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}'
)
S3_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
         "Resource": "arn:aws:s3:::data/*"},
        {"Effect": "Deny", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::data/locked/*"},
    ],
}  # fmt: skip


def error_of(call: Any) -> dict[str, Any]:
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call()
    return dict(info.value.response["Error"])


def when(value: str) -> list[dict[str, Any]]:
    return [
        {"ContextKeyName": "aws:CurrentTime", "ContextKeyValues": [value],
         "ContextKeyType": "date"}
    ]  # fmt: skip


def test_simulate_custom_policy_as_in_the_aws_cli_reference(server: LiveServer) -> None:
    iam = server.client()
    allowed = iam.simulate_custom_policy(
        PolicyInputList=[DYNAMODB],
        ActionNames=["dynamodb:CreateBackup"],
        ContextEntries=when("2019-04-25T11:00:00Z"),
    )["EvaluationResults"]
    assert allowed == [
        {
            "EvalActionName": "dynamodb:CreateBackup",
            "EvalResourceName": "*",
            "EvalDecision": "allowed",
            "MatchedStatements": [
                {
                    "SourcePolicyId": "PolicyInputList.1",
                    "SourcePolicyType": "IAM Policy",
                    "StartPosition": {"Line": 1, "Column": 38},
                    "EndPosition": {"Line": 1, "Column": 167},
                }
            ],
            "MissingContextValues": [],
        }
    ]
    denied = iam.simulate_custom_policy(
        PolicyInputList=[DYNAMODB],
        ActionNames=["dynamodb:CreateBackup"],
        ContextEntries=when("2014-04-25T11:00:00Z"),
    )["EvaluationResults"][0]
    assert (denied["EvalDecision"], denied["MatchedStatements"]) == ("implicitDeny", [])


def test_resources_results_and_paging(server: LiveServer) -> None:
    iam = server.client()
    params: dict[str, Any] = {
        "PolicyInputList": [json.dumps(S3_POLICY, indent=2)],
        "ActionNames": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
        "ResourceArns": ["arn:aws:s3:::data/a", "arn:aws:s3:::data/locked/b"],
    }
    pages = list(
        iam.get_paginator("simulate_custom_policy").paginate(
            **params, PaginationConfig={"PageSize": 1}
        )
    )
    assert len(pages) == 3
    get, put, delete = (page["EvaluationResults"][0] for page in pages)
    assert get["EvalDecision"] == "allowed"
    assert get["EvalResourceName"] == "arn:${Partition}:s3:::${BucketName}/${ObjectName}"
    assert get["MatchedStatements"][0]["StartPosition"] == {"Line": 3, "Column": 17}
    assert get["EvalDecisionDetails"] == {}
    assert put["EvalDecision"] == "explicitDeny"
    assert [(r["EvalResourceName"], r["EvalResourceDecision"])
            for r in put["ResourceSpecificResults"]] == [
        ("arn:aws:s3:::data/a", "allowed"),
        ("arn:aws:s3:::data/locked/b", "explicitDeny"),
    ]  # fmt: skip
    assert put["MatchedStatements"][0]["StartPosition"]["Line"] == 11
    assert delete["EvalDecision"] == "implicitDeny"


def test_the_aws_cli_simulates_custom_policies(server: LiveServer) -> None:
    run = server.cli(
        "iam", "simulate-custom-policy",
        "--policy-input-list", DYNAMODB,
        "--action-names", "dynamodb:CreateBackup", "dynamodb:DeleteTable",
        "--context-entries",
        "ContextKeyName=aws:CurrentTime,ContextKeyValues=2019-04-25T11:00:00Z,ContextKeyType=date",
    )  # fmt: skip
    assert run.code == 0, run.stderr
    results = run.json()["EvaluationResults"]
    assert [(r["EvalActionName"], r["EvalDecision"]) for r in results] == [
        ("dynamodb:CreateBackup", "allowed"),
        ("dynamodb:DeleteTable", "allowed"),
    ]
    keys = server.cli("iam", "get-context-keys-for-custom-policy", "--policy-input-list", DYNAMODB)
    assert keys.json() == {"ContextKeyNames": ["aws:CurrentTime"]}


def put_inline(server: LiveServer, user: dict[str, Any], name: str, document: str) -> None:
    server.client().put_user_policy(
        UserName=user["UserName"], PolicyName=name, PolicyDocument=document
    )


def authorize(cases: list[dict[str, Any]]) -> list[str]:
    """The decisions `localiam authorize --batch` gives."""
    lines = "".join(json.dumps(case) + "\n" for case in cases)
    run = subprocess.run(
        [sys.executable, "-m", "localiam.cli", "authorize", "--batch", "-"],
        input=lines,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return [json.loads(line)["decision"] for line in run.stdout.splitlines()]


def test_simulate_principal_policy_agrees_with_localiam_authorize(server: LiveServer) -> None:
    iam = server.client()
    user = iam.create_user(UserName="alice", Path="/team/")["User"]
    put_inline(server, user, "data", json.dumps(S3_POLICY))
    actions = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["arn:aws:s3:::data/a", "arn:aws:s3:::data/locked/b", "arn:aws:s3:::other/c"]
    results = iam.simulate_principal_policy(
        PolicySourceArn=user["Arn"], ActionNames=actions, ResourceArns=resources
    )["EvaluationResults"]
    simulated = [
        (r["EvalActionName"], s["EvalResourceName"], s["EvalResourceDecision"])
        for r in results
        for s in r["ResourceSpecificResults"]
    ]
    cases = [
        {"request": {"principal": user["Arn"], "action": a, "resource": r},
         "identityPolicies": [S3_POLICY]}
        for a, r, _ in simulated
    ]  # fmt: skip
    assert [d for _, _, d in simulated] == authorize(cases)
    assert [d for _, _, d in simulated].count("allowed") == 3
    assert results[0]["EvalDecision"] == "implicitDeny"  # the most restrictive of the three
    statement = results[0]["ResourceSpecificResults"][0]["MatchedStatements"][0]
    assert (statement["SourcePolicyId"], statement["SourcePolicyType"]) == (
        "user_alice_data",
        "IAM Policy",
    )
    details = iam.get_account_authorization_details(Filter=["User"])
    (alice,) = details["UserDetailList"]
    # botocore decodes the URL-encoded documents.
    assert alice["UserPolicyList"] == [{"PolicyName": "data", "PolicyDocument": S3_POLICY}]
    assert details["RoleDetailList"] == [] and details["Policies"] == []


def test_errors_are_aws_errors(server: LiveServer) -> None:
    iam = server.client()
    err = error_of(
        lambda: iam.simulate_principal_policy(
            PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:role/none", ActionNames=["s3:GetObject"]
        )
    )
    assert (err["Code"], err["Message"]) == (
        "NoSuchEntity",
        "The role with name none cannot be found.",
    )
    err = error_of(
        lambda: iam.simulate_custom_policy(PolicyInputList=["{"], ActionNames=["s3:GetObject"])
    )
    assert err["Code"] == "MalformedPolicyDocument"
    err = error_of(
        lambda: iam.simulate_custom_policy(
            PolicyInputList=[DYNAMODB],
            ActionNames=["dynamodb:CreateBackup"],
            ContextEntries=when("soon"),
        )
    )
    assert err["Code"] == "InvalidInput"
