"""The data plane: every request to S3 (and the other data-plane services) is mapped to the
authorization questions AWS asks, decided by the same engine as IAM's own calls — identity
policies, the resource's policy, boundaries, session policies, SCPs and RCPs — and only when
allowed handed to the backend (moto) in the account that owns the resource."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Protocol

from localiam.authz import AuthorizationPolicies, Decision, PolicySet, Request, evaluate
from localiam.catalog import Catalog
from localiam.gateway import _moto_state
from localiam.gateway._backend import MotoBackend
from localiam.gateway._dynamodb import DynamoDB
from localiam.gateway._ec2 import EC2, ProfileLookup, plain_encoding
from localiam.gateway._kms import KMS
from localiam.gateway._model import Check, GatewayAnswer, GatewayRequest, Mapped, Unmappable
from localiam.gateway._moto_dynamodb import MotoTables
from localiam.gateway._moto_kms import MotoKeys
from localiam.gateway._s3 import S3
from localiam.gateway._sns import SNS
from localiam.gateway._sqs import SQS
from localiam.policy import MalformedPolicyDocument, PolicyDocument, PolicyKind, parse_caller
from localiam.protocol import ServiceError
from localiam.services._context import RequestFacts, global_context
from localiam.services._principals import Principal, PrincipalResolver
from localiam.store import Session

log = logging.getLogger("localiam.gateway")

_DROPPED_HEADERS = frozenset(
    {"content-length", "server", "date", "connection", "transfer-encoding"}
)


class Adapter(Protocol):
    """One data-plane service: how its requests map to authorization questions, where its
    resource-based policies are, how it words errors."""

    service: str

    def map(self, request: GatewayRequest) -> Mapped:
        """The operation, its checks and the request to forward; raises Unmappable."""

    def resource_policy(self, policy_resource: str) -> str | None:
        """The text of the resource-based policy of `policy_resource`, None when it has none."""

    def validate(self, mapped: Mapped) -> tuple[str, str] | None:
        """An (error code, message) refusing input before it reaches the backend (a malformed
        resource policy), or None."""

    def denied(self, decision: Decision, same_account: bool) -> tuple[str, str, int]:
        """The error code, message and HTTP status of a denial; `same_account` is true when the
        caller is of the resource's account or of its organization."""

    def error(
        self, code: str, message: str, status: int, request_id: str
    ) -> tuple[tuple[tuple[str, str], ...], bytes]:
        """The headers and body of an error in the service's own format."""

    def status(self, code: str, status: int) -> int:
        """The HTTP status the service answers error `code` with (localiam's `status` for most;
        DynamoDB and KMS answer authentication failures with 400)."""


