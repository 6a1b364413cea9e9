"""What an IAM handler works with: the transaction, the account, the caller and the world."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from localiam.catalog import ManagedPolicies
from localiam.policy import Caller
from localiam.services._owners import KeyOwner as KeyOwner
from localiam.store import IdGenerator, Secrets, Session


@dataclass(frozen=True, slots=True)
class IamContext:
    """Everything a handler may touch. The session is the request's one transaction."""

    session: Session
    account_id: str
    caller: Caller
    caller_user_id: str | None
    now: datetime
    ids: IdGenerator
    secrets: Secrets
    managed: ManagedPolicies

    def arn(self, kind: str, path: str, name: str) -> str:
        return f"arn:aws:iam::{self.account_id}:{kind}{path}{name}"


Handler = Callable[[IamContext, dict[str, Any]], dict[str, Any]]
