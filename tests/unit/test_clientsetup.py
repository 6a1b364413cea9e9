"""localiam.clientsetup: reading the root key, editing one profile of the shared files and
nothing else, and the export lines."""

from __future__ import annotations

import configparser
import io
import shlex
import stat
from pathlib import Path

import pytest

from localiam.clientsetup import (
    ClientSettings,
    ClientSetupError,
    configure_command,
    export_lines,
    read_root_credentials,
    shared_files,
    write_profile,
)

SETTINGS = ClientSettings("http://127.0.0.1:4599", "AKIAROOTROOTROOTROOT", "root/secret+key")


def files(tmp_path: Path, config: str | None = None, creds: str | None = None) -> tuple[Path, Path]:
    c, k = tmp_path / "config", tmp_path / "credentials"
    if config is not None:
        c.write_text(config)
    if creds is not None:
        k.write_text(creds)
    return c, k


def parsed(path: Path) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser()
    parser.read(path)
    return parser


def test_new_files_get_the_profile_and_private_modes(tmp_path: Path) -> None:
    config, creds = files(tmp_path / "new" / ".aws")
    write_profile(SETTINGS, "localiam", config, creds)
    assert config.read_text() == (
        "[profile localiam]\nregion = us-east-1\nendpoint_url = http://127.0.0.1:4599\n"
    )
    assert creds.read_text() == (
        "[localiam]\naws_access_key_id = AKIAROOTROOTROOTROOT\n"
        "aws_secret_access_key = root/secret+key\n"
    )
    assert stat.S_IMODE(creds.stat().st_mode) == 0o600
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert stat.S_IMODE(creds.parent.stat().st_mode) == 0o700


def test_the_rest_of_the_file_is_kept_byte_for_byte(tmp_path: Path) -> None:
    before = (
        "; a comment\n[default]\nregion=eu-west-1\n\n[profile localiam]\n# why\n"
        "output = json\nregion = ap-south-1\nENDPOINT_URL = http://old:1\n"
        "role_arn = arn:aws:iam::1:role/r\nsource_profile = default\n"
        "s3 =\n  addressing_style = path\n\n[profile other]\nregion = us-west-2"
    )
    config, creds = files(tmp_path, before, "")
    write_profile(SETTINGS, "localiam", config, creds)
    assert config.read_text() == (
        "; a comment\n[default]\nregion=eu-west-1\n\n[profile localiam]\n# why\n"
        "output = json\nregion = us-east-1\nendpoint_url = http://127.0.0.1:4599\n"
        "s3 =\n  addressing_style = path\n\n[profile other]\nregion = us-west-2\n"
    )


def test_other_credential_sources_leave_the_profile(tmp_path: Path) -> None:
    creds_before = (
        "[localiam]\naws_access_key_id = AKIAOLD\naws_session_token = old-token\n"
        "  continued\naws_secret_access_key = old\n\n[work]\naws_access_key_id = AKIAWORK\n"
    )
    config, creds = files(tmp_path, "", creds_before)
    write_profile(SETTINGS, "localiam", config, creds)
    result = parsed(creds)
    assert dict(result.items("localiam")) == {
        "aws_access_key_id": "AKIAROOTROOTROOTROOT",
        "aws_secret_access_key": "root/secret+key",
    }
    assert dict(result.items("work")) == {"aws_access_key_id": "AKIAWORK"}


def test_the_default_profile_has_no_prefix(tmp_path: Path) -> None:
    config, creds = files(tmp_path, "[default]\noutput = table\n", "")
    write_profile(SETTINGS, "default", config, creds)
    assert dict(parsed(config).items("default")) == {
        "output": "table",
        "region": "us-east-1",
        "endpoint_url": "http://127.0.0.1:4599",
    }
    assert parsed(creds).has_section("default")


def test_writing_twice_changes_nothing(tmp_path: Path) -> None:
    config, creds = files(tmp_path, "[profile a]\nregion = eu-west-1\n", "[a]\nx = 1\n")
    write_profile(SETTINGS, "localiam", config, creds)
    first = (config.read_text(), creds.read_text())
    write_profile(SETTINGS, "localiam", config, creds)
    assert (config.read_text(), creds.read_text()) == first


