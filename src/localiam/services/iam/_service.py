"""The IAM service: resolve the caller, authorize the operation as AWS does, run its handler.

Every call is authorized with the action and resource AWS uses
(https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html);
the root user may do everything, as in AWS.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from localiam.authz import (
    AuthorizationPolicies,
    Decision,
    DecisionKind,
)
from localiam.catalog import Catalog, ManagedPolicies
from localiam.policy import Caller
from localiam.protocol import ServiceError
from localiam.services._context import RequestFacts
from localiam.services._generation import GenerationCache
from localiam.services._owners import Owner
from localiam.services._principals import Principal, PrincipalResolver
from localiam.services.iam._access_keys import HANDLERS as ACCESS_KEYS
from localiam.services.iam._access_reports import HANDLERS as ACCESS_REPORTS
from localiam.services.iam._account import HANDLERS as ACCOUNT
from localiam.services.iam._account_settings import HANDLERS as ACCOUNT_SETTINGS
from localiam.services.iam._attached_policies import HANDLERS as ATTACHED_POLICIES
from localiam.services.iam._authorization_details import HANDLERS as AUTHORIZATION_DETAILS
from localiam.services.iam._boundaries import HANDLERS as BOUNDARIES
from localiam.services.iam._certificates import HANDLERS as CERTIFICATES
from localiam.services.iam._context import Handler, IamContext
from localiam.services.iam._credential_report import HANDLERS as CREDENTIAL_REPORT
from localiam.services.iam._errors import access_denied
from localiam.services.iam._groups import HANDLERS as GROUPS
from localiam.services.iam._identity_providers import HANDLERS as IDENTITY_PROVIDERS
from localiam.services.iam._inline_policies import HANDLERS as INLINE_POLICIES
from localiam.services.iam._instance_profiles import HANDLERS as INSTANCE_PROFILES
from localiam.services.iam._login_profiles import HANDLERS as LOGIN_PROFILES
from localiam.services.iam._managed_policies import HANDLERS as MANAGED_POLICIES
from localiam.services.iam._mfa import HANDLERS as MFA
from localiam.services.iam._newer_features import HANDLERS as NEWER_FEATURES
from localiam.services.iam._password_policy import HANDLERS as PASSWORD_POLICY
from localiam.services.iam._policies_of import PolicyTexts
from localiam.services.iam._roles import HANDLERS as ROLES
from localiam.services.iam._service_credentials import HANDLERS as SERVICE_CREDENTIALS
from localiam.services.iam._service_linked_roles import HANDLERS as SERVICE_LINKED_ROLES
from localiam.services.iam._simulator import HANDLERS as SIMULATOR
from localiam.services.iam._ssh_keys import HANDLERS as SSH_KEYS
from localiam.services.iam._tags import tag_map
from localiam.services.iam._target import iam_target
from localiam.services.iam._users import HANDLERS as USERS
from localiam.store import IdGenerator, Secrets, Session, StateGeneration, find_by_name
from localiam.store.models import Account, Group, InstanceProfile, Role, User

_LOOKUP_MODELS: dict[str, Any] = {
    "user": User,
    "group": Group,
    "role": Role,
    "instance-profile": InstanceProfile,
}


def all_handlers() -> dict[str, Handler]:
    """Every implemented operation, by name (one module per area of the API)."""
    tables = (
        USERS,
        ACCESS_KEYS,
        BOUNDARIES,
        GROUPS,
        INLINE_POLICIES,
        ATTACHED_POLICIES,
        MANAGED_POLICIES,
        ROLES,
        INSTANCE_PROFILES,
        SERVICE_LINKED_ROLES,
        LOGIN_PROFILES,
        PASSWORD_POLICY,
        MFA,
        ACCOUNT,
        CREDENTIAL_REPORT,
        SIMULATOR,
        AUTHORIZATION_DETAILS,
        SSH_KEYS,
        CERTIFICATES,
        IDENTITY_PROVIDERS,
        SERVICE_CREDENTIALS,
        ACCESS_REPORTS,
        ACCOUNT_SETTINGS,
        NEWER_FEATURES,
    )
    merged: dict[str, Handler] = {}
    for table in tables:
        merged.update(table)
    return merged


@dataclass(frozen=True, slots=True)
class _StoreLookup:
    session: Session
    account_id: str
    cache: GenerationCache[Any]

    def path_of(self, kind: str, name: str) -> str | None:
        model = _LOOKUP_MODELS.get(kind)
        if model is None:
            return None

        def read() -> str | None:
            row = find_by_name(self.session, model, self.account_id, name)
            return None if row is None else str(row.path)

        result: str | None = self.cache.get(("path", self.account_id, kind, name.lower()), read)
        return result

    def boundary_of(self, kind: str, name: str) -> str | None:
        if kind not in ("user", "role"):
            return None

        def read() -> str | None:
            row: User | Role | None = (
                find_by_name(self.session, User, self.account_id, name)
                if kind == "user"
                else find_by_name(self.session, Role, self.account_id, name)
            )
            return None if row is None else row.permissions_boundary_arn

        result: str | None = self.cache.get(("boundary", self.account_id, kind, name.lower()), read)
        return result

    def tags_of(self, arn: str) -> Mapping[str, str]:
        result: Mapping[str, str] = self.cache.get(
            ("tags", arn), lambda: tag_map(self.session, arn)
        )
        return result


@dataclass(frozen=True, slots=True)
class Outcome:
    """A handled call: its result (None when refused) and the decision behind it."""

    result: dict[str, Any]
    decision: Decision
    caller: Caller


class IamService:
    """IAM's operations over one store; stateless apart from its parsed-policy memo."""

    def __init__(
        self,
        *,
        catalog: Catalog,
        managed: ManagedPolicies,
        ids: IdGenerator,
        secrets: Secrets,
        handlers: Mapping[str, Handler] | None = None,
        generation: StateGeneration | None = None,
        principals: PrincipalResolver | None = None,
    ) -> None:
        self.catalog = catalog
        self.managed = managed
        self.ids = ids
        self.secrets = secrets
        self.texts = PolicyTexts(managed)
        self.handlers = dict(all_handlers() if handlers is None else handlers)
        self._rcp_services = catalog.rcp_services
        # Memoizing needs the store's generation (Database.generation); without it every
        # request reads the store.
        self.generation = generation
        # Per-generation memos of what every request reads: the caller's policies and tags,
        # and entity paths and tags for resource ARNs.
        self.principals = principals or PrincipalResolver(self.texts, self.generation)
        self._lookup_cache: GenerationCache[Any] = GenerationCache(self.generation)
        self._results: GenerationCache[dict[str, Any]] = GenerationCache(self.generation, 20000)

    def call(
        self,
        session: Session,
        operation: str,
        params: dict[str, Any],
        owner: Owner,
        facts: RequestFacts,
    ) -> Outcome:
        principal = self.principals.resolve(session, owner)
        _check_temporary_credentials(principal)
        caller, policies = principal.caller, principal.policies
        account = owner.account_id
        lookup = _StoreLookup(session, account, self._lookup_cache)
        target = iam_target(operation, params, caller, account, self.catalog, lookup)
        context = principal.context_for(facts)
        context.update(target.context)
        decision = self._authorize(
            session,
            caller,
            account,
            target.action,
            target.resource,
            context,
            policies,
            self_service=_self_service(session, account, operation, principal.user_id),
        )
        for action, resource, extra in _also_required(operation, params, account, lookup):
            # Some operations need a second permission too (AddRoleToInstanceProfile: the caller
            # must be allowed iam:PassRole on the role,
            # https://docs.aws.amazon.com/IAM/latest/APIReference/API_AddRoleToInstanceProfile.html).
            self._authorize(
                session, caller, account, action, resource, {**context, **extra}, policies
            )
        handler = self.handlers.get(operation)
        if handler is None:
            raise ServiceError(
                "NotImplemented",
                f"localiam does not implement iam:{operation} yet.",
                501,
                sender=False,
            )
        ctx = IamContext(
            session=session,
            account_id=account,
            caller=caller,
            caller_user_id=principal.user_id,
            now=facts.now,
            ids=self.ids,
            secrets=self.secrets,
            managed=self.managed,
        )
        if operation in MEMOIZED_READS:
            # Authentication and authorization ran above; only the read of stored state is
            # memoized, for the current generation (any committed write starts a new one).
            key = (
                account,
                caller.text,
                operation,
                json.dumps(params, sort_keys=True, default=str),
            )
            result = self._results.get(key, lambda: handler(ctx, params))
        else:
            result = handler(ctx, params)
        return Outcome(result, decision, caller)

    def _authorize(
        self,
        session: Session,
        caller: Caller,
        account: str,
        action: str,
        resource: str,
        context: dict[str, object],
        policies: AuthorizationPolicies,
        *,
        self_service: bool = False,
    ) -> Decision:
        # AWS managed policies (arn:aws:iam::aws:policy/...) are authorized as resources of the
        # caller's own account.
        resource_account = account if resource.startswith("arn:aws:iam::aws:") else None
        decision = self.principals.orgs.decide(
            session,
            caller,
            action,
            resource,
            policies,
            context,
            resource_account=resource_account,
            rcp_services=self._rcp_services,
        )
        if self_service and decision.decision is DecisionKind.IMPLICIT_DENY:
            return decision
        if not decision.allowed:
            raise AuthorizationDenied(decision, caller)
        return decision