class DataPlane:
    """The gateway over one store of identities and one moto backend."""

    def __init__(
        self,
        *,
        principals: PrincipalResolver,
        catalog: Catalog,
        backend: MotoBackend | None = None,
        profiles: ProfileLookup | None = None,
        encode: Callable[[str], str] | None = None,
    ) -> None:
        """`profiles` reads IAM instance profiles (EC2 attaches them), `encode` makes EC2's
        encoded authorization failure messages (what STS DecodeAuthorizationMessage reads)."""
        self.principals = principals
        self.backend = backend or MotoBackend()
        self._rcp_services = catalog.rcp_services
        adapters: list[Adapter] = [
            S3(_moto_state.s3_owner, _moto_state.s3_object_tags),
            SQS(),
            SNS(catalog),
            EC2(profiles=profiles, encode=encode or plain_encoding),
            DynamoDB(MotoTables()),
            KMS(MotoKeys()),
        ]
        self.adapters: dict[str, Adapter] = {a.service: a for a in adapters}

    @property
    def services(self) -> frozenset[str]:
        return frozenset(self.adapters)

    def reset(self) -> None:
        self.backend.reset()

    def error_answer(
        self, service: str, code: str, message: str, status: int, request_id: str
    ) -> tuple[int, tuple[tuple[str, str], ...], bytes]:
        """An error (authentication, throttling, bad input) in `service`'s own format."""
        adapter = self.adapters[service]
        headers, body = adapter.error(code, message, status, request_id)
        return adapter.status(code, status), headers, body

    def handle(
        self,
        session: Session,
        request: GatewayRequest,
        principal: Principal | None,
        facts: RequestFacts,
    ) -> GatewayAnswer:
        adapter = self.adapters[request.service]
        try:
            mapped = adapter.map(request)
        except Unmappable as exc:
            return self._error(request, "NotImplemented", exc.message, 501, f"{request.service}:*")
        except ServiceError as exc:  # input the service's protocol refuses
            return self._error(request, exc.code, exc.message, exc.status, f"{request.service}:*")
        action = f"{request.service}:{mapped.operation}"
        first: Decision | None = None
        for check in mapped.checks:
            decision = self._decide(session, adapter, check, principal, facts)
            first = first or decision
            if not decision.allowed:
                return replace(
                    self._denied(session, request, decision, principal, check),
                    checks=_described(mapped),
                )
        invalid = adapter.validate(mapped)
        if invalid is not None:
            return self._error(request, invalid[0], invalid[1], 400, action)
        if mapped.prepare is not None:
            mapped.prepare()
        status, headers, body = self.backend.call(mapped.forward, mapped.backend_account)
        if status >= 500 and status != 501:
            # The backend failed on input localiam let through: say so in the service's own
            # format rather than pass on its page.
            log.warning("backend failure %s on %s: %r", status, action, body[:500])
            return self._error(
                request,
                "InternalFailure",
                f"localiam's backend (moto) could not serve {action}; the request may use a "
                "feature it does not implement.",
                500,
                action,
            )
        kept = tuple((k, v) for k, v in headers if k.lower() not in _DROPPED_HEADERS)
        if request.view.method.upper() == "HEAD":
            length = next((v for k, v in headers if k.lower() == "content-length"), None)
            if length is not None:
                kept += (("content-length", length),)
            body = b""
        return GatewayAnswer(
            status,
            kept,
            body,
            action,
            first.resource if first is not None else None,
            first.decision.value if first is not None else "allowed",
            checks=_described(mapped),
        )

    def _decide(
        self,
        session: Session,
        adapter: Adapter,
        check: Check,
        principal: Principal | None,
        facts: RequestFacts,
    ) -> Decision:
        caller = principal.caller if principal is not None else parse_caller("anonymous")
        context = global_context(facts) if principal is None else principal.context_for(facts)
        context.update(check.context)
        if check.resource_account is not None and check.action.startswith("s3:"):
            context["s3:ResourceAccount"] = check.resource_account
        policies = principal.policies if principal is not None else AuthorizationPolicies.build()
        resource_policy = self._resource_policy(adapter, check)
        if resource_policy is not None:
            policies = replace(policies, resource=PolicySet([resource_policy]))
        policies, context = self.principals.orgs.prepare(
            session, policies, caller.account, check.resource_account, context
        )
        request = Request.build(
            caller.text,
            check.action,
            check.resource,
            resource_account=check.resource_account,
            context=context,
        )
        return evaluate(request, policies, rcp_services=self._rcp_services)

    def _resource_policy(self, adapter: Adapter, check: Check) -> tuple[str, PolicyDocument] | None:
        if check.policy_resource is None:
            return None
        text = adapter.resource_policy(check.policy_resource)
        if text is None:
            return None
        try:
            return check.policy_resource, self.principals.texts.parse(text, PolicyKind.RESOURCE)
        except MalformedPolicyDocument:
            return None  # validated when stored; one that no longer parses allows nothing

    def _denied(
        self,
        session: Session,
        request: GatewayRequest,
        decision: Decision,
        principal: Principal | None,
        check: Check,
    ) -> GatewayAnswer:
        adapter = self.adapters[request.service]
        code, message, status = adapter.denied(decision, self._related(session, principal, check))
        answer = self._error(request, code, message, status, check.action)
        return replace(
            answer,
            resource=decision.resource,
            decision=decision.decision.value,
            reason=decision.message,
        )

    def _related(self, session: Session, principal: Principal | None, check: Check) -> bool:
        """Whether the caller is of the resource's account or of its organization: S3 gives
        such callers the detailed denial message
        (https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshoot-403-errors.html)."""
        if principal is None or check.resource_account is None:
            return False
        if principal.account_id == check.resource_account:
            return True
        mine = self.principals.orgs.facts(session, principal.account_id).placement
        theirs = self.principals.orgs.facts(session, check.resource_account).placement
        return mine is not None and theirs is not None and mine.org_id == theirs.org_id

    def _error(
        self, request: GatewayRequest, code: str, message: str, status: int, action: str
    ) -> GatewayAnswer:
        status, headers, body = self.error_answer(
            request.service, code, message, status, request.request_id
        )
        if request.view.method.upper() == "HEAD":
            body = b""
        return GatewayAnswer(
            status, headers, body, action, decision="error", reason=message, error_code=code
        )


def _described(mapped: Mapped) -> tuple[dict[str, object], ...]:
    """The checks of a request as the audit log keeps them."""
    return tuple(
        {
            "action": c.action,
            "resource": c.resource,
            "resourceAccount": c.resource_account,
            "context": {k: v for k, v in c.context.items()},
        }
        for c in mapped.checks
    )
