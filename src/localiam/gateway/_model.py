"""The gateway's vocabulary: a data-plane request as the gateway sees it, the authorization
questions it raises, and what is forwarded to the backend."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from localiam.auth import HttpRequestView


@dataclass(frozen=True, slots=True)
class Check:
    """One authorization question: `action` on `resource`, with the request's service keys.

    `resource_account` owns the resource (None: the account in the ARN, else the caller's);
    `policy_resource` names the resource whose resource-based policy applies (the bucket of an
    object, the queue, the table), None for none.
    """

    action: str
    resource: str
    context: Mapping[str, object] = field(default_factory=dict)
    resource_account: str | None = None
    policy_resource: str | None = None


@dataclass(frozen=True, slots=True)
class Forward:
    """The request as the backend gets it (S3's virtual-hosted requests become path-style)."""

    method: str
    path: str
    query_string: str
    headers: tuple[tuple[str, str], ...]
    body: bytes


@dataclass(frozen=True, slots=True)
class Mapped:
    """A request understood: its operation, the questions it raises, the account whose backend
    serves it, and the request to forward."""

    service: str
    operation: str
    checks: tuple[Check, ...]
    backend_account: str
    forward: Forward
    #: Run once every check is allowed, before the backend is called (EC2 mirrors an instance
    #: profile into moto).
    prepare: Callable[[], None] | None = None


@dataclass(frozen=True, slots=True)
class GatewayRequest:
    """A data-plane request: the HTTP request, the service its signature (or shape) names, the
    Region and the caller's account (None for an anonymous request)."""

    view: HttpRequestView
    service: str
    region: str
    caller_account: str | None
    request_id: str


class Unmappable(Exception):
    """A request localiam cannot turn into an authorization question: refused, never waved
    through."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class GatewayAnswer:
    """The HTTP answer, and for the audit log the action, resource and decision behind it."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    action: str
    resource: str | None = None
    decision: str = "allowed"
    reason: str | None = None
    error_code: str | None = None
    checks: tuple[dict[str, object], ...] = ()
