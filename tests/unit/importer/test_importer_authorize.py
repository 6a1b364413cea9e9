"""`localiam authorize --data-dir`: cases completed from the store an import wrote."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from import_samples import ACCOUNT, ARN, NOW, account_file, organization_file

from localiam.cli import main
from localiam.importer import ImportOptions, run_import

ALICE = f"{ARN}:user/people/alice"
SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/app/build"
QUEUE = f"arn:aws:sqs:us-east-1:{ACCOUNT}:jobs"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("store")
    raw = account_file()
    # An ABAC statement: the role's tag must be `blue`.
    raw["RoleDetailList"][0]["RolePolicyList"].append(
        {
            "PolicyName": "abac",
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "kinesis:PutRecord",
                        "Resource": "*",
                        "Condition": {"StringEquals": {"aws:PrincipalTag/team": "blue"}},
                    }
                ],
            },
        }
    )
    (tmp / "account.json").write_text(json.dumps(raw))
    (tmp / "org.json").write_text(json.dumps(organization_file()))
    options = ImportOptions(
        file=tmp / "account.json", data_dir=tmp / "data", organization=tmp / "org.json"
    )
    run_import(options, io.StringIO(), io.StringIO(), clock=lambda: NOW)
    return tmp / "data"


def decide(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, data_dir: Path, case: dict[str, Any]
) -> tuple[int, dict[str, Any] | None, str]:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case))
    code = main(["authorize", str(path), "--data-dir", str(data_dir)])
    captured = capsys.readouterr()
    return code, json.loads(captured.out) if captured.out else None, captured.err


def decision(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, data_dir: Path, case: dict[str, Any]
) -> str:
    _, out, _ = decide(capsys, tmp_path, data_dir, case)
    assert out is not None
    return str(out["decision"])


def request(principal: str, action: str, resource: str = "*") -> dict[str, Any]:
    return {"request": {"principal": principal, "action": action, "resource": resource}}


@pytest.mark.parametrize(
    ("principal", "action", "resource", "decision", "blocked_by"),
    [
        # The group's customer managed policy (default version v2) allows, its Deny denies.
        (ALICE, "dynamodb:GetItem", "*", "allowed", None),
        (ALICE, "dynamodb:DeleteTable", "*", "explicitDeny", "identity"),
        # The user's inline policy allows; the SCP on the account's OU denies.
        (ALICE, "sqs:SendMessage", QUEUE, "explicitDeny", "scp"),
        # Nothing stored allows it.
        (ALICE, "ec2:RunInstances", "*", "implicitDeny", "identity"),
        # A role session: the role's inline policy, the RCP satisfied by aws:PrincipalOrgID.
        (SESSION, "s3:PutObject", "arn:aws:s3:::app-bucket/k", "allowed", None),
        (SESSION, "s3:DeleteObject", "arn:aws:s3:::app-bucket/k", "explicitDeny", "identity"),
        (f"{ARN}:role/app", "s3:GetObject", "arn:aws:s3:::other/k", "implicitDeny", "identity"),
        # aws:PrincipalTag/team from the role's tags.
        (SESSION, "kinesis:PutRecord", "*", "allowed", None),
    ],
)
def test_a_case_gets_the_principals_stored_policies(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    data_dir: Path,
    principal: str,
    action: str,
    resource: str,
    decision: str,
    blocked_by: str | None,
) -> None:
    code, out, err = decide(capsys, tmp_path, data_dir, request(principal, action, resource))
    assert (code, err) == (0, "")
    assert out is not None
    assert (out["decision"], out.get("blockedBy")) == (decision, blocked_by)


def test_what_the_case_gives_is_kept(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, data_dir: Path
) -> None:
    # Given SCPs: the store's are not used, and the SCP denying SQS is gone.
    case = {**request(ALICE, "sqs:SendMessage", QUEUE), "scps": []}
    assert decision(capsys, tmp_path, data_dir, case) == "allowed"
    # Given identity policies: the store's are not used.
    case = {**request(ALICE, "dynamodb:GetItem"), "identityPolicies": []}
    assert decision(capsys, tmp_path, data_dir, case) == "implicitDeny"
    # A given context value wins over the store's.
    case = request(SESSION, "kinesis:PutRecord")
    case["request"]["context"] = {"aws:PrincipalTag/team": "red"}
    assert decision(capsys, tmp_path, data_dir, case) == "implicitDeny"


@pytest.mark.parametrize(
    "principal",
    [f"{ARN}:user/nobody", f"{ARN}:user/alice", "arn:aws:iam::222233334444:role/app"],
)
def test_a_principal_the_store_does_not_know_is_a_case_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, data_dir: Path, principal: str
) -> None:
    code, out, err = decide(capsys, tmp_path, data_dir, request(principal, "s3:GetObject"))
    assert (code, out) == (2, None)
    assert err.endswith(f"request.principal: `{principal}` is not a user or role in the store\n")


def test_a_batch_with_a_base(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, data_dir: Path
) -> None:
    (tmp_path / "base.json").write_text(
        json.dumps({"request": {"principal": ALICE, "action": "x:Y"}})
    )
    lines = [
        {"id": 1, "request": {"principal": ALICE, "action": "dynamodb:GetItem"}},
        {"id": 2, "request": {"principal": f"{ARN}:user/ghost", "action": "s3:GetObject"}},
        {"id": 3, "request": {"principal": ALICE, "action": "sqs:SendMessage", "resource": QUEUE}},
    ]
    (tmp_path / "in.jsonl").write_text("\n".join(json.dumps(line) for line in lines))
    code = main(["authorize", "--batch", str(tmp_path / "in.jsonl"), "--base",
                 str(tmp_path / "base.json"), "--data-dir", str(data_dir)])  # fmt: skip
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 2  # one line failed; the others ran
    assert [o.get("decision") for o in out] == ["allowed", None, "explicitDeny"]
    assert "is not a user or role in the store" in out[1]["error"]


def test_no_database_in_the_data_dir(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = decide(capsys, tmp_path, tmp_path / "empty", request(ALICE, "s3:GetObject"))
    assert code == 2
    assert err == f"localiam authorize: no database in {tmp_path / 'empty'}\n"
