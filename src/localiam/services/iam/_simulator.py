"""The policy simulator: SimulatePrincipalPolicy, SimulateCustomPolicy,
GetContextKeysForPrincipalPolicy, GetContextKeysForCustomPolicy.

https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html,
API_SimulateCustomPolicy.html, API_GetContextKeysForPrincipalPolicy.html,
API_GetContextKeysForCustomPolicy.html and the IAM User Guide's "Testing IAM policies with the IAM
policy simulator". Every action on every resource is decided by `localiam.authz.evaluate`, the
engine that authorizes real requests.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence
from typing import Any

from localiam.policy import Caller, CallerKind, MalformedPolicyDocument, PolicyKind, parse_caller
from localiam.services.iam._context import Handler, IamContext
from localiam.services.iam._errors import invalid_input, malformed_policy
from localiam.services.iam._sim_context import context_from_entries
from localiam.services.iam._sim_keys import distinct_keys
from localiam.services.iam._sim_principal import exclusions, policy_source
from localiam.services.iam._sim_run import Simulation
from localiam.services.iam._sim_sources import (
    SimPolicy,
    boundary_input,
    input_policies,
    make_policy,
    resource_policy,
    scp_levels,
)

_ACTION = re.compile(r"^[A-Za-z0-9-]+:[A-Za-z0-9_-]+$")
_ACCOUNT = re.compile(r"^(?:arn:[a-z-]+:iam::)?(\d{12})(?::root)?$")
_USER_ONLY = "Invalid caller - Caller must be an IAM user in this context."


def _actions(names: Sequence[str]) -> list[str]:
    """`ActionNames`, each `service:Action` without wildcards."""
    for name in names:
        if not _ACTION.match(name):
            raise invalid_input(
                f"Invalid action name {name}: an action must be of the form service:ActionName, "
                "without wildcards."
            )
    return list(names)


def _resource_owner(value: str | None) -> str | None:
    """`ResourceOwner`: an account ID or the account's root user ARN."""
    if value is None:
        return None
    match = _ACCOUNT.match(value)
    if match is None:
        raise invalid_input(f"Invalid ResourceOwner {value}: it must name an AWS account.")
    return match.group(1)


def _caller(arn: str, *, user_only: bool) -> Caller:
    """The simulated caller: a user, group or role ARN (`CallerArn` or the policy source).

    A group is never a caller in AWS; it stands in only so that the simulation has an account,
    and is refused wherever a resource policy needs a principal, as AWS does.
    """
    parts = arn.split(":", 5)
    kind = parts[5].split("/", 1)[0] if len(parts) == 6 and parts[2] == "iam" else ""
    if user_only and kind != "user":
        raise invalid_input(_USER_ONLY)
    if kind in ("user", "role"):
        try:
            return parse_caller(arn)
        except ValueError:
            pass
    elif kind == "group" and parts[4].isdigit():
        head, _, name = parts[5].partition("/")[2].rpartition("/")
        if name:
            path = f"/{head}/" if head else "/"
            return Caller(arn, CallerKind.USER, parts[4], parts[1], name, path)
    raise invalid_input(
        f"Invalid caller {arn}: CallerArn must be the ARN of an IAM user, group or role."
    )


def _missing(policies: Sequence[SimPolicy | None], context: dict[str, Any]) -> list[str]:
    """Context keys the policies refer to and the entries do not give (AWS lists them whatever
    the action and resource simulated)."""
    keys = distinct_keys(p.text for p in policies if p is not None)
    return [k for k in keys if k.lower() not in context]


def _paged(simulation: Simulation, params: dict[str, Any]) -> dict[str, Any]:
    """One page of results (`MaxItems`, default 100), an opaque marker for the next."""
    actions = _actions(params["ActionNames"])
    start = _decode_marker(params["Marker"]) if "Marker" in params else 0
    end = start + int(params.get("MaxItems", 100))
    resources = params.get("ResourceArns")
    out: dict[str, Any] = {
        "EvaluationResults": [simulation.result(a, resources) for a in actions[start:end]],
        "IsTruncated": end < len(actions),
    }
    if end < len(actions):
        out["Marker"] = base64.urlsafe_b64encode(f"result:{end}".encode()).decode()
    return out


