"""Pointing AWS clients at a localiam server: `localiam configure` writes a named profile to the
AWS shared config and credentials files; `localiam env` prints the environment variables.

Both routes are the SDKs' own default chains (AWS SDKs and Tools Reference Guide, "Shared config
and credentials files", "Service-specific endpoints"): `endpoint_url` in a profile (botocore
1.31+, AWS CLI 1.29+/2.13+), or `AWS_ENDPOINT_URL` with the `AWS_ACCESS_KEY_ID` /
`AWS_SECRET_ACCESS_KEY` pair. The files are found where the SDKs look: `AWS_CONFIG_FILE` and
`AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/config` and `~/.aws/credentials`.

Only the profile's own section changes: every other section, comment and blank line of both
files is kept byte for byte. The files are parsed with `configparser`, as botocore parses them,
before and after the change, so a file botocore could not read is refused, not rewritten.
"""

from __future__ import annotations

import configparser
import csv
import os
import re
import shlex
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from localiam.regions import is_region

DEFAULT_ENDPOINT = "http://127.0.0.1:4599"
DEFAULT_REGION = "us-east-1"
DEFAULT_PROFILE = "localiam"

#: Profile keys that would make an SDK take credentials from somewhere other than the keys
#: written here (an assumed role, SSO, a process); they are removed from the profile.
_OTHER_CREDENTIAL_SOURCES = (
    "aws_session_token",
    "role_arn",
    "source_profile",
    "credential_source",
    "credential_process",
    "web_identity_token_file",
    "sso_session",
    "sso_account_id",
    "sso_role_name",
    "sso_start_url",
    "sso_region",
)

_SECTION = re.compile(r"\[(?P<header>.+)\]")  # configparser.RawConfigParser.SECTCRE
_OPTION = re.compile(r"(?P<option>[^=:\s][^=:]*?)\s*[=:]")


class ClientSetupError(Exception):
    """Why client settings could not be read or written; the message says which file."""


@dataclass(frozen=True, slots=True)
class ClientSettings:
    """What a client needs: where the server is, a key pair, and a Region to sign for."""

    endpoint_url: str
    access_key_id: str
    secret_access_key: str
    region: str = DEFAULT_REGION

    def __post_init__(self) -> None:
        if not re.match(r"^https?://[^/\s]+", self.endpoint_url):
            raise ClientSetupError(
                f"endpoint URL `{self.endpoint_url}` must be http:// or https:// and a host"
            )
        if not is_region(self.region, "aws"):
            raise ClientSetupError(f"`{self.region}` is not a Region of the aws partition")


def read_root_credentials(data_dir: Path) -> tuple[str, str]:
    """The root access key id and secret from `<data-dir>/root-credentials.csv`, which
    `localiam serve` writes on first start."""
    path = data_dir / "root-credentials.csv"
    try:
        with path.open(encoding="utf-8", newline="") as source:
            rows = list(csv.DictReader(source))
    except FileNotFoundError:
        raise ClientSetupError(
            f"no root-credentials.csv in {data_dir} (start `localiam serve --data-dir "
            f"{data_dir}` once first)"
        ) from None
    except OSError as exc:
        raise ClientSetupError(f"{path}: cannot read: {exc.strerror}") from None
    for row in rows:
        key, secret = row.get("Access key ID"), row.get("Secret access key")
        if key and secret:
            return key.strip(), secret.strip()
    raise ClientSetupError(f"{path}: no `Access key ID` and `Secret access key` columns")


def shared_files(environ: Mapping[str, str]) -> tuple[Path, Path]:
    """The shared config and credentials files, where the SDKs look for them."""
    config = environ.get("AWS_CONFIG_FILE") or "~/.aws/config"
    credentials = environ.get("AWS_SHARED_CREDENTIALS_FILE") or "~/.aws/credentials"
    return Path(config).expanduser(), Path(credentials).expanduser()


def write_profile(
    settings: ClientSettings, profile: str, config_file: Path, credentials_file: Path
) -> None:
    """Point `profile` at the server: `region` and `endpoint_url` in the config file's
    `[profile NAME]` (`[default]` for the default profile), the key pair in the credentials
    file's `[NAME]`."""
    if not profile or any(c in profile for c in "[]\n\r") or profile != profile.strip():
        raise ClientSetupError(f"`{profile}` cannot be a profile name")
    config_section = "default" if profile == "default" else f"profile {profile}"
    config_text = _updated(
        config_file,
        config_section,
        {"region": settings.region, "endpoint_url": settings.endpoint_url},
    )
    credentials_text = _updated(
        credentials_file,
        profile,
        {
            "aws_access_key_id": settings.access_key_id,
            "aws_secret_access_key": settings.secret_access_key,
        },
    )
    _write(config_file, config_text, 0o600)
    _write(credentials_file, credentials_text, 0o600)


def export_lines(settings: ClientSettings) -> list[str]:
    """Shell lines that point every SDK's default chain at the server (`eval "$(localiam env)"`);
    a session token left from other credentials would be sent with the root key, so it goes."""
    values = {
        "AWS_ENDPOINT_URL": settings.endpoint_url,
        "AWS_ACCESS_KEY_ID": settings.access_key_id,
        "AWS_SECRET_ACCESS_KEY": settings.secret_access_key,
        "AWS_DEFAULT_REGION": settings.region,
        "AWS_REGION": settings.region,
    }
    lines = [f"export {name}={shlex.quote(value)}" for name, value in values.items()]
    lines.append("unset AWS_SESSION_TOKEN AWS_SECURITY_TOKEN")
    return lines