# Reads whose answer depends only on the stored state, the parameters and the caller (not on the
# clock, nor on key-use records the audit writer updates), so they may be memoized per generation.
MEMOIZED_READS = frozenset(
    {
        "GetUser",
        "GetGroup",
        "GetRole",
        "GetPolicy",
        "GetPolicyVersion",
        "GetUserPolicy",
        "GetGroupPolicy",
        "GetRolePolicy",
        "GetInstanceProfile",
        "GetLoginProfile",
        "GetAccountPasswordPolicy",
        "ListUsers",
        "ListGroups",
        "ListRoles",
        "ListPolicies",
        "ListPolicyVersions",
        "ListGroupsForUser",
        "ListUserPolicies",
        "ListGroupPolicies",
        "ListRolePolicies",
        "ListAttachedUserPolicies",
        "ListAttachedGroupPolicies",
        "ListAttachedRolePolicies",
        "ListEntitiesForPolicy",
        "ListInstanceProfiles",
        "ListInstanceProfilesForRole",
        "ListUserTags",
        "ListRoleTags",
        "ListPolicyTags",
        "ListAccessKeys",
        "ListAccountAliases",
    }
)


def _check_temporary_credentials(principal: Principal) -> None:
    """Credentials from GetFederationToken cannot call IAM at all, and those from
    GetSessionToken only when the session was made with an MFA code; AWS answers as for an
    invalid token (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html,
    https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html). Role
    sessions and AssumeRoot's root sessions (`assumed-root`) may call IAM."""
    facts = principal.session
    if facts is None:
        return
    if facts.kind == "federated-user" or (facts.kind == "session-token" and facts.mfa_at is None):
        raise ServiceError(
            "InvalidClientTokenId", "The security token included in the request is invalid.", 403
        )


