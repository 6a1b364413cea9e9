"""The Organizations service: authorize each call as AWS does, then run its handler.

Every call is authorized with the action `organizations:<Operation>` on each resource AWS names
for it (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsorganizations.html);
then only the management account may call most operations: a member account hears
`AccessDeniedException` and an account in no organization `AWSOrganizationsNotInUseException`
(https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_org.html).
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from localiam.authz import Decision
from localiam.catalog import Catalog
from localiam.protocol import ServiceError
from localiam.services._context import RequestFacts
from localiam.services._owners import Owner
from localiam.services._principals import PrincipalResolver
from localiam.services._tags import tag_map
from localiam.services.iam import AuthorizationDenied, Outcome
from localiam.services.organizations._accounts import HANDLERS as ACCOUNTS
from localiam.services.organizations._call import OrgCall, Spec
from localiam.services.organizations._errors import member_denied
from localiam.services.organizations._names import OrgIds
from localiam.services.organizations._organization import HANDLERS as ORGANIZATION
from localiam.services.organizations._policies import HANDLERS as POLICIES
from localiam.services.organizations._tags import HANDLERS as TAGS
from localiam.services.organizations._units import HANDLERS as UNITS
from localiam.store import IdGenerator, Session
from localiam.store.models import OrgAccount, Organization

#: Operations that need what localiam does not model (email handshakes, delegated
#: administrators, resource policies of the organization, responsibility transfers, GovCloud).
_NOT_MODELLED = {
    "AcceptHandshake": "invitations by email handshake",
    "CancelHandshake": "invitations by email handshake",
    "DeclineHandshake": "invitations by email handshake",
    "DescribeHandshake": "invitations by email handshake",
    "InviteAccountToOrganization": "invitations by email handshake",
    "ListHandshakesForAccount": "invitations by email handshake",
    "ListHandshakesForOrganization": "invitations by email handshake",
    "EnableAllFeatures": "invitations by email handshake",
    "CreateGovCloudAccount": "AWS GovCloud (US)",
    "RegisterDelegatedAdministrator": "delegated administrators",
    "DeregisterDelegatedAdministrator": "delegated administrators",
    "ListDelegatedAdministrators": "delegated administrators",
    "ListDelegatedServicesForAccount": "delegated administrators",
    "PutResourcePolicy": "the organization's resource policy",
    "DescribeResourcePolicy": "the organization's resource policy",
    "DeleteResourcePolicy": "the organization's resource policy",
}


def all_handlers() -> dict[str, Spec]:
    merged: dict[str, Spec] = {}
    for table in (ORGANIZATION, ACCOUNTS, UNITS, POLICIES, TAGS):
        merged.update(table)
    return merged


class OrganizationsService:
    """Organizations' operations over the store."""

    def __init__(
        self,
        *,
        catalog: Catalog,
        ids: IdGenerator,
        principals: PrincipalResolver,
        org_ids: OrgIds | None = None,
        handlers: Mapping[str, Spec] | None = None,
    ) -> None:
        self.ids = ids
        self.org_ids = org_ids or OrgIds(random.SystemRandom())
        self.principals = principals
        self.handlers = dict(all_handlers() if handlers is None else handlers)
        self._rcp_services = catalog.rcp_services

    def call(
        self,
        session: Session,
        operation: str,
        params: dict[str, Any],
        owner: Owner,
        facts: RequestFacts,
    ) -> Outcome:
        principal = self.principals.resolve(session, owner)
        spec = self.handlers.get(operation)
        if spec is None:
            why = _NOT_MODELLED.get(operation, "not yet")
            raise ServiceError(
                "UnsupportedAPIEndpointException",
                f"localiam does not implement organizations:{operation} ({why}).",
                400,
            )
        member = session.get(OrgAccount, principal.account_id)
        org = None if member is None else session.get(Organization, member.org_id)
        call = OrgCall(session, principal, params, facts.now, self.org_ids, self.ids, org)
        context = principal.context_for(facts)
        context.update(spec.context(call) if org is not None or spec.scope == "any" else {})
        resources = spec.resources(call) if org is not None else ["*"]
        # Each resource the operation names must be allowed (AttachPolicy: the policy and the
        # target); the first decision is the one the audit log records.
        decisions = [self._authorize(call, operation, r, context) for r in resources]
        decision = decisions[0]
        if spec.scope != "any":
            current = call.organization()  # AWSOrganizationsNotInUseException when in none
            if spec.scope == "management" and current.management_account_id != principal.account_id:
                raise member_denied()
        result = spec.handler(call)
        return Outcome(result, decision, principal.caller)

    def _authorize(
        self, call: OrgCall, operation: str, resource: str, context: dict[str, object]
    ) -> Decision:
        caller = call.principal.caller
        resource_context = dict(context)
        if resource != "*":
            for key, value in tag_map(call.session, resource).items():
                resource_context[f"aws:ResourceTag/{key}"] = value
        # Organizations has no resource-based policies to consult (the delegated
        # administrator policy is not modelled): a call is decided by the caller's own
        # policies, as a request on its own account's resources. Which account may call which
        # operation is checked afterwards (management account, member).
        decision = self.principals.orgs.decide(
            call.session,
            caller,
            f"organizations:{operation}",
            resource,
            call.principal.policies,
            resource_context,
            resource_account=caller.account,
            rcp_services=self._rcp_services,
        )
        if not decision.allowed:
            raise AuthorizationDenied(decision, caller, "AccessDeniedException")
        return decision