def test_a_file_the_cli_cannot_read_is_not_rewritten(tmp_path: Path) -> None:
    broken = "region = nowhere\n[profile a]\n"
    config, creds = files(tmp_path, broken, "")
    with pytest.raises(ClientSetupError, match="cannot be read as the AWS CLI reads it"):
        write_profile(SETTINGS, "localiam", config, creds)
    assert config.read_text() == broken
    duplicated = "[profile a]\n[profile a]\n"
    config.write_text(duplicated)
    with pytest.raises(ClientSetupError):
        write_profile(SETTINGS, "localiam", config, creds)
    assert config.read_text() == duplicated


def test_a_symlinked_file_is_changed_where_it_points(tmp_path: Path) -> None:
    real = tmp_path / "dotfiles" / "credentials"
    real.parent.mkdir()
    real.write_text("[work]\nx = 1\n")
    link = tmp_path / "credentials"
    link.symlink_to(real)
    write_profile(SETTINGS, "localiam", tmp_path / "config", link)
    assert link.is_symlink()
    assert "[localiam]" in real.read_text()


@pytest.mark.parametrize("name", ["", " padded", "a]b", "two\nlines"])
def test_bad_profile_names(tmp_path: Path, name: str) -> None:
    with pytest.raises(ClientSetupError, match="cannot be a profile name"):
        write_profile(SETTINGS, name, *files(tmp_path))


def test_settings_are_checked() -> None:
    with pytest.raises(ClientSetupError, match="must be http:// or https://"):
        ClientSettings("127.0.0.1:4599", "k", "s")
    with pytest.raises(ClientSetupError, match="`cn-north-1` is not a Region of the aws"):
        ClientSettings("http://x", "k", "s", "cn-north-1")


def test_root_credentials_csv(tmp_path: Path) -> None:
    (tmp_path / "root-credentials.csv").write_text(
        "Account ID,Access key ID,Secret access key\n123456789012,AKIAX,sec/ret\n"
    )
    assert read_root_credentials(tmp_path) == ("AKIAX", "sec/ret")
    (tmp_path / "root-credentials.csv").write_text("something else\n")
    with pytest.raises(ClientSetupError, match="no `Access key ID`"):
        read_root_credentials(tmp_path)
    with pytest.raises(ClientSetupError, match=r"no root-credentials\.csv in"):
        read_root_credentials(tmp_path / "missing")


def test_shared_files_follow_the_environment(tmp_path: Path) -> None:
    env = {"AWS_CONFIG_FILE": str(tmp_path / "c"), "AWS_SHARED_CREDENTIALS_FILE": "~/k"}
    config, creds = shared_files(env)
    assert config == tmp_path / "c"
    assert creds == Path("~/k").expanduser()
    assert shared_files({}) == (
        Path("~/.aws/config").expanduser(),
        Path("~/.aws/credentials").expanduser(),
    )


def test_export_lines_quote_for_the_shell() -> None:
    odd = ClientSettings("http://127.0.0.1:4599", "AKIAX", "it's $secret")
    lines = export_lines(odd)
    assert lines[2] == "export AWS_SECRET_ACCESS_KEY=" + shlex.quote("it's $secret")
    assert lines[-1] == "unset AWS_SESSION_TOKEN AWS_SECURITY_TOKEN"
    assert "export AWS_REGION=us-east-1" in lines


def test_configure_command_reports_where_it_wrote(tmp_path: Path) -> None:
    (tmp_path / "root-credentials.csv").write_text(
        "Account ID,Access key ID,Secret access key\n123456789012,AKIAX,secret\n"
    )
    env = {
        "AWS_CONFIG_FILE": str(tmp_path / "c"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "k"),
    }
    out = io.StringIO()
    configure_command("dev", "http://localhost:4599", tmp_path, "eu-west-1", env, out)
    assert "aws --profile dev sts get-caller-identity" in out.getvalue()
    assert parsed(tmp_path / "c").get("profile dev", "region") == "eu-west-1"
    assert parsed(tmp_path / "k").get("dev", "aws_access_key_id") == "AKIAX"