def _self_service(session: Session, account: str, operation: str, user_id: str | None) -> bool:
    """With `AllowUsersToChangePassword` in the account's password policy, every IAM user may
    change its own password and read the policy without a permissions policy saying so
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_enable-user-change.html);
    an explicit deny still applies."""
    if user_id is None or operation not in ("ChangePassword", "GetAccountPasswordPolicy"):
        return False
    row = session.get(Account, account)
    policy = None if row is None else row.password_policy
    return bool(policy and policy.get("AllowUsersToChangePassword"))


# Instance profiles carry a role to EC2 instances.
PASSED_TO_EC2: dict[str, object] = {"iam:PassedToService": "ec2.amazonaws.com"}


def _also_required(
    operation: str, params: dict[str, Any], account: str, lookup: _StoreLookup
) -> list[tuple[str, str, dict[str, object]]]:
    name = params.get("RoleName")
    if operation == "AddRoleToInstanceProfile" and isinstance(name, str):
        path = lookup.path_of("role", name) or "/"
        return [("iam:PassRole", f"arn:aws:iam::{account}:role{path}{name}", PASSED_TO_EC2)]
    return []


class AuthorizationDenied(ServiceError):
    """AccessDenied, carrying the decision for the audit log."""

    def __init__(self, decision: Decision, caller: Caller, code: str | None = None) -> None:
        error = access_denied(decision.message)
        super().__init__(code or error.code, error.message, error.status)
        self.decision = decision
        self.caller = caller
