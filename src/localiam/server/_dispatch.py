"""One request through the server: authenticate -> decode -> validate -> authorize -> handle ->
encode, with every outcome written to the audit log. Free of the HTTP framework: it takes an
`HttpRequestView` and answers an `HttpAnswer`."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

from localiam.auth import (
    CHUNKED_MODES,
    Authenticated,
    AuthError,
    ChunkSigning,
    HttpRequestView,
    SigningKey,
    authenticate,
    decode_chunked,
    expired_token,
)
from localiam.gateway import DataPlane, GatewayRequest
from localiam.protocol import (
    JSON_CONTENT_TYPE,
    ServiceError,
    decode_json,
    decode_query,
    encode_json_error,
    encode_json_result,
    encode_query_error,
    encode_query_result,
    form_parameters,
    input_violations,
    load_service_model,
    validate_input,
)
from localiam.regions import regions, requested_region
from localiam.server._audit import AuditWriter, KeyUse
from localiam.server._throttle import Throttle
from localiam.services._context import RequestFacts
from localiam.services._generation import GenerationCache
from localiam.services._owners import KeyOwner, SessionOwner
from localiam.services.iam import AuthorizationDenied, IamService
from localiam.services.organizations._service import OrganizationsService
from localiam.services.sts import StsService
from localiam.store import Database, IdGenerator, Secrets, Session, select
from localiam.store.models import AccessKey, AuditEvent, KeyStatus, OrgAccount, StsSession

log = logging.getLogger("localiam.server")

_XML = "text/xml"
#: Services spoken in the JSON 1.1 protocol; IAM and STS speak the query protocol.
_JSON_SERVICES = frozenset({"organizations"})
_GLOBAL_REGION = "us-east-1"
#: The Regions a credential scope may name: those of the `aws` partition, whose ARNs localiam
#: serves. IAM too accepts them all, since SDKs sign IAM for their configured Region when given
#: one endpoint for everything; its requests are made in us-east-1 all the same (regions.py).
_SCOPE_REGIONS = frozenset(regions("aws"))


@dataclass(frozen=True, slots=True)
class HttpAnswer:
    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...]


class Dispatcher:
    """Routes signed AWS query requests to the service their credential scope names."""

    def __init__(
        self,
        *,
        db: Database,
        iam: IamService,
        sts: StsService,
        organizations: OrganizationsService,
        secrets: Secrets,
        data_plane: DataPlane | None = None,
        ids: IdGenerator,
        clock: Callable[[], datetime],
        audit: AuditWriter,
        max_body_bytes: int = 1024 * 1024,
        throttle: Throttle | None = None,
    ) -> None:
        self.db = db
        self.iam = iam
        self.services: dict[str, IamService | StsService | OrganizationsService] = {
            "iam": iam,
            "sts": sts,
            "organizations": organizations,
        }
        self.data_plane = data_plane
        self.secrets = secrets
        self.ids = ids
        self.clock = clock
        self.audit = audit
        self.max_body_bytes = max_body_bytes
        self.throttle = throttle
        self.models = {name: load_service_model(name) for name in self.services}
        self._sts_operations = frozenset(self.models["sts"].operation_names)
        self.generation = iam.generation
        self._keys: GenerationCache[SigningKey | None] = GenerationCache(self.generation)

    # -- credentials -------------------------------------------------------------------------

    def lookup(self, access_key_id: str) -> SigningKey | None:
        """An active access key, or None (unknown, inactive and deleted keys stop at once:
        every committed write empties the cache)."""
        return self._keys.get(access_key_id, lambda: self._read_key(access_key_id))

    def _read_key(self, access_key_id: str) -> SigningKey | None:
        with self.db.read() as session:
            if access_key_id.startswith("ASIA"):
                temp = session.get(StsSession, access_key_id)
                if temp is None or _closed(session, temp.account_id):
                    return None
                return SigningKey(
                    access_key_id=temp.access_key_id,
                    secret_access_key=self.secrets.decrypt(temp.secret_encrypted),
                    session_token=self.secrets.decrypt(temp.token_encrypted),
                    owner=SessionOwner(temp.account_id, temp.access_key_id, temp.expires_at),
                )
            key = session.get(AccessKey, access_key_id)
            if (
                key is None
                or key.status is not KeyStatus.ACTIVE
                or _closed(session, key.account_id)
            ):
                return None
            return SigningKey(
                access_key_id=key.access_key_id,
                secret_access_key=self.secrets.decrypt(key.secret_encrypted),
                owner=KeyOwner(key.account_id, key.user_id),
            )

    # -- the request -------------------------------------------------------------------------

    def handle(self, view: HttpRequestView, source_ip: str, secure: bool) -> HttpAnswer:
        request_id = self.ids.new_request_id()
        now = self.clock()
        audit: dict[str, Any] = {
            "source_ip": source_ip,
            "user_agent": view.headers.get("user-agent"),
        }
        service = "iam"
        try:
            service = _scope_service(view)
            if self.data_plane is not None and (
                service in self.data_plane.services or (not service and _looks_like_s3(view))
            ):
                # Data-plane bodies (S3 objects) are not limited by the API's body limit.
                return self._gateway(
                    view, service or "s3", request_id, now, audit, source_ip, secure
                )
            if len(view.body) > self.max_body_bytes:
                raise ServiceError("RequestEntityTooLarge", "Request body is too large.", 413)
            if service in _JSON_SERVICES:
                form: dict[str, str] = {}
            else:
                form = _form(view)
                service = service or _unsigned_service(form, self._sts_operations)
            model = self.models.get(service)
            if model is None:
                raise ServiceError(
                    "InvalidAction", f"localiam does not serve `{service}` yet.", 400
                )
            if service in _JSON_SERVICES:
                operation, params = decode_json(model, view.headers.get("x-amz-target"), view.body)
            else:
                operation, params = decode_query(model, form)
            audit["action"] = f"{service}:{operation.name}"
            authenticated = authenticate(
                view,
                self.lookup,
                now,
                unsigned_ok=operation.auth_type == "none",
                regions=_SCOPE_REGIONS,
            )
            if authenticated is None:
                raise ServiceError(
                    "NotImplemented",
                    f"localiam does not implement {service}:{operation.name} yet "
                    "(federation arrives in a later change).",
                    501,
                    sender=False,
                )
            owner = authenticated.key.owner
            assert isinstance(owner, KeyOwner | SessionOwner)
            if isinstance(owner, SessionOwner) and now >= owner.expires_at:
                raise expired_token()
            _validate(service, operation, params)
            handler = self.services[service]
            audit["account_id"] = owner.account_id
            if self.throttle is not None:  # after authentication, before authorization
                self.throttle.check(owner.account_id, audit["action"], now.timestamp())
            facts = RequestFacts(
                now=now,
                source_ip=source_ip,
                secure_transport=secure,
                region=requested_region(service, authenticated.region or _GLOBAL_REGION),
                user_agent=view.headers.get("user-agent"),
            )
            if _reads_only(service, operation.name):
                with self.db.read() as session:
                    outcome = handler.call(session, operation.name, params, owner, facts)
                    if session.new or session.dirty or session.deleted:
                        raise RuntimeError(f"{operation.name} changed state in a read transaction")
                    body = _encode(service, operation, outcome.result, request_id)
            else:
                with self.db.transaction() as session:
                    outcome = handler.call(session, operation.name, params, owner, facts)
                    body = _encode(service, operation, outcome.result, request_id)
            audit.update(
                principal_arn=outcome.caller.text,
                resource=outcome.decision.resource,
                decision=outcome.decision.decision.value,
            )
            if isinstance(owner, KeyOwner):
                self.audit.record(
                    KeyUse(authenticated.key.access_key_id, now, service, facts.region)
                )
            self.audit.record(_event(request_id, now, audit))
            return HttpAnswer(200, body, _headers(request_id, service))
        except AuthorizationDenied as denied:
            audit.update(
                principal_arn=denied.caller.text,
                resource=denied.decision.resource,
                decision=denied.decision.decision.value,
                reason=denied.decision.message,
                error_code=denied.code,
            )
            answer = self._error(service, denied, request_id)
        except AuthError as exc:
            error = ServiceError(exc.code, exc.message, exc.status)
            audit.update(error_code=exc.code, reason=exc.message, decision="unauthenticated")
            answer = self._error(service, error, request_id)
        except ServiceError as exc:
            audit.update(error_code=exc.code, reason=exc.message)
            answer = self._error(service, exc, request_id)
        except Exception:  # never a traceback on the wire
            log.exception("internal failure in request %s", request_id)
            error = ServiceError(
                "InternalFailure",
                "The request processing has failed because of an unknown error.",
                500,
                sender=False,
            )
            audit.update(error_code=error.code, reason="internal failure")
            answer = self._error(service, error, request_id)
        self.audit.record(_event(request_id, now, audit))
        return answer

    def _gateway(
        self,
        view: HttpRequestView,
        service: str,
        request_id: str,
        now: datetime,
        audit: dict[str, Any],
        source_ip: str,
        secure: bool,
    ) -> HttpAnswer:
        """A data-plane request: authenticated here (anonymous S3 requests too), decided and
        forwarded by the gateway."""
        assert self.data_plane is not None
        audit["action"] = f"{service}:*"
        try:
            if _signature_v2(view):
                # AWS's answer in its SigV4-only Regions; localiam verifies SigV4 only.
                raise AuthError(
                    "InvalidRequest",
                    "The authorization mechanism you have provided is not supported. "
                    "Please use AWS4-HMAC-SHA256.",
                    400,
                )
            authenticated = authenticate(
                view, self.lookup, now, unsigned_ok=service == "s3", regions=_SCOPE_REGIONS
            )
            owner = None if authenticated is None else authenticated.key.owner
            assert owner is None or isinstance(owner, KeyOwner | SessionOwner)
            if isinstance(owner, SessionOwner) and now >= owner.expires_at:
                raise expired_token()
            view = _unchunked(view, authenticated)
        except AuthError as exc:
            audit.update(error_code=exc.code, reason=exc.message, decision="unauthenticated")
            self.audit.record(_event(request_id, now, audit))
            return self._gateway_error(service, exc.code, exc.message, exc.status, request_id)
        region = (authenticated.region if authenticated is not None else None) or _GLOBAL_REGION
        facts = RequestFacts(
            now=now,
            source_ip=source_ip,
            secure_transport=secure,
            region=region,
            user_agent=view.headers.get("user-agent"),
        )
        account = None if owner is None else owner.account_id
        request = GatewayRequest(view, service, region, account, request_id)
        try:
            with self.db.read() as session:
                principal = None if owner is None else self.iam.principals.resolve(session, owner)
                if principal is not None and self.throttle is not None:
                    self.throttle.check(principal.account_id, f"{service}:*", now.timestamp())
                answer = self.data_plane.handle(session, request, principal, facts)
        except ServiceError as exc:
            audit.update(error_code=exc.code, reason=exc.message)
            self.audit.record(_event(request_id, now, audit))
            return self._gateway_error(service, exc.code, exc.message, exc.status, request_id)
        except Exception:  # never a traceback on the wire
            log.exception("internal failure in request %s", request_id)
            audit.update(error_code="InternalError", reason="internal failure")
            self.audit.record(_event(request_id, now, audit))
            return self._gateway_error(
                service, "InternalError", "We encountered an internal error. Please try again.",
                500, request_id,
            )  # fmt: skip
        audit.update(
            action=answer.action,
            account_id=account,
            principal_arn=principal.caller.text if principal is not None else "anonymous",
            resource=answer.resource,
            decision=answer.decision,
            reason=answer.reason,
            error_code=answer.error_code,
            checks=list(answer.checks) or None,
        )
        if isinstance(owner, KeyOwner) and authenticated is not None:
            self.audit.record(KeyUse(authenticated.key.access_key_id, now, service, region))
        self.audit.record(_event(request_id, now, audit))
        return HttpAnswer(answer.status, answer.body, answer.headers)

    def _gateway_error(
        self, service: str, code: str, message: str, status: int, request_id: str
    ) -> HttpAnswer:
        assert self.data_plane is not None
        status, headers, body = self.data_plane.error_answer(
            service, code, message, status, request_id
        )
        return HttpAnswer(status, body, headers)

    def _error(self, service: str, error: ServiceError, request_id: str) -> HttpAnswer:
        if service in _JSON_SERVICES:
            status, body = encode_json_error(self.models[service], error)
        else:
            status, body = encode_query_error(self.models.get(service), error, request_id)
        return HttpAnswer(status, body, _headers(request_id, service))


def _closed(session: Session, account_id: str) -> bool:
    """Whether the account was closed through Organizations (CloseAccount suspends it): its
    credentials no longer work."""
    member = session.get(OrgAccount, account_id)
    return member is not None and member.status != "ACTIVE"


def _event(request_id: str, now: datetime, audit: dict[str, Any]) -> AuditEvent:
    return AuditEvent(
        time=now,
        request_id=request_id,
        action=audit.get("action", "unknown"),
        decision=audit.get("decision", "error" if audit.get("error_code") else "allowed"),
        account_id=audit.get("account_id"),
        principal_arn=audit.get("principal_arn"),
        resource=audit.get("resource"),
        reason=audit.get("reason"),
        error_code=audit.get("error_code"),
        source_ip=audit.get("source_ip"),
        user_agent=audit.get("user_agent"),
        checks=audit.get("checks"),
    )


_STS_READS = frozenset({"GetCallerIdentity", "GetAccessKeyInfo", "DecodeAuthorizationMessage"})


def _reads_only(service: str, operation: str) -> bool:
    """Operations that only read run in a read transaction (no write lock, no commit)."""
    if service == "sts":
        return operation in _STS_READS
    if service == "organizations":
        return operation.startswith(("Describe", "List"))
    return operation.startswith(("Get", "List", "Simulate"))


def _headers(request_id: str, service: str = "iam") -> tuple[tuple[str, str], ...]:
    kind = JSON_CONTENT_TYPE if service in _JSON_SERVICES else _XML
    return (("content-type", kind), ("x-amzn-requestid", request_id))


def _encode(service: str, operation: Any, result: dict[str, Any], request_id: str) -> bytes:
    if service in _JSON_SERVICES:
        return encode_json_result(operation, result)
    return encode_query_result(operation, result, request_id)


#: Organizations' `InvalidInputException` reasons for each kind of broken model constraint
#: (https://docs.aws.amazon.com/organizations/latest/APIReference/API_InvalidInputException.html).
_ORG_REASONS = {
    "required": ("INPUT_REQUIRED", "You must include a value for all required parameters."),
    "min_length": (
        "MIN_LENGTH_EXCEEDED",
        "You provided a string parameter that is shorter than allowed.",
    ),
    "max_length": (
        "MAX_LENGTH_EXCEEDED",
        "You provided a string parameter that is longer than allowed.",
    ),
    "pattern": ("INVALID_PATTERN", "You provided a value that doesn't match the required pattern."),
    "enum": ("INVALID_ENUM", "You specified an invalid value."),
    "min_value": (
        "MIN_VALUE_EXCEEDED",
        "You provided a numeric parameter that has a smaller value than allowed.",
    ),
    "max_value": (
        "MAX_VALUE_EXCEEDED",
        "You provided a numeric parameter that has a larger value than allowed.",
    ),
}


def _validate(service: str, operation: Any, params: dict[str, Any]) -> None:
    """The model's constraints; Organizations reports the first broken one as
    `InvalidInputException` with its reason, the query services every one as
    `ValidationError`."""
    if service != "organizations":
        validate_input(operation, params)
        return
    found = input_violations(operation, params)
    if found:
        reason, message = _ORG_REASONS.get(found[0].kind, _ORG_REASONS["pattern"])
        raise ServiceError("InvalidInputException", message, 400, fields={"Reason": reason})


def _form(view: HttpRequestView) -> dict[str, str]:
    return form_parameters(view.query_string, view.headers.get("content-type"), view.body)


def _unchunked(view: HttpRequestView, authenticated: Authenticated | None) -> HttpRequestView:
    """An aws-chunked S3 upload with its chunk (and trailer) signatures checked, as the plain
    request the backend expects: the payload alone, the trailers (a checksum) as headers."""
    mode = view.headers.get("x-amz-content-sha256") or ""
    if mode not in CHUNKED_MODES:
        return view
    signing = None
    if authenticated is not None and authenticated.signing_key:
        signing = ChunkSigning(
            authenticated.signature,
            authenticated.timestamp,
            authenticated.scope,
            authenticated.signing_key,
        )
    elif mode != "STREAMING-UNSIGNED-PAYLOAD-TRAILER":
        raise AuthError("AccessDenied", "Access Denied", 403)
    payload, trailers = decode_chunked(view.body, mode, signing)
    dropped = {
        "content-length",
        "x-amz-decoded-content-length",
        "x-amz-content-sha256",
        "x-amz-trailer",
    }
    headers: list[tuple[str, str]] = []
    for name, value in view.headers.items():
        if name in dropped:
            continue
        if name == "content-encoding":
            rest = [v.strip() for v in value.split(",") if v.strip() and v.strip() != "aws-chunked"]
            if not rest:
                continue
            value = ",".join(rest)
        headers.append((name, value))
    headers += [
        ("content-length", str(len(payload))),
        ("x-amz-content-sha256", "UNSIGNED-PAYLOAD"),
        *trailers,
    ]
    return HttpRequestView(view.method, view.path, view.query_string, headers, payload)


def _signature_v2(view: HttpRequestView) -> bool:
    """A request signed with AWS's older Signature Version 2 (header or presigned URL)."""
    if (view.headers.get("authorization") or "").startswith("AWS "):
        return True
    keys = {k for k, _ in parse_qsl(view.query_string, keep_blank_values=True)}
    return "AWSAccessKeyId" in keys and "Signature" in keys


