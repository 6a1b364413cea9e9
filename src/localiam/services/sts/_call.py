"""One STS request as its handler sees it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from localiam.authz import Decision
from localiam.services._context import RequestFacts
from localiam.services._owners import Owner
from localiam.services._principals import Principal
from localiam.store import Session


@dataclass(frozen=True, slots=True)
class StsCall:
    """The store session, the caller, the decoded parameters, the request facts and the
    caller's context keys; `decisions` collects each authorization the handler made."""

    session: Session
    principal: Principal
    params: dict[str, Any]
    facts: RequestFacts
    context: dict[str, object]
    owner: Owner
    decisions: list[Decision] = field(default_factory=list)
