"""localiam.cli: `localiam authorize` on files, batches and standard input; bad input gives exit
status 2 and a message, never a traceback."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from localiam.cli import main
from localiam.policy import parse_policy

USER = "arn:aws:iam::111122223333:user/alice"
REQUEST = {"principal": USER, "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"}
ALLOW = {
    "Version": "2012-10-17",
    "Statement": [{"Sid": "All", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
}
DENY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Deny", "Action": "s3:Delete*", "Resource": "*"}],
}


def write(tmp_path: Path, name: str, content: Any) -> str:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return str(path)


def lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]


# --- one case ----------------------------------------------------------------------------------


def test_one_case(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(
        tmp_path, "case.json", {"id": "c1", "request": REQUEST, "identityPolicies": [ALLOW]}
    )
    assert main(["authorize", path]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["id"] == "c1"
    assert out["decision"] == "allowed"
    assert out["blockedBy"] is None
    assert out["matchedStatements"] == [
        {
            "policy": "identityPolicies[0]",
            "type": "identity",
            "sid": "All",
            "index": 0,
            "effect": "Allow",
        }
    ]
    assert (
        out["message"]
        == f"User: {USER} is allowed to perform: s3:GetObject on resource: arn:aws:s3:::b/k"
    )


def test_one_case_without_id_and_denied(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "case.json", {"request": REQUEST})
    assert main(["authorize", path]) == 0  # a denial is still a decision
    out = json.loads(capsys.readouterr().out)
    assert "id" not in out
    assert (out["decision"], out["blockedBy"]) == ("implicitDeny", "identity")


def test_one_case_from_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(
        "sys.stdin", io.StringIO(json.dumps({"request": REQUEST, "identityPolicies": [ALLOW]}))
    )
    assert main(["authorize", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["decision"] == "allowed"


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (None, "cannot read"),
        ("{not json", "not valid JSON"),
        ("", "not valid JSON"),
        ("[1, 2]", "a case must be a JSON object"),
        (json.dumps({"request": {**REQUEST, "action": "s3"}}), "request.action"),
        (
            json.dumps(
                {"request": REQUEST, "identityPolicies": [{"Statement": [{"Effect": "Allow"}]}]}
            ),
            "identityPolicies[0].Statement[0]",
        ),
    ],
)
def test_one_bad_case(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, fragment: str
) -> None:
    path = str(tmp_path / "missing.json") if content is None else write(tmp_path, "c.json", content)
    assert main(["authorize", path]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"localiam: {path}: ")
    assert fragment in captured.err
    assert "Traceback" not in captured.err


def test_directory_is_unreadable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["authorize", str(tmp_path)]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_not_utf8_is_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes(b'{"id": "\xe9"}')
    assert main(["authorize", str(path)]) == 2
    assert capsys.readouterr().err.startswith(f"localiam: {path}: ")


def test_explain_lists_statements(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "case.json", {"request": REQUEST, "identityPolicies": [ALLOW, DENY]})
    assert main(["authorize", path, "--explain"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("decision: allowed\nmessage:  User: ")
    assert "statements considered:" in out
    assert "identity identityPolicies[0] Statement[0] (All) Allow: matched" in out
    assert "identity identityPolicies[1] Statement[0] Deny: no match — Action" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["authorize"],
        ["authorize", "case.json", "--batch", "in.jsonl"],
        ["authorize", "case.json", "--base", "base.json"],
    ],
)
def test_usage_errors(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert capsys.readouterr().err.startswith("localiam authorize: ")


# --- batches -----------------------------------------------------------------------------------


def test_batch_keeps_going_after_bad_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    batch = [
        json.dumps({"id": 1, "request": REQUEST, "identityPolicies": [ALLOW]}),
        "{not json",
        json.dumps({"id": "two", "request": {**REQUEST, "principal": "bob"}}),
        json.dumps([1]),
        json.dumps({"id": {"n": 5}, "request": REQUEST}),
        json.dumps({"request": REQUEST, "identityPolicies": [ALLOW]}),
    ]
    path = write(tmp_path, "in.jsonl", "\n".join(batch) + "\n")
    assert main(["authorize", "--batch", path]) == 2
    captured = capsys.readouterr()
    out = lines(captured.out)
    assert len(out) == len(batch)
    assert (out[0]["id"], out[0]["decision"]) == (1, "allowed")
    assert out[1] == {"error": out[1]["error"]} and out[1]["error"].startswith(
        "line 2: not valid JSON"
    )
    assert out[2]["id"] == "two" and out[2]["error"].startswith("line 3: request.principal:")
    assert "id" not in out[3] and out[3]["error"].startswith("line 4: a case must be a JSON object")
    assert (out[4]["id"], out[4]["decision"]) == ({"n": 5}, "implicitDeny")
    assert "id" not in out[5] and out[5]["decision"] == "allowed"
    assert captured.err.count(f"localiam: {path}: line ") == 3


def test_batch_of_good_lines_exits_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cases = [
        {"id": i, "request": REQUEST, "identityPolicies": [ALLOW] if i % 2 else []}
        for i in range(6)
    ]
    path = write(tmp_path, "in.jsonl", "\n".join(json.dumps(c) for c in cases))  # no final newline
    assert main(["authorize", "--batch", path]) == 0
    out = lines(capsys.readouterr().out)
    assert [o["id"] for o in out] == list(range(6))
    assert [o["decision"] for o in out] == ["implicitDeny", "allowed"] * 3


def test_batch_skips_blank_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = json.dumps({"id": "a", "request": REQUEST})
    path = write(tmp_path, "in.jsonl", f"\n{good}\n   \n{good}\n")
    assert main(["authorize", "--batch", path]) == 0
    assert [o["id"] for o in lines(capsys.readouterr().out)] == ["a", "a"]


def test_batch_from_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(
        "sys.stdin", io.StringIO(json.dumps({"id": "s", "request": REQUEST}) + "\n")
    )
    assert main(["authorize", "--batch", "-"]) == 0
    assert lines(capsys.readouterr().out)[0]["id"] == "s"


def test_unreadable_batch(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["authorize", "--batch", str(tmp_path / "nope.jsonl")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_base_merges_fields_and_parses_documents_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real = parse_policy

    def counting(document: Any, kind: Any) -> Any:
        calls.append(kind.value)
        return real(document, kind)

    monkeypatch.setattr("localiam.cases.parse_policy", counting)
    base = write(tmp_path, "base.json", {"identityPolicies": [ALLOW, DENY], "scps": [[ALLOW]]})
    requests = [
        {"id": 0, "request": REQUEST},
        {"id": 1, "request": {**REQUEST, "action": "s3:DeleteObject"}},
        {"id": 2, "request": {**REQUEST, "action": "ec2:RunInstances"}},
        {"id": 3, "request": REQUEST, "sessionPolicy": DENY},
        {"id": 4, "request": REQUEST, "scps": [[DENY]]},
    ]
    batch = write(tmp_path, "in.jsonl", "\n".join(json.dumps(r) for r in requests))
    assert main(["authorize", "--batch", batch, "--base", base]) == 0
    out = lines(capsys.readouterr().out)
    assert [(o["id"], o["decision"], o["blockedBy"]) for o in out] == [
        (0, "allowed", None),
        (1, "explicitDeny", "identity"),
        (2, "implicitDeny", "scp"),
        (3, "implicitDeny", "session"),
        (4, "implicitDeny", "scp"),
    ]
    # base: two identity documents and one SCP; then one session policy and one new SCP
    assert sorted(calls) == sorted(["identity", "identity", "scp", "session", "scp"])


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (None, "cannot read"),
        ("{", "not valid JSON"),
        ("[]", "base case must be a JSON object"),
        ('{"scps": 1}', "scps:"),
    ],
)
def test_bad_base(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, fragment: str
) -> None:
    base = str(tmp_path / "nope.json") if content is None else write(tmp_path, "base.json", content)
    batch = write(tmp_path, "in.jsonl", json.dumps({"request": REQUEST}))
    assert main(["authorize", "--batch", batch, "--base", base]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"localiam: {base}: ") and fragment in captured.err


def test_batch_explain(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(
        tmp_path,
        "in.jsonl",
        json.dumps({"id": "x", "request": REQUEST, "identityPolicies": [ALLOW, DENY]}),
    )
    assert main(["authorize", "--batch", path, "--explain"]) == 0
    (out,) = lines(capsys.readouterr().out)
    assert out["id"] == "x" and out["decision"] == "allowed"
    explanation = out["explanation"]
    assert "identity identityPolicies[0] Statement[0] (All) Allow: matched" in explanation
    assert any(
        line.startswith("identity identityPolicies[1] Statement[0] Deny: no match")
        for line in explanation
    )


def test_batch_without_explain_has_no_explanation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "in.jsonl", json.dumps({"request": REQUEST}))
    assert main(["authorize", "--batch", path]) == 0
    assert "explanation" not in lines(capsys.readouterr().out)[0]


def test_deeply_nested_line_is_an_error_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    nested = "[" * 100_000 + "]" * 100_000
    good = json.dumps({"id": "after", "request": REQUEST})
    path = write(tmp_path, "in.jsonl", f"{nested}\n{good}\n")
    assert main(["authorize", "--batch", path]) == 2
    out = lines(capsys.readouterr().out)
    assert out[0]["error"].startswith("line 1:")
    assert out[1]["id"] == "after"


def test_deeply_nested_case_file_is_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "case.json", "[" * 100_000 + "]" * 100_000)
    assert main(["authorize", path]) == 2
    assert capsys.readouterr().err.startswith(f"localiam: {path}: ")


def test_explain_adds_catalog_warnings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    odd = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["s3:Frobnicate*", "nosuch:Get"], "Resource": "*"}
        ],
    }
    request = {**REQUEST, "action": "nosuch:GetThing"}
    path = write(tmp_path, "case.json", {"request": request, "identityPolicies": [odd]})
    assert main(["authorize", path, "--explain"]) == 0
    out = capsys.readouterr().out
    assert (
        "warning: identityPolicies[0].Statement[0].Action: `s3:Frobnicate*` matches no action"
        in out
    )
    assert "warning: identityPolicies[0].Statement[0].Action: unknown service `nosuch`" in out
    assert "warning: request.action: unknown service `nosuch`" in out
