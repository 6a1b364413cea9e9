"""The `localiam authorize` case format (../shared/DESIGN.md, "Contracts") -> parsed inputs.

A `CaseReader` keeps every document it has parsed, keyed by its canonical JSON, so a batch whose
cases share policy documents parses each only once; a base case (`--base`) is built once and its
policy sets (with their action indexes) are shared by every line that does not replace them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from localiam.authz import AuthorizationPolicies, PolicySet, Request
from localiam.policy import (
    MalformedPolicyDocument,
    PolicyDocument,
    PolicyKind,
    parse_caller,
    parse_policy,
)

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
