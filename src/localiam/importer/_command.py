"""`localiam import`: read the files, check them, write them in one transaction, give new
accounts their root access key, and say what was loaded."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from localiam.catalog import ManagedPolicies
from localiam.importer._authorization_details import (
    AccountImport,
    kinds,
    read_authorization_details,
    total_entities,
)
from localiam.importer._load import load
from localiam.importer._organization import OrganizationImport, read_organization
from localiam.importer._progress import progress
from localiam.importer._source import InvalidImport, load_json
from localiam.store import Database, IdGenerator, IntegrityError, Secrets


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """The command's arguments: the file, where to load it, and how."""

    file: Path
    data_dir: Path = Path(".localiam")
    account_id: str | None = None
    organization: Path | None = None
    database_url: str | None = None
    replace: bool = False
    quiet: bool = False


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _read(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidImport("", f"cannot read: {exc.strerror}", str(path)) from None
    except UnicodeDecodeError:
        raise InvalidImport("", "not UTF-8 text", str(path)) from None
    try:
        return load_json(text)
    except InvalidImport as exc:
        raise exc.in_file(str(path)) from None


def run_import(
    options: ImportOptions,
    out: IO[str],
    err: IO[str],
    *,
    clock: Callable[[], datetime] = _utc_now,
    ids: IdGenerator | None = None,
    managed: ManagedPolicies | None = None,
) -> None:
    """Import `options.file` (and the organization file); raises `InvalidImport` naming the
    file and place of the first problem, having written nothing."""
    ids = ids or IdGenerator()
    raw = _read(options.file)
    org_raw = None if options.organization is None else _read(options.organization)
    with progress(total_entities(raw), err, enabled=not options.quiet) as bar:
        try:
            account = read_authorization_details(
                raw,
                account_id=options.account_id,
                managed=managed or ManagedPolicies(),
                ids=ids,
                clock=clock,
                tick=bar.advance,
            )
        except InvalidImport as exc:
            raise exc.in_file(str(options.file)) from None
        organization = None
        if org_raw is not None:
            assert options.organization is not None
            try:
                organization = read_organization(org_raw, clock=clock)
            except InvalidImport as exc:
                raise exc.in_file(str(options.organization)) from None
        bar.step("writing")
        db, secrets = _open(options)
        try:
            try:
                load(
                    db,
                    account,
                    organization,
                    replace=options.replace,
                    clock=clock,
                    account_file=str(options.file),
                    organization_file=str(options.organization or ""),
                )
            except IntegrityError as exc:
                raise InvalidImport("", f"the store refused the import: {exc.orig}") from None
            bar.step("root keys")
            keys = _root_keys(db, secrets, ids, clock, account, organization, options.data_dir)
        finally:
            db.close()
    _summary(account, organization, keys, out)


def _open(options: ImportOptions) -> tuple[Database, Secrets]:
    from localiam.server._config import ServerConfig

    options.data_dir.mkdir(parents=True, exist_ok=True)
    secrets = Secrets.load_or_create(options.data_dir / "secret.key")
    url = ServerConfig(data_dir=options.data_dir, database_url=options.database_url).database
    return Database(url), secrets


def _root_keys(
    db: Database,
    secrets: Secrets,
    ids: IdGenerator,
    clock: Callable[[], datetime],
    account: AccountImport,
    organization: OrganizationImport | None,
    data_dir: Path,
) -> list[str]:
    """Every account of the import gets its root access key, as `localiam serve` gives its
    account one; the first account's key goes to `root-credentials.csv` when there is none."""
    from localiam.server._bootstrap import ensure_account, write_credentials_file

    accounts = [account.account_id]
    if organization is not None:
        accounts.extend(a for a in organization.accounts if a != account.account_id)
    lines: list[str] = []
    for account_id in accounts:
        creds, created = ensure_account(db, secrets, ids, clock, account_id)
        if not created:
            lines.append(f"account {account_id}: root access key id {creds.access_key_id}")
            continue
        where = ""
        if account_id == account.account_id and not (data_dir / "root-credentials.csv").exists():
            where = f" (also in {write_credentials_file(data_dir, creds)})"
        lines.append(
            f"account {account_id}: new root access key id {creds.access_key_id}, "
            f"secret access key {creds.secret_access_key}{where}"
        )
    return lines


def _summary(
    account: AccountImport,
    organization: OrganizationImport | None,
    keys: list[str],
    out: IO[str],
) -> None:
    count = kinds(account.entities)
    out.write(
        f"imported into account {account.account_id}: {count.get('user', 0)} users, "
        f"{count.get('group', 0)} groups, {count.get('role', 0)} roles, "
        f"{count.get('policy', 0)} customer managed policies, "
        f"{count.get('instance-profile', 0)} instance profiles\n"
    )
    if organization is not None:
        out.write(
            f"imported organization {organization.org_id}: {organization.units} roots and OUs, "
            f"{len(organization.accounts)} accounts, {organization.policies} policies, "
            f"{organization.attachments} policy attachments\n"
        )
    for line in keys:
        out.write(line + "\n")