def _looks_like_s3(view: HttpRequestView) -> bool:
    """An unsigned request that is not a query-protocol call: S3's anonymous access."""
    if view.method.upper() not in ("GET", "POST") or view.path.split("?", 1)[0] not in ("", "/"):
        return True
    return "Action=" not in view.query_string and not view.body.startswith(b"Action=")


def _scope_service(view: HttpRequestView) -> str:
    """The service named by the SigV4 credential scope (header or presigned query), or the one
    whose JSON target prefix the request names; "" when neither says."""
    auth = view.headers.get("authorization") or ""
    scope = ""
    if "Credential=" in auth:
        scope = auth.split("Credential=", 1)[1].split(",", 1)[0]
    else:
        for key, value in parse_qsl(view.query_string, keep_blank_values=True):
            if key == "X-Amz-Credential":
                scope = value
    parts = scope.split("/")
    if len(parts) == 5:
        return parts[3]
    target = view.headers.get("x-amz-target") or ""
    if target.startswith("AWSOrganizationsV"):
        return "organizations"
    return ""


def _unsigned_service(form: dict[str, str], sts_operations: frozenset[str]) -> str:
    """An unsigned query request belongs to the service whose model has its Action (STS's
    AssumeRoleWithSAML and AssumeRoleWithWebIdentity may come unsigned; others are then
    refused as unsigned)."""
    return "sts" if form.get("Action", "") in sts_operations else "iam"


__all__ = ["Dispatcher", "HttpAnswer", "select"]
