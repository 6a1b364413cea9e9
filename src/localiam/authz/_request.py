"""A request to authorize: who, what action, on which resource, in which context.

Context keys that follow from the principal are derived unless the request gives them
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html):
aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType, aws:username, aws:userid,
aws:PrincipalIsAWSService, aws:PrincipalServiceName, aws:ResourceAccount, and
aws:FederatedProvider for a SAML or OIDC provider.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from localiam.policy import Caller, CallerKind, ContextValue, normalize_context, parse_caller


def resource_account_of(resource: str) -> str | None:
    """The account field of an ARN (None for `*`, non-ARNs and ARNs without one, like S3's)."""
    if not resource.startswith("arn:"):
        return None
    parts = resource.split(":", 5)
    if len(parts) < 6 or not parts[4]:
        return None
    return parts[4]


def _derived(caller: Caller, resource_account: str | None) -> dict[str, ContextValue]:
    out: dict[str, ContextValue] = {}
    kind = caller.kind
    if resource_account is not None:
        out["aws:resourceaccount"] = resource_account
    if kind is CallerKind.WEB_IDENTITY:
        out["aws:federatedprovider"] = caller.name
        return out
    out["aws:principaltype"] = kind.value
    if kind is CallerKind.SERVICE:
        out["aws:principalisawsservice"] = "true"
        out["aws:principalservicename"] = caller.name
    elif kind is not CallerKind.ANONYMOUS:
        out["aws:principalisawsservice"] = "false"
    if caller.account is not None:
        out["aws:principalaccount"] = caller.account
        if kind is CallerKind.ROLE_SESSION:
            out["aws:principalarn"] = caller.role_arn
        else:
            out["aws:principalarn"] = caller.text
    if kind is CallerKind.USER:
        out["aws:username"] = caller.name
    elif kind is CallerKind.ROOT and caller.account is not None:
        out["aws:userid"] = caller.account
    elif kind is CallerKind.FEDERATED_USER:
        out["aws:userid"] = f"{caller.account}:{caller.name}"
    return out


@dataclass(frozen=True, slots=True)
class Request:
    """An authorization request, with its context normalized and principal keys derived."""

    caller: Caller
    action: str
    action_lower: str
    service: str
    resource: str
    resource_account: str | None
    context: Mapping[str, ContextValue]

    @classmethod
    def build(
        cls,
        principal: str,
        action: str,
        resource: str = "*",
        *,
        resource_account: str | None = None,
        context: Mapping[str, object] | None = None,
    ) -> Request:
        """Build a request; raises ValueError naming a bad principal or action."""
        caller = parse_caller(principal)
        service, sep, name = action.partition(":")
        if not sep or not service or not name:
            raise ValueError(f"action `{action}` must be `service:ActionName`")
        account = resource_account or resource_account_of(resource) or caller.account
        merged = _derived(caller, account)
        if context:
            merged.update(normalize_context(context))
        return cls(caller, action, action.lower(), service.lower(), resource, account, merged)

    @property
    def principal(self) -> str:
        return self.caller.text