# -- the commands ----------------------------------------------------------------------------


def configure_command(
    profile: str,
    endpoint_url: str,
    data_dir: Path,
    region: str,
    environ: Mapping[str, str],
    out: IO[str],
) -> None:
    """`localiam configure`; raises ClientSetupError."""
    key, secret = read_root_credentials(data_dir)
    settings = ClientSettings(endpoint_url, key, secret, region)
    config_file, credentials_file = shared_files(environ)
    write_profile(settings, profile, config_file, credentials_file)
    flag = "" if profile == "default" else f" --profile {shlex.quote(profile)}"
    out.write(
        f"localiam: profile `{profile}` -> {endpoint_url} ({region}), root key {key}\n"
        f"  config:      {config_file}\n"
        f"  credentials: {credentials_file}\n"
        f"  try: aws{flag} sts get-caller-identity\n"
    )


def env_command(endpoint_url: str, data_dir: Path, region: str, out: IO[str]) -> None:
    """`localiam env`; raises ClientSetupError."""
    key, secret = read_root_credentials(data_dir)
    for line in export_lines(ClientSettings(endpoint_url, key, secret, region)):
        out.write(line + "\n")


# -- editing one section of an INI file --------------------------------------------------------


def _parse(text: str, path: Path) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser()
    try:
        parser.read_string(text, source=str(path))
    except configparser.Error as exc:
        raise ClientSetupError(f"{path}: cannot be read as the AWS CLI reads it: {exc}") from None
    return parser


def _updated(path: Path, section: str, values: Mapping[str, str]) -> str:
    """The file's text with `values` set in `section` (created at the end when missing) and
    other credential sources removed from it; everything else unchanged."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    except OSError as exc:
        raise ClientSetupError(f"{path}: cannot read: {exc.strerror}") from None
    before = _parse(text, path)
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    start, end = _section_span(lines, section)
    if start is None:
        block = [f"[{section}]\n", *(f"{k} = {v}\n" for k, v in values.items())]
        new = lines + (["\n"] if lines and lines[-1].strip() else []) + block
    else:
        body = _set_options(lines[start + 1 : end], values)
        new = [*lines[: start + 1], *body, *lines[end:]]
    result = "".join(new)
    after = _parse(result, path)
    # The change is confined to the one section, and it says what was asked.
    for name in before.sections():
        if name != section and dict(before.items(name)) != dict(after.items(name)):
            raise ClientSetupError(f"{path}: editing [{section}] would change [{name}]")
    for key, value in values.items():
        if after.get(section, key) != value:
            raise ClientSetupError(f"{path}: could not set {key} in [{section}]")
    return result


def _section_span(lines: Sequence[str], section: str) -> tuple[int | None, int]:
    """The index of the `[section]` header line and of the line after its body (the first
    section of that name, as configparser would refuse a second)."""
    start: int | None = None
    for index, line in enumerate(lines):
        if line[:1].isspace():
            continue
        match = _SECTION.match(line.strip())
        if match is None:
            continue
        if start is not None:
            return start, index
        if match.group("header") == section:
            start = index
    return start, len(lines)


def _set_options(body: Sequence[str], values: Mapping[str, str]) -> list[str]:
    """A section body with each of `values` set once (in place of its first line), other
    credential sources dropped, and the rest (comments, other keys, nested blocks) kept."""
    out: list[str] = []
    pending = dict(values)
    skipping = False
    for line in body:
        indented = line[:1].isspace() and line.strip()
        if indented and skipping:
            continue  # the continuation lines of an option being replaced or dropped
        skipping = False
        match = None if indented else _OPTION.match(line)
        option = match.group("option").strip().lower() if match else None
        if option is not None and (option in values or option in _OTHER_CREDENTIAL_SOURCES):
            skipping = True
            if option in pending:
                out.append(f"{option} = {pending.pop(option)}\n")
            continue
        out.append(line)
    if pending:
        # After the section's last setting, before the blank lines that end it.
        cut = len(out)
        while cut > 0 and not out[cut - 1].strip():
            cut -= 1
        out[cut:cut] = [f"{k} = {v}\n" for k, v in pending.items()]
    return out


def _write(path: Path, text: str, new_mode: int) -> None:
    """Replace the file at once (a crash leaves the old file or the new one), keeping the mode
    of an existing file and giving a new one `new_mode`; a symlink's target is what changes."""
    target = path.resolve()
    try:
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        mode = target.stat().st_mode & 0o777 if target.exists() else new_mode
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as sink:
                sink.write(text)
            os.chmod(tmp, mode)
            os.replace(tmp, target)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError as exc:
        raise ClientSetupError(f"{path}: cannot write: {exc.strerror}") from None


__all__ = [
    "DEFAULT_ENDPOINT",
    "DEFAULT_PROFILE",
    "DEFAULT_REGION",
    "ClientSettings",
    "ClientSetupError",
    "configure_command",
    "env_command",
    "export_lines",
    "read_root_credentials",
    "shared_files",
    "write_profile",
]
