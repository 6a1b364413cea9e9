"""The `localiam authorize` case format (../shared/DESIGN.md, "Contracts") -> parsed inputs.

A `CaseReader` keeps every document it has parsed, keyed by its canonical JSON, so a batch whose
cases share policy documents parses each only once; a base case (`--base`) is built once and its
policy sets (with their action indexes) are shared by every line that does not replace them.

With a store (`localiam authorize --data-dir`), `StoredPolicies` completes cases from it: the
policies of the user or role a case names, and its organization's SCPs and RCPs.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from localiam.authz import AuthorizationPolicies, PolicySet, Request
from localiam.policy import (
    Caller,
    CallerKind,
    MalformedPolicyDocument,
    PolicyDocument,
    PolicyKind,
    normalize_context,
    parse_caller,
    parse_policy,
)

if TYPE_CHECKING:
    from localiam.services.iam._policies_of import PolicyTexts
    from localiam.store import Database, Session

CASE_FIELDS = (
    "id",
    "request",
    "identityPolicies",
    "permissionsBoundary",
    "sessionPolicy",
    "resourcePolicy",
    "scps",
    "rcps",
    "managementAccount",
)
POLICY_FIELDS = CASE_FIELDS[2:]
REQUEST_FIELDS = ("principal", "action", "resource", "resourceAccount", "context")


class CaseError(ValueError):
    """A case that cannot be evaluated; the message names the place (`request.action`)."""


@dataclass(frozen=True, slots=True)
class Case:
    """A parsed case: its id, the request and the policies."""

    case_id: Any
    request: Request
    policies: AuthorizationPolicies


Named = tuple[str, PolicyDocument]


class CaseReader:
    """Turns case objects into `Case`s, parsing each distinct policy document once."""

    def __init__(self, base: Mapping[str, Any] | None = None) -> None:
        self._documents: dict[tuple[PolicyKind, str], PolicyDocument] = {}
        self._base: dict[str, Any] = {}
        self._base_policies: AuthorizationPolicies | None = None
        if base is not None:
            if not isinstance(base, Mapping):
                raise CaseError("base: a base case must be a JSON object")
            self._check_fields(base)
            self._base = dict(base)
            self._base_policies = self._policies(self._base)

    def given(self, raw: Mapping[str, Any]) -> frozenset[str]:
        """The fields a case line gives, with those of the base case."""
        return frozenset({**self._base, **raw})

    def read(self, raw: object) -> Case:
        if not isinstance(raw, Mapping):
            raise CaseError("a case must be a JSON object")
        self._check_fields(raw)
        merged = {**self._base, **raw}
        if "request" not in merged:
            raise CaseError("request: missing; a case needs a request")
        request = self._request(merged["request"])
        if self._base_policies is not None and not any(f in raw for f in POLICY_FIELDS):
            policies = self._base_policies
        else:
            policies = self._policies(merged)
        return Case(merged.get("id"), request, policies)

    @staticmethod
    def _check_fields(raw: Mapping[str, Any]) -> None:
        for name in raw:
            if name not in CASE_FIELDS:
                raise CaseError(f"{name}: unknown field; a case has {', '.join(CASE_FIELDS)}")

    @staticmethod
    def _request(raw: object) -> Request:
        if not isinstance(raw, Mapping):
            raise CaseError("request: must be a JSON object")
        for name in raw:
            if name not in REQUEST_FIELDS:
                raise CaseError(f"request.{name}: unknown field")
        for name in ("principal", "action"):
            if not isinstance(raw.get(name), str) or not raw.get(name):
                raise CaseError(f"request.{name}: required, a non-empty string")
        resource = raw.get("resource", "*")
        if not isinstance(resource, str) or not resource:
            raise CaseError("request.resource: must be a non-empty string")
        account = raw.get("resourceAccount")
        if account is not None and not (
            isinstance(account, str) and len(account) == 12 and account.isdigit()
        ):
            raise CaseError("request.resourceAccount: must be a 12-digit account id")
        context = raw.get("context", {})
        if context is None:
            context = {}
        if not isinstance(context, Mapping):
            raise CaseError("request.context: must be a JSON object of keys and values")
        for key, value in context.items():
            values = value if isinstance(value, list) else [value]
            if not all(isinstance(v, str | int | float | bool) for v in values):
                raise CaseError(
                    f"request.context.{key}: values must be strings, numbers, booleans or a list"
                )
        try:
            parse_caller(raw["principal"])
        except ValueError as exc:
            raise CaseError(f"request.principal: {exc}") from None
        try:
            return Request.build(
                raw["principal"],
                raw["action"],
                resource,
                resource_account=account,
                context=context,
            )
        except ValueError as exc:
            raise CaseError(f"request.action: {exc}") from None

    def document(self, raw: object, kind: PolicyKind, place: str) -> PolicyDocument:
        """Parse a policy document (an object or a JSON string), once per distinct text."""
        if isinstance(raw, str):
            try:
                raw = json.loads(raw)
            except ValueError:
                raise CaseError(f"{place}: Syntax errors in policy. (not valid JSON)") from None
        try:
            key = json.dumps(raw, sort_keys=True, separators=(",", ":"))
        except (TypeError, ValueError):
            raise CaseError(f"{place}: Syntax errors in policy.") from None
        cached = self._documents.get((kind, key))
        if cached is not None:
            return cached
        try:
            doc = parse_policy(raw, kind)  # type: ignore[arg-type]
        except MalformedPolicyDocument as exc:
            raise CaseError(f"MalformedPolicyDocument: {exc.prefixed(place)}") from None
        self._documents[(kind, key)] = doc
        return doc

    def _named(self, raw: object, kind: PolicyKind, place: str) -> Named:
        if isinstance(raw, Mapping) and "document" in raw:
            extra = set(raw) - {"id", "document"}
            if extra:
                raise CaseError(f"{place}.{sorted(extra)[0]}: unknown field; use id and document")
            pid = raw.get("id", place)
            if not isinstance(pid, str) or not pid:
                raise CaseError(f"{place}.id: must be a non-empty string")
            return pid, self.document(raw["document"], kind, place)
        return place, self.document(raw, kind, place)

    def _list(self, raw: object, kind: PolicyKind, place: str) -> list[Named]:
        if not isinstance(raw, list):
            raise CaseError(f"{place}: must be a list of policies")
        return [self._named(p, kind, f"{place}[{i}]") for i, p in enumerate(raw)]

    def _levels(self, raw: object, kind: PolicyKind, place: str) -> tuple[PolicySet, ...] | None:
        if raw is None:
            return None
        if not isinstance(raw, list) or not all(isinstance(level, list) for level in raw):
            raise CaseError(
                f"{place}: must be a list of levels (root, OUs, account), each a list of policies"
            )
        return tuple(
            PolicySet(self._list(level, kind, f"{place}[{i}]")) for i, level in enumerate(raw)
        )

    def _single(self, raw: object, kind: PolicyKind, place: str) -> PolicySet | None:
        return None if raw is None else PolicySet([self._named(raw, kind, place)])

    def _policies(self, case: Mapping[str, Any]) -> AuthorizationPolicies:
        management = case.get("managementAccount")
        if management is not None and not (
            isinstance(management, str) and len(management) == 12 and management.isdigit()
        ):
            raise CaseError("managementAccount: must be a 12-digit account id")
        return AuthorizationPolicies(
            PolicySet(
                self._list(
                    case.get("identityPolicies", []), PolicyKind.IDENTITY, "identityPolicies"
                )
            ),
            self._single(
                case.get("permissionsBoundary"), PolicyKind.BOUNDARY, "permissionsBoundary"
            ),
            self._single(case.get("sessionPolicy"), PolicyKind.SESSION, "sessionPolicy"),
            self._single(case.get("resourcePolicy"), PolicyKind.RESOURCE, "resourcePolicy"),
            self._levels(case.get("scps"), PolicyKind.SCP, "scps"),
            self._levels(case.get("rcps"), PolicyKind.RCP, "rcps"),
            management,
        )


# --- cases completed from a store ---------------------------------------------------------------

_ORG_FIELDS = frozenset({"scps", "rcps", "managementAccount"})


class StoredPolicies:
    """Completes cases from a localiam store (`localiam authorize --data-dir`).

    - A case whose principal is an IAM user, a role or a role session (`assumed-role`) and that
      gives no `identityPolicies` gets the principal's policies as the store holds them: its
      inline and attached policies (a user's groups' too), and its permissions boundary unless
      the case gives `permissionsBoundary`. A principal the store does not know is a case error.
    - A case that gives none of `scps`, `rcps`, `managementAccount` gets the SCPs of every level
      above the principal's account, the RCPs above the resource's account, and the management
      account, when those accounts are in an organization of the store.
    - The context gets what AWS adds to every request of such a principal, unless the case
      gives it: `aws:PrincipalTag/<key>` for the principal's tags, `aws:PrincipalOrgID`,
      `aws:PrincipalOrgPaths`, `aws:ResourceOrgID`, `aws:ResourceOrgPaths`.
    """

    def __init__(self, db: Database, texts: PolicyTexts) -> None:
        self._db = db
        self._texts = texts

    def complete(self, case: Case, given: Collection[str]) -> Case:
        request, policies = case.request, case.policies
        caller = request.caller
        extra: dict[str, object] = {}
        with self._db.read() as session:
            if "identityPolicies" not in given and caller.kind in (
                CallerKind.USER,
                CallerKind.ROLE_SESSION,
            ):
                stored, tags = self._principal(session, caller)
                boundary = policies.boundary if "permissionsBoundary" in given else stored.boundary
                policies = replace(policies, identity=stored.identity, boundary=boundary)
                extra.update({f"aws:PrincipalTag/{k}": v for k, v in tags.items()})
            if not _ORG_FIELDS & set(given) and caller.account is not None:
                policies = self._organization(session, request, policies, extra)
        if extra:
            context = {**normalize_context(extra), **request.context}
            request = replace(request, context=context)
        return Case(case.case_id, request, policies)

    def _principal(
        self, session: Session, caller: Caller
    ) -> tuple[AuthorizationPolicies, dict[str, str]]:
        from localiam.services.iam._tags import tag_map
        from localiam.store import find_by_name
        from localiam.store.models import Role, User

        assert caller.account is not None
        if caller.kind is CallerKind.USER:
            user = find_by_name(session, User, caller.account, caller.name)
            if user is not None and user.arn == caller.text:
                return self._texts.for_user(session, user), tag_map(session, user.arn)
        else:
            role = find_by_name(session, Role, caller.account, caller.name)
            # A session ARN does not show the role's path.
            if role is not None and (caller.session is not None or role.arn == caller.role_arn):
                return self._texts.for_role(session, role), tag_map(session, role.arn)
        raise CaseError(f"request.principal: `{caller.text}` is not a user or role in the store")

    def _organization(
        self,
        session: Session,
        request: Request,
        policies: AuthorizationPolicies,
        extra: dict[str, object],
    ) -> AuthorizationPolicies:
        from localiam.services.organizations._tree import level_texts, placement

        assert request.caller.account is not None
        principal = placement(session, request.caller.account)
        account = request.resource_account or request.caller.account
        resource = principal if account == request.caller.account else placement(session, account)
        if principal is not None:
            extra["aws:PrincipalOrgID"] = principal.org_id
            extra["aws:PrincipalOrgPaths"] = [principal.org_path]
        if resource is not None:
            extra["aws:ResourceOrgID"] = resource.org_id
            extra["aws:ResourceOrgPaths"] = [resource.org_path]
        scps = None
        if principal is not None and not principal.is_management:
            scps = self._levels(
                level_texts(session, principal, "SERVICE_CONTROL_POLICY"), PolicyKind.SCP
            )
        rcps = None
        if resource is not None and not resource.is_management:
            rcps = self._levels(
                level_texts(session, resource, "RESOURCE_CONTROL_POLICY"), PolicyKind.RCP
            )
        where = principal or resource
        management = where.management_account if where is not None else None
        return replace(policies, scps=scps, rcps=rcps, management_account=management)

    def _levels(
        self, levels: list[list[tuple[str, str]]] | None, kind: PolicyKind
    ) -> tuple[PolicySet, ...] | None:
        if levels is None:
            return None
        out = []
        for i, level in enumerate(levels):
            named = []
            for j, (policy_id, text) in enumerate(level):
                try:
                    named.append((policy_id, self._texts.parse(text, kind)))
                except MalformedPolicyDocument as exc:
                    place = f"{'scps' if kind is PolicyKind.SCP else 'rcps'}[{i}][{j}]"
                    raise CaseError(f"{place}: stored policy `{policy_id}`: {exc}") from None
            out.append(PolicySet(named))
        return tuple(out)
