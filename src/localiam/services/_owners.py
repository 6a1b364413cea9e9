"""Who a credential belongs to, as the credential lookup finds it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class KeyOwner:
    """Who a long-term access key belongs to: a user of an account, or (user_id None) its root."""

    account_id: str
    user_id: str | None


@dataclass(frozen=True, slots=True)
class SessionOwner:
    """Temporary credentials: the STS session they were issued for."""

    account_id: str
    access_key_id: str
    expires_at: datetime


Owner = KeyOwner | SessionOwner
