"""`localiam import`: exit status, messages, the summary, root keys, the progress bar."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from import_samples import ACCOUNT, MANAGED, MANAGEMENT, NOW, OTHER, account_file, organization_file

from localiam.cli import main
from localiam.importer import ImportOptions, InvalidImport, run_import
from localiam.store import Database, select
from localiam.store.models import AccessKey, Role


def write(tmp_path: Path, name: str, content: Any) -> Path:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["import", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_an_import_says_what_it_loaded_and_gives_the_account_a_root_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    file = write(tmp_path, "account.json", account_file())
    org = write(tmp_path, "org.json", organization_file())
    code, out, err = run(capsys, str(file), "--organization", str(org), "--data-dir", str(data))
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == (
        f"imported into account {ACCOUNT}: 1 users, 1 groups, 1 roles, "
        "1 customer managed policies, 1 instance profiles"
    )
    assert lines[1] == (
        "imported organization o-a1b2c3d4e5: 3 roots and OUs, 2 accounts, 2 policies, "
        "12 policy attachments"
    )
    csv = (data / "root-credentials.csv").read_text().splitlines()
    account, key_id, secret = csv[1].split(",")
    assert account == ACCOUNT
    assert lines[2] == (
        f"account {ACCOUNT}: new root access key id {key_id}, secret access key {secret} "
        f"(also in {data / 'root-credentials.csv'})"
    )
    assert lines[3].startswith(f"account {MANAGEMENT}: new root access key id AKIA")
    db = Database(f"sqlite:///{data / 'localiam.db'}")
    try:
        with db.read() as session:
            roots = session.scalars(select(AccessKey.account_id).where(AccessKey.user_id.is_(None)))
            assert sorted(roots) == sorted([ACCOUNT, MANAGEMENT])
            assert session.scalars(select(Role.name)).all() == ["app"]
    finally:
        db.close()
    # Again, replacing: the keys stay.
    code, out, _ = run(capsys, str(file), "--data-dir", str(data), "--replace", "--quiet")
    assert code == 0
    assert out.splitlines()[1] == f"account {ACCOUNT}: root access key id {key_id}"


def test_into_another_account(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = write(tmp_path, "account.json", account_file())
    code, out, _ = run(capsys, str(file), "--account-id", OTHER, "--data-dir", str(tmp_path / "d"))
    assert code == 0 and out.startswith(f"imported into account {OTHER}: ")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{oops", "account.json: not valid JSON: Expecting property name"),
        ({"IsTruncated": True}, "account.json: IsTruncated: the file is one page"),
        (
            {"RoleDetailList": [{"RoleName": "r", "Arn": "arn:aws:iam::111122223333:role/r"}]},
            "account.json: RoleDetailList[0].AssumeRolePolicyDocument: missing; it is required",
        ),
    ],
)
def test_bad_input_is_exit_status_2_with_its_place_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: Any, message: str
) -> None:
    file = write(tmp_path, "account.json", content)
    data = tmp_path / "data"
    code, out, err = run(capsys, str(file), "--data-dir", str(data))
    assert (code, out) == (2, "")
    assert err.startswith(f"localiam import: {tmp_path / message}")
    assert "Traceback" not in err
    assert not data.exists()  # checked in full before the store is opened


def test_a_bad_organization_file_names_itself(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    org = organization_file()
    org["Policies"][0]["Content"] = "{}"
    file = write(tmp_path, "account.json", account_file())
    orgfile = write(tmp_path, "org.json", org)
    code, _, err = run(
        capsys, str(file), "--organization", str(orgfile), "--data-dir", str(tmp_path)
    )
    assert code == 2
    assert err.startswith(
        f"localiam import: {orgfile}: Policies[0].Content: malformed policy document"
    )


def test_a_clash_with_the_store_is_exit_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = write(tmp_path, "account.json", account_file())
    assert run(capsys, str(file), "--data-dir", str(tmp_path / "d"))[0] == 0
    code, _, err = run(capsys, str(file), "--data-dir", str(tmp_path / "d"))
    assert code == 2
    assert err.startswith(f"localiam import: {file}: Policies[0].PolicyName: EntityAlreadyExists")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.json"], "missing.json: cannot read: No such file or directory"),
        (["x.json", "--account-id", "12"], "--account-id `12` must be 12 digits"),
        (["x.json", "--database-url", "mysql://x"], "unsupported database url"),
    ],
)
def test_bad_arguments(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "x.json", {"IsTruncated": False})
    code, _, err = run(capsys, *args, "--data-dir", "d")
    assert code == 2
    assert message in err and err.startswith("localiam import: ")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("stream", "quiet", "shown"), [
    (_Terminal(), False, True),
    (_Terminal(), True, False),
    (io.StringIO(), False, False),
])  # fmt: skip
def test_the_progress_bar_shows_only_on_a_terminal_unless_quiet(
    tmp_path: Path, stream: io.StringIO, quiet: bool, shown: bool
) -> None:
    file = write(tmp_path, "account.json", account_file())
    options = ImportOptions(file=file, data_dir=tmp_path / "d", quiet=quiet)
    run_import(options, io.StringIO(), stream, clock=lambda: NOW, managed=MANAGED)
    assert ("entities" in stream.getvalue()) is shown


def test_run_import_raises_with_the_file_and_place(tmp_path: Path) -> None:
    raw = account_file()
    raw["UserDetailList"][0]["GroupList"] = ["ops"]
    file = write(tmp_path, "account.json", raw)
    with pytest.raises(InvalidImport) as caught:
        run_import(ImportOptions(file=file, data_dir=tmp_path), io.StringIO(), io.StringIO(),
                   managed=MANAGED)  # fmt: skip
    assert (caught.value.file, caught.value.place) == (str(file), "UserDetailList[0].GroupList[0]")
