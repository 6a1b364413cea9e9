"""What an organization adds to every request: the SCPs of the principal's account, the RCPs of
the resource's account, and the org context keys.

- SCPs of every level from the root to the principal's account must allow; the management
  account is exempt (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html).
- RCPs of every level above the resource's account apply to its resources; the management
  account's resources are exempt (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html).
- aws:PrincipalOrgID, aws:PrincipalOrgPaths, aws:ResourceOrgID and aws:ResourceOrgPaths
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html).

Memoized per generation of the store, so a request from an account in no organization costs one
dictionary lookup.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, replace

from localiam.authz import (
    AuthorizationPolicies,
    Decision,
    PolicySet,
    Request,
    evaluate,
    resource_account_of,
)
from localiam.policy import Caller, MalformedPolicyDocument, PolicyDocument, PolicyKind
from localiam.services._generation import GenerationCache
from localiam.services.organizations._names import RCP, SCP
from localiam.services.organizations._tree import Placement, level_texts, placement
from localiam.store import Session, StateGeneration

Parse = Callable[[str, PolicyKind], PolicyDocument]


@dataclass(frozen=True, slots=True)
class OrgFacts:
    """An account's organization as authorization needs it: None parts when it is in none, or
    when a policy type is not enabled (or the account is the management account)."""

    placement: Placement | None
    scps: tuple[PolicySet, ...] | None
    rcps: tuple[PolicySet, ...] | None


_NONE = OrgFacts(None, None, None)


class OrgScope:
    """Organizations' part of authorization, for any service."""

    def __init__(self, parse: Parse, generation: StateGeneration | None) -> None:
        self._parse = parse
        self._cache: GenerationCache[OrgFacts] = GenerationCache(generation)

    def facts(self, session: Session, account_id: str) -> OrgFacts:
        return self._cache.get(account_id, lambda: self._load(session, account_id))

    def _load(self, session: Session, account_id: str) -> OrgFacts:
        where = placement(session, account_id)
        if where is None:
            return _NONE
        if where.is_management:
            return OrgFacts(where, None, None)
        return OrgFacts(
            where,
            self._levels(session, where, SCP, PolicyKind.SCP),
            self._levels(session, where, RCP, PolicyKind.RCP),
        )

    def _levels(
        self, session: Session, where: Placement, policy_type: str, kind: PolicyKind
    ) -> tuple[PolicySet, ...] | None:
        levels = level_texts(session, where, policy_type)
        if levels is None:
            return None
        return tuple(
            PolicySet([(name, self._document(text, kind)) for name, text in level])
            for level in levels
        )

    def _document(self, text: str, kind: PolicyKind) -> PolicyDocument:
        try:
            return self._parse(text, kind)
        except MalformedPolicyDocument:
            # Texts were validated when stored; one that no longer parses allows nothing.
            return PolicyDocument(kind, "2012-10-17", None, (), True)

    def apply(
        self,
        session: Session,
        policies: AuthorizationPolicies,
        principal_account: str,
        resource_account: str | None,
    ) -> AuthorizationPolicies:
        """`policies` with the SCPs of the principal's account and the RCPs of the resource's
        account (the principal's own when the resource names no account)."""
        principal = self.facts(session, principal_account)
        if resource_account is None or resource_account == principal_account:
            resource = principal
        else:
            resource = self.facts(session, resource_account)
        if principal.scps is None and resource.rcps is None:
            return policies
        return replace(policies, scps=principal.scps, rcps=resource.rcps)

    def decide(
        self,
        session: Session,
        caller: Caller,
        action: str,
        resource: str,
        policies: AuthorizationPolicies,
        context: dict[str, object],
        *,
        resource_account: str | None = None,
        rcp_services: Collection[str] | None = None,
    ) -> Decision:
        """The engine's decision on `caller` doing `action` on `resource`, with the
        organizations of the caller's account and of the resource's account (the one the
        request will see: `resource_account`, else the ARN's, else the caller's)."""
        account = resource_account or resource_account_of(resource) or caller.account
        policies, context = self.prepare(session, policies, caller.account, account, context)
        request = Request.build(
            caller.text, action, resource, resource_account=resource_account, context=context
        )
        return evaluate(request, policies, rcp_services=rcp_services)

    def prepare(
        self,
        session: Session,
        policies: AuthorizationPolicies,
        principal_account: str | None,
        resource_account: str | None,
        context: dict[str, object],
    ) -> tuple[AuthorizationPolicies, dict[str, object]]:
        """`policies` and `context` completed with the organizations of the principal's and
        the resource's accounts (`resource_account` as the request will see it)."""
        if principal_account is None:
            return policies, context
        extra = self.context(session, principal_account, resource_account)
        if extra:
            context = {**context, **extra}
        return self.apply(session, policies, principal_account, resource_account), context

    def context(
        self, session: Session, principal_account: str | None, resource_account: str | None
    ) -> dict[str, object]:
        """The org keys of the principal's and of the resource's account."""
        out: dict[str, object] = {}
        if principal_account is not None:
            where = self.facts(session, principal_account).placement
            if where is not None:
                out["aws:PrincipalOrgID"] = where.org_id
                out["aws:PrincipalOrgPaths"] = [where.org_path]
        if resource_account is not None:
            where = self.facts(session, resource_account).placement
            if where is not None:
                out["aws:ResourceOrgID"] = where.org_id
                out["aws:ResourceOrgPaths"] = [where.org_path]
        return out
