"""Running a simulation: every action on every resource decided by `localiam.authz.evaluate`, and
the answers shaped as AWS's `EvaluationResult`s.

https://docs.aws.amazon.com/IAM/latest/APIReference/API_EvaluationResult.html and
API_ResourceSpecificResult.html. AWS returns one result per action: its top-level fields
aggregate the requested resources (the most restrictive decision; the statements behind that
decision, from identity-based and resource-based policies only; the missing context keys) and
`ResourceSpecificResults` holds each resource's own answer when resources were named.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from localiam.authz import (
    AuthorizationPolicies,
    DecisionKind,
    PolicyType,
    Request,
    Trace,
    evaluate,
    resource_account_of,
)
from localiam.policy import Caller, ContextValue, PolicyDocument
from localiam.services.iam._sim_arns import ArnTemplates
from localiam.services.iam._sim_sources import SimPolicy

# Most restrictive first.
_SEVERITY = {"explicitDeny": 0, "implicitDeny": 1, "allowed": 2}

# How each policy type is named in `EvalDecisionDetails` (AWS's names for its source types).
_DETAIL_NAMES = {
    PolicyType.IDENTITY: "IAM Policy",
    PolicyType.RESOURCE: "Resource Policy",
    PolicyType.BOUNDARY: "Permissions Boundary Policy",
}
_REPORTED_TYPES = (PolicyType.IDENTITY, PolicyType.RESOURCE)


class Simulation:
    """Everything a simulation evaluates, fixed for all its actions and resources.

    `missing` is the `MissingContextValues` of every result; `resource_owner` the account of
    resources whose ARN names none (by default the caller's).
    """

    def __init__(
        self,
        *,
        identity: Sequence[SimPolicy],
        caller: Caller,
        context: Mapping[str, ContextValue],
        missing: Sequence[str] = (),
        boundary: SimPolicy | None = None,
        resource_policy: SimPolicy | None = None,
        scps: Sequence[Sequence[SimPolicy]] | None = None,
        resource_owner: str | None = None,
        templates: ArnTemplates | None = None,
    ) -> None:
        self.caller = caller
        self.context = context
        self.missing = tuple(missing)
        self.boundary = boundary
        self.resource_policy = resource_policy
        self.scps = None if scps is None else tuple(tuple(level) for level in scps)
        self.resource_owner = resource_owner
        self.templates = ArnTemplates() if templates is None else templates
        extras = [p for p in (boundary, resource_policy) if p is not None]
        levels = [p for level in self.scps or () for p in level]
        self._by_uid = {p.uid: p for p in [*identity, *extras, *levels]}
        self._policies = AuthorizationPolicies.build(
            identity=[_named(p) for p in identity],
            boundary=None if boundary is None else _named(boundary),
            resource=None if resource_policy is None else _named(resource_policy),
            scps=None if self.scps is None else [[_named(p) for p in lvl] for lvl in self.scps],
        )

    def result(self, action: str, resources: Sequence[str] | None) -> dict[str, Any]:
        """The `EvaluationResult` of `action` on `resources` (None or only `*`: no resource
        named)."""
        named = [r for r in resources or () if r != "*"]
        targets = list(resources or ()) if named else ["*"]
        outcomes = [self._outcome(action, r) for r in targets]
        decision = min((o.decision for o in outcomes), key=_SEVERITY.__getitem__)
        statements: list[dict[str, Any]] = []
        for outcome in outcomes:
            if outcome.decision == decision:
                statements += [s for s in outcome.statements if s not in statements]
        out: dict[str, Any] = {
            "EvalActionName": action,
            "EvalResourceName": self.templates.template_for(action, named),
            "EvalDecision": decision,
            "MatchedStatements": statements,
            "MissingContextValues": list(self.missing),
        }
        orgs_allow = all(o.allowed_by_organizations is not False for o in outcomes)
        if self.scps is not None:
            out["OrganizationsDecisionDetail"] = {"AllowedByOrganizations": orgs_allow}
        if self.boundary is not None:
            out["PermissionsBoundaryDecisionDetail"] = {
                "AllowedByPermissionsBoundary": all(o.allowed_by_boundary for o in outcomes)
            }
        if orgs_allow and (named or any(o.cross for o in outcomes)):
            out["EvalDecisionDetails"] = _most_restrictive([o.details for o in outcomes])
        if named:
            out["ResourceSpecificResults"] = [o.shape(self) for o in outcomes]
        return out

    def _outcome(self, action: str, resource: str) -> _Outcome:
        caller = self.caller
        service = action.partition(":")[0].lower()
        account = resource_account_of(resource) or self.resource_owner or caller.account
        request = Request(caller, action, action.lower(), service, resource, account, self.context)
        trace = Trace()
        decision = evaluate(request, self._policies, trace=trace)
        matched: dict[str, set[str]] = {}
        for event in trace.events:
            if event.outcome == "matched":
                matched.setdefault(event.policy_type, set()).add(event.effect)
        statements: list[dict[str, Any]] = []
        if decision.decision is not DecisionKind.IMPLICIT_DENY:
            for m in decision.matched_statements:
                if m.type in _REPORTED_TYPES:
                    shape = self._by_uid[m.policy].statement_shape(m.index)
                    if shape not in statements:
                        statements.append(shape)
        cross = account is not None and account != caller.account
        details: dict[str, str] = {}
        if cross:
            for ptype, name in _DETAIL_NAMES.items():
                if ptype is PolicyType.RESOURCE and self.resource_policy is None:
                    continue
                if ptype is PolicyType.BOUNDARY and self.boundary is None:
                    continue
                details[name] = _type_decision(matched.get(ptype.value, set()))
        return _Outcome(
            resource=resource,
            decision=decision.decision.value,
            statements=statements,
            details=details,
            cross=cross,
            allowed_by_boundary=(
                _type_decision(matched.get(PolicyType.BOUNDARY.value, set())) == "allowed"
            ),
            allowed_by_organizations=(
                None if self.scps is None else self._organizations_allow(trace)
            ),
        )

    def _organizations_allow(self, trace: Trace) -> bool:
        """Every SCP level allows and no SCP denies."""
        allowing: set[str] = set()
        for event in trace.events:
            if event.policy_type == PolicyType.SCP.value and event.outcome == "matched":
                if event.effect == "Deny":
                    return False
                allowing.add(event.policy)
        return all(any(p.uid in allowing for p in level) for level in self.scps or ())


def _named(policy: SimPolicy) -> tuple[str, PolicyDocument]:
    return policy.uid, policy.document


@dataclass(frozen=True, slots=True)
class _Outcome:
    """One action on one resource."""

    resource: str
    decision: str
    statements: list[dict[str, Any]]
    details: dict[str, str]
    cross: bool
    allowed_by_boundary: bool
    allowed_by_organizations: bool | None

    def shape(self, simulation: Simulation) -> dict[str, Any]:
        """The `ResourceSpecificResult`."""
        out: dict[str, Any] = {
            "EvalResourceName": self.resource,
            "EvalResourceDecision": self.decision,
            "MatchedStatements": self.statements,
            "MissingContextValues": list(simulation.missing),
        }
        if self.cross and self.allowed_by_organizations is not False:
            out["EvalDecisionDetails"] = self.details
        if simulation.boundary is not None:
            out["PermissionsBoundaryDecisionDetail"] = {
                "AllowedByPermissionsBoundary": self.allowed_by_boundary
            }
        return out


def _type_decision(effects: set[str]) -> str:
    if "Deny" in effects:
        return "explicitDeny"
    return "allowed" if "Allow" in effects else "implicitDeny"


def _most_restrictive(maps: list[dict[str, str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in maps:
        for key, value in item.items():
            if key not in out or _SEVERITY[value] < _SEVERITY[out[key]]:
                out[key] = value
    return out
