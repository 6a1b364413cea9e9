"""First start: the default account and its root access key, printed and written to
`<data-dir>/root-credentials.csv` (mode 0600), as ../shared/DESIGN.md promises."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from localiam.store import Database, IdGenerator, Secrets, select
from localiam.store.models import AccessKey, Account


@dataclass(frozen=True, slots=True)
class RootCredentials:
    account_id: str
    access_key_id: str
    secret_access_key: str


def ensure_account(
    db: Database,
    secrets: Secrets,
    ids: IdGenerator,
    clock: Callable[[], datetime],
    account_id: str,
    *,
    access_key_id: str | None = None,
    secret_access_key: str | None = None,
) -> tuple[RootCredentials, bool]:
    """The account's root key, created (with the given values, if any) when there is none.
    Returns the credentials and whether they were created now."""
    with db.transaction() as session:
        if session.get(Account, account_id) is None:
            session.add(Account(id=account_id, created_at=clock()))
            session.flush()
        key = session.scalars(
            select(AccessKey).where(AccessKey.account_id == account_id, AccessKey.user_id.is_(None))
        ).first()
        if key is not None:
            return RootCredentials(
                account_id, key.access_key_id, secrets.decrypt(key.secret_encrypted)
            ), False
        key_id = access_key_id or ids.new_access_key_id()
        secret = secret_access_key or ids.new_secret_access_key()
        session.add(
            AccessKey(
                access_key_id=key_id,
                account_id=account_id,
                user_id=None,
                secret_encrypted=secrets.encrypt(secret),
                created_at=clock(),
            )
        )
        return RootCredentials(account_id, key_id, secret), True


def write_credentials_file(data_dir: Path, creds: RootCredentials) -> Path:
    """`root-credentials.csv` in the layout of the CSV AWS's console offers for access keys."""
    path = data_dir / "root-credentials.csv"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write("Account ID,Access key ID,Secret access key\n")
        out.write(f"{creds.account_id},{creds.access_key_id},{creds.secret_access_key}\n")
    os.chmod(path, 0o600)
    return path
