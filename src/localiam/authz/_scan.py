"""Matching one policy set against a request: which Allow and Deny statements apply."""

from __future__ import annotations

from dataclasses import dataclass, field

from localiam.authz._policyset import Entry, PolicySet
from localiam.authz._request import Request
from localiam.authz._trace import Trace, TraceEvent
from localiam.policy import Effect, Grant, Statement


@dataclass(slots=True)
class Scan:
    """The statements of one policy set that apply to a request (mutable while scanning)."""

    allows: list[tuple[Entry, Grant]] = field(default_factory=list)
    denies: list[Entry] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def best_grant(self) -> Grant | None:
        return max((g for _, g in self.allows), default=None)


def _principal_grant(stmt: Statement, request: Request, has_boundary: bool) -> Grant | None:
    """How a resource-type statement's Principal/NotPrincipal covers the caller, if at all."""
    principal = stmt.principal
    if principal is None:
        return Grant.DIRECT
    if principal.negated:
        # NotPrincipal with Deny applies to every principal with a permissions boundary
        # (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html).
        if has_boundary and stmt.effect is Effect.DENY:
            return Grant.DIRECT
        return None if principal.excludes(request.caller) else Grant.DIRECT
    return principal.grant(request.caller)


def scan(policy_set: PolicySet, request: Request, *, has_boundary: bool = False) -> Scan:
    """The fast path: only the candidates the action index yields."""
    result = Scan()
    context = request.context
    resource = request.resource
    for entry in policy_set.candidates(request.action_lower, request.service):
        stmt = entry.statement
        if stmt.resource is not None and not stmt.resource.matches(resource, context):
            continue
        grant = Grant.DIRECT
        if stmt.principal is not None:
            found = _principal_grant(stmt, request, has_boundary)
            if found is None:
                continue
            grant = found
        if stmt.condition_keys:
            result.missing.extend(stmt.missing_keys(context))
            if not stmt.conditions_hold(context):
                continue
        if stmt.effect is Effect.ALLOW:
            result.allows.append((entry, grant))
        else:
            result.denies.append(entry)
    return result


def scan_traced(
    policy_set: PolicySet,
    request: Request,
    trace: Trace,
    type_name: str,
    *,
    has_boundary: bool = False,
) -> Scan:
    """The explaining path: every statement is visited and its outcome recorded."""
    result = Scan()
    context = request.context
    for entry in policy_set.entries:
        stmt = entry.statement

        def record(outcome: str, detail: str, entry: Entry = entry) -> None:
            s = entry.statement
            trace.events.append(
                TraceEvent(type_name, entry.policy, s.index, s.sid, s.effect.value, outcome, detail)
            )

        action = stmt.action
        if not action.matches(request.action_lower):
            element = "NotAction" if action.negated else "Action"
            record("action", f"{element} {list(action.patterns)} vs {request.action}")
            continue
        res = stmt.resource
        if res is not None and not res.matches(request.resource, context):
            element = "NotResource" if res.negated else "Resource"
            record("resource", f"{element} {list(res.patterns)} vs {request.resource}")
            continue
        grant = Grant.DIRECT
        if stmt.principal is not None:
            found = _principal_grant(stmt, request, has_boundary)
            if found is None:
                element = "NotPrincipal" if stmt.principal.negated else "Principal"
                record("principal", f"{element} {stmt.principal.text} vs {request.principal}")
                continue
            grant = found
        if stmt.condition_keys:
            result.missing.extend(stmt.missing_keys(context))
            failed = next((c for c in stmt.conditions if not c.evaluate(context)), None)
            if failed is not None:
                values = [v.text for v in failed.values]
                have = context.get(failed.key_lower)
                record(
                    "condition",
                    f"{failed.operator.name} {failed.key} {values} vs "
                    + ("(missing)" if have is None else repr(have)),
                )
                continue
        record("matched", "")
        if stmt.effect is Effect.ALLOW:
            result.allows.append((entry, grant))
        else:
            result.denies.append(entry)
    return result
