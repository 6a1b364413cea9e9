"""Settings of `localiam serve` (../shared/DESIGN.md, "Contracts")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from localiam.server._throttle import ThrottleConfig

_ACCOUNT = re.compile(r"^\d{12}$")


@dataclass(frozen=True, slots=True)
class ServerConfig:
    """Where to listen, where state lives, and the default account."""

    host: str = "127.0.0.1"
    port: int = 4599
    data_dir: Path = Path(".localiam")
    account_id: str = "123456789012"
    database_url: str | None = None
    root_access_key_id: str | None = None
    root_secret_access_key: str | None = None
    max_body_bytes: int = 1024 * 1024
    throttle: ThrottleConfig | None = None  # request rate limits; None: off (server/_throttle.py)
    imds_credential_seconds: int = 6 * 3600  # lifetime of instance-profile credentials

    def __post_init__(self) -> None:
        if not _ACCOUNT.match(self.account_id):
            raise ValueError(f"--account-id `{self.account_id}` must be 12 digits")
        if not 0 < self.port < 65536:
            raise ValueError(f"--port {self.port} is not a TCP port")
        if not 2 <= self.imds_credential_seconds <= 43200:
            raise ValueError("--imds-credential-seconds must be between 2 and 43200")

    @property
    def database(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'localiam.db').resolve()}"