def _decode_marker(marker: str) -> int:
    try:
        kind, _, number = base64.urlsafe_b64decode(marker.encode()).decode().partition(":")
        if kind == "result" and number.isdigit():
            return int(number)
    except (binascii.Error, UnicodeError, ValueError):
        pass
    raise invalid_input("Invalid Marker.")


def simulate_principal_policy(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    source = policy_source(
        ctx, params["PolicySourceArn"], exclusions(params.get("PolicyExclusionList"))
    )
    extra = input_policies(
        params.get("PolicyInputList"), PolicyKind.IDENTITY, "PolicyInputList", "input."
    )
    boundary = boundary_input(params.get("PermissionsBoundaryPolicyInputList")) or source.boundary
    resource = resource_policy(params.get("ResourcePolicy"))
    caller = _caller(params.get("CallerArn") or source.arn, user_only=resource is not None)
    context = context_from_entries(params.get("ContextEntries"))
    identity = (*source.identity, *extra)
    simulation = Simulation(
        identity=identity,
        caller=caller,
        context=context,
        missing=_missing([*identity, boundary, resource], context),
        boundary=boundary,
        resource_policy=resource,
        scps=scp_levels(ctx.session, ctx.account_id),
        resource_owner=_resource_owner(params.get("ResourceOwner")),
    )
    return _paged(simulation, params)


def simulate_custom_policy(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    identity = input_policies(
        params["PolicyInputList"], PolicyKind.IDENTITY, "PolicyInputList", "input."
    )
    boundary = boundary_input(params.get("PermissionsBoundaryPolicyInputList"))
    resource = resource_policy(params.get("ResourcePolicy"))
    scps = None
    if "OrderedOrganizationPolicyInputList" in params:
        scps = [
            input_policies(
                level.get("ServiceControlPolicyInputList"),
                PolicyKind.SCP,
                f"OrderedOrganizationPolicyInputList.{number}.ServiceControlPolicyInputList",
                f"scp.{number}.",
            )
            for number, level in enumerate(params["OrderedOrganizationPolicyInputList"], 1)
        ]
    caller_arn = params.get("CallerArn")
    if caller_arn is None and resource is not None:
        raise invalid_input(_USER_ONLY)
    # Without a CallerArn the policies are simulated for an unnamed user of this account.
    caller = _caller(
        caller_arn or f"arn:aws:iam::{ctx.account_id}:user/simulated-caller",
        user_only=resource is not None,
    )
    context = context_from_entries(params.get("ContextEntries"))
    simulation = Simulation(
        identity=identity,
        caller=caller,
        context=context,
        missing=_missing([*identity, boundary, resource], context),
        boundary=boundary,
        resource_policy=resource,
        scps=scps,
        resource_owner=_resource_owner(params.get("ResourceOwner")),
    )
    return _paged(simulation, params)


def _any_policies(texts: list[str] | None) -> list[SimPolicy]:
    """Policies whose context keys are asked for: identity-based or resource-based."""
    out: list[SimPolicy] = []
    for number, text in enumerate(texts or (), start=1):
        try:
            out.append(make_policy(f"input.{number}", "", text, PolicyKind.IDENTITY))
        except MalformedPolicyDocument as exc:
            try:
                out.append(make_policy(f"input.{number}", "", text, PolicyKind.RESOURCE))
            except MalformedPolicyDocument:
                raise malformed_policy(exc.message) from None
    return out


def get_context_keys_for_custom_policy(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    policies = _any_policies(params["PolicyInputList"])
    return {"ContextKeyNames": distinct_keys(p.text for p in policies)}


def get_context_keys_for_principal_policy(
    ctx: IamContext, params: dict[str, Any]
) -> dict[str, Any]:
    """The keys of the entity's identity-based policies (its groups' too, for a user) and of the
    given ones; not of its permissions boundary."""
    source = policy_source(ctx, params["PolicySourceArn"])
    policies = [*source.identity, *_any_policies(params.get("PolicyInputList"))]
    return {"ContextKeyNames": distinct_keys(p.text for p in policies)}


HANDLERS: dict[str, Handler] = {
    "SimulatePrincipalPolicy": simulate_principal_policy,
    "SimulateCustomPolicy": simulate_custom_policy,
    "GetContextKeysForPrincipalPolicy": get_context_keys_for_principal_policy,
    "GetContextKeysForCustomPolicy": get_context_keys_for_custom_policy,
}
