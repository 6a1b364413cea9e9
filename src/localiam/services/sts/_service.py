"""STS: temporary credentials for roles, federated users and MFA-checked sessions.

https://docs.aws.amazon.com/STS/latest/APIReference/ ; the role trust policy is the resource-based
policy of sts:AssumeRole and is evaluated by the same engine, with AWS's same-account and
cross-account rules (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_manage-assume.html).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from localiam.authz import (
    AuthorizationPolicies,
    Decision,
    DecisionKind,
    PolicySet,
    PolicyType,
    Request,
    evaluate,
)
from localiam.catalog import Catalog, ManagedPolicies
from localiam.policy import Caller, CallerKind, MalformedPolicyDocument, PolicyKind
from localiam.protocol import ServiceError
from localiam.services._context import RequestFacts, tag_context
from localiam.services._owners import Owner
from localiam.services._principals import PrincipalResolver
from localiam.services.iam._mfa import verify_totp
from localiam.services.iam._policies_of import decode_document
from localiam.services.iam._service import AuthorizationDenied, Outcome
from localiam.services.sts._call import StsCall
from localiam.services.sts._credentials import issue, packed_size
from localiam.services.sts._jwt import SigningKeys
from localiam.services.sts._newer import (
    assume_root,
    get_delegated_access_token,
    get_scoped_credentials,
    get_web_identity_token,
)
from localiam.services.sts._rules import (
    check_caller,
    mfa_invalid_code,
    mfa_missing_half,
    mfa_unknown_device,
    not_authorized,
    session_tags,
)
from localiam.store import IdGenerator, Secrets, Session, find_by_name
from localiam.store.models import AccessKey, MfaDevice, Role, StsSession

ROLE_CHAINING_LIMIT = 3600
USER_SESSION_LIMIT = 129600
ROOT_SESSION_LIMIT = 3600


class StsService:
    """The operations of the STS model over the store."""

    def __init__(
        self,
        *,
        catalog: Catalog,
        managed: ManagedPolicies,
        ids: IdGenerator,
        secrets: Secrets,
        principals: PrincipalResolver,
    ) -> None:
        self.catalog = catalog
        self.managed = managed
        self.ids = ids
        self.secrets = secrets
        self.principals = principals
        self._rcp_services = catalog.rcp_services
        #: The keys that sign GetWebIdentityToken's JWTs, derived from the server's secret key.
        self.signing_keys = SigningKeys.of(secrets)
        self.handlers: dict[str, Callable[[StsCall], dict[str, Any]]] = {
            "GetCallerIdentity": self.get_caller_identity,
            "AssumeRole": self.assume_role,
            "GetSessionToken": self.get_session_token,
            "GetFederationToken": self.get_federation_token,
            "GetAccessKeyInfo": self.get_access_key_info,
            "DecodeAuthorizationMessage": self.decode_authorization_message,
            "GetWebIdentityToken": lambda call: get_web_identity_token(
                call, self._authorize, self.signing_keys, self.ids
            ),
            "AssumeRoot": lambda call: assume_root(
                call, self._authorize, self.ids, self.secrets, self.managed
            ),
            "GetDelegatedAccessToken": lambda call: get_delegated_access_token(
                call, self._authorize
            ),
            "GetScopedCredentials": lambda call: get_scoped_credentials(
                call, self.ids, self.secrets, self.principals
            ),
        }

    def call(
        self,
        session: Session,
        operation: str,
        params: dict[str, Any],
        owner: Owner,
        facts: RequestFacts,
    ) -> Outcome:
        principal = self.principals.resolve(session, owner)
        handler = self.handlers.get(operation)
        if handler is None:
            raise ServiceError(
                "NotImplemented",
                f"localiam does not implement sts:{operation} yet (web identity and SAML "
                "federation are still to come).",
                501,
                sender=False,
            )
        check_caller(principal.caller.kind, principal.session, operation)
        context = principal.context_for(facts)
        call = StsCall(session, principal, params, facts, context, owner)
        result = handler(call)
        decision = self._last_decision(call, operation)
        return Outcome(result, decision, principal.caller)

    # -- authorization ------------------------------------------------------------------------

    def _authorize(
        self,
        call: StsCall,
        action: str,
        resource: str,
        *,
        extra: dict[str, object] | None = None,
        resource_policy: tuple[str, Any] | None = None,
        resource_account: str | None = None,
    ) -> Decision:
        policies = call.principal.policies
        if resource_policy is not None:
            policies = replace(policies, resource=PolicySet([resource_policy]))
        decision = self.principals.orgs.decide(
            call.session,
            call.principal.caller,
            action,
            resource,
            policies,
            {**call.context, **(extra or {})},
            resource_account=resource_account,
            rcp_services=self._rcp_services,
        )
        if resource_policy is not None:
            decision = _trust_must_allow(decision)
        if not decision.allowed:
            raise _denied(decision, call.principal.caller)
        call.decisions.append(decision)
        return decision

    def _last_decision(self, call: StsCall, operation: str) -> Decision:
        """The decision recorded in the audit log: the first authorization the operation made,
        or, for operations that need no permission, an allowance saying so."""
        if call.decisions:
            return call.decisions[0]
        return Decision(
            DecisionKind.ALLOWED, call.principal.caller.text, f"sts:{operation}", "*", (), None, ()
        )

    # -- operations ---------------------------------------------------------------------------

    def get_caller_identity(self, call: StsCall) -> dict[str, Any]:
        """Never needs permission, even when every policy denies
        (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html)."""
        p = call.principal
        user_id = call.context.get("aws:userid")
        if user_id is None:
            user_id = p.user_id or p.account_id
        return {"UserId": str(user_id), "Account": p.account_id, "Arn": p.caller.text}

    def assume_role(self, call: StsCall) -> dict[str, Any]:
        params, session, p = call.params, call.session, call.principal
        role_arn = params["RoleArn"]
        role = _role_by_arn(session, role_arn)
        if role is None:
            # AWS answers as for a denial, so role names cannot be probed.
            decision = self._deny_unknown(call, "sts:AssumeRole", role_arn)
            raise _denied(decision, p.caller)
        chained = p.caller.kind is CallerKind.ROLE_SESSION
        duration = int(params.get("DurationSeconds", 3600))
        if chained and duration > ROLE_CHAINING_LIMIT:
            raise ServiceError(
                "ValidationError",
                "The requested DurationSeconds exceeds the 1 hour session limit for roles "
                "assumed by role chaining.",
                400,
            )
        if duration > role.max_session_duration:
            raise ServiceError(
                "ValidationError",
                "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
                400,
            )
        tags, transitive = session_tags(
            params.get("Tags", []), params.get("TransitiveTagKeys", []), p.session
        )
        mfa_at = self._mfa_for(call, params)
        extra: dict[str, object] = {"sts:RoleSessionName": params["RoleSessionName"]}
        if "ExternalId" in params:
            extra["sts:ExternalId"] = params["ExternalId"]
        if "SourceIdentity" in params:
            extra["sts:SourceIdentity"] = params["SourceIdentity"]
        if transitive:
            extra["sts:TransitiveTagKeys"] = transitive
        if mfa_at is not None:
            extra["aws:MultiFactorAuthPresent"] = "true"
            extra["aws:MultiFactorAuthAge"] = str(int((call.facts.now - mfa_at).total_seconds()))
        extra.update(tag_context(params.get("Tags")))
        trust = self._trust_policy(role)
        account = role.account_id
        self._authorize(call, "sts:AssumeRole", role.arn, extra=extra,
                        resource_policy=trust, resource_account=account)  # fmt: skip
        if params.get("Tags"):
            self._authorize(call, "sts:TagSession", role.arn, extra=extra,
                            resource_policy=trust, resource_account=account)  # fmt: skip
        if "SourceIdentity" in params:
            self._authorize(call, "sts:SetSourceIdentity", role.arn, extra=extra,
                            resource_policy=trust, resource_account=account)  # fmt: skip
        previous = p.session.source_identity if p.session is not None else None
        if previous and params.get("SourceIdentity", previous) != previous:
            raise ServiceError(
                "AccessDenied", "SourceIdentity cannot be changed once set on a session.", 403
            )
        policy = self._session_policy_text(params)
        arns = [a["arn"] for a in params.get("PolicyArns", [])]
        percent = packed_size(policy, arns, tags)
        name = params["RoleSessionName"]
        issued = issue(
            session,
            ids=self.ids,
            secrets=self.secrets,
            account_id=account,
            kind="assumed-role",
            principal_arn=f"arn:aws:sts::{account}:assumed-role/{role.name}/{name}",
            now=call.facts.now,
            duration=duration,
            role_id=role.role_id,
            session_name=name,
            source_identity=params.get("SourceIdentity")
            or (p.session.source_identity if p.session else None),
            session_policy=policy,
            policy_arns=arns,
            tags=tags,
            transitive_tag_keys=transitive,
            mfa_at=mfa_at if mfa_at is not None else (p.mfa_at if p.temporary else None),
            chained=chained,
        )
        role.role_last_used_at = call.facts.now
        role.role_last_used_region = call.facts.region
        out: dict[str, Any] = {
            "Credentials": issued.shape(),
            "AssumedRoleUser": {
                "AssumedRoleId": f"{role.role_id}:{name}",
                "Arn": issued.row.principal_arn,
            },
        }
        if policy is not None or arns or tags:
            # AWS reports the packed size only when session policies or tags were passed.
            out["PackedPolicySize"] = percent
        if issued.row.source_identity:
            out["SourceIdentity"] = issued.row.source_identity
        return out

    def get_session_token(self, call: StsCall) -> dict[str, Any]:
        """Needs no permission; only long-term credentials of a user or the root user may call it
        (`check_caller`); the root user's sessions last at most an hour
        (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html)."""
        p = call.principal
        is_root = p.caller.kind is CallerKind.ROOT
        limit = ROOT_SESSION_LIMIT if is_root else USER_SESSION_LIMIT
        duration = int(call.params.get("DurationSeconds", 3600 if is_root else 43200))
        duration = min(duration, limit)
        mfa_at = self._mfa_for(call, call.params)
        issued = issue(
            call.session,
            ids=self.ids,
            secrets=self.secrets,
            account_id=p.account_id,
            kind="session-token",
            principal_arn=p.caller.text,
            now=call.facts.now,
            duration=duration,
            user_id=p.user_id,
            mfa_at=mfa_at,
        )
        return {"Credentials": issued.shape()}

    def get_federation_token(self, call: StsCall) -> dict[str, Any]:
        """A federated-user session whose permissions are the intersection of the caller's
        policies and the session policies passed; with none passed it may do nothing
        (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html)."""
        p = call.principal
        name = call.params["Name"]
        arn = f"arn:aws:sts::{p.account_id}:federated-user/{name}"
        extra = tag_context(call.params.get("Tags"))
        self._authorize(call, "sts:GetFederationToken", arn, extra=extra)
        if call.params.get("Tags"):
            self._authorize(call, "sts:TagSession", arn, extra=extra)
        is_root = p.caller.kind is CallerKind.ROOT
        limit = ROOT_SESSION_LIMIT if is_root else USER_SESSION_LIMIT
        duration = min(int(call.params.get("DurationSeconds", 43200)), limit)
        policy = self._session_policy_text(call.params)
        arns = [a["arn"] for a in call.params.get("PolicyArns", [])]
        tags = list(call.params.get("Tags", []))
        percent = packed_size(policy, arns, tags)
        issued = issue(
            call.session,
            ids=self.ids,
            secrets=self.secrets,
            account_id=p.account_id,
            kind="federated-user",
            principal_arn=arn,
            now=call.facts.now,
            duration=duration,
            user_id=p.user_id,
            session_name=name,
            session_policy=policy,
            policy_arns=arns,
            tags=[{"Key": t["Key"], "Value": t["Value"]} for t in tags],
        )
        out: dict[str, Any] = {
            "Credentials": issued.shape(),
            "FederatedUser": {"FederatedUserId": f"{p.account_id}:{name}", "Arn": arn},
        }
        if policy is not None or arns or tags:
            out["PackedPolicySize"] = percent
        return out

    def get_access_key_info(self, call: StsCall) -> dict[str, Any]:
        self._authorize(call, "sts:GetAccessKeyInfo", "*")
        key_id = call.params["AccessKeyId"]
        key = call.session.get(AccessKey, key_id)
        temp = None if key is not None else call.session.get(StsSession, key_id)
        account = key.account_id if key is not None else (temp.account_id if temp else None)
        if account is None:
            raise ServiceError(
                "InvalidClientTokenId",
                "The security token included in the request is invalid.",
                403,
            )
        return {"Account": account}

    def decode_authorization_message(self, call: StsCall) -> dict[str, Any]:
        """localiam's services encode no messages yet; a message localiam did not make is
        refused as AWS refuses one it cannot decode."""
        self._authorize(call, "sts:DecodeAuthorizationMessage", "*")
        try:
            decoded = self.secrets.decrypt(call.params["EncodedMessage"])
        except Exception:
            raise ServiceError(
                "InvalidAuthorizationMessageException", "Invalid authorization message.", 400
            ) from None
        return {"DecodedMessage": decoded}

    # -- helpers ------------------------------------------------------------------------------

    def _mfa_for(self, call: StsCall, params: dict[str, Any]) -> datetime | None:
        """When SerialNumber and TokenCode are given, check the code against the caller's device
        (a code is accepted once); the time of the check, or None without them."""
        serial, code = params.get("SerialNumber"), params.get("TokenCode")
        if serial is None and code is None:
            return None
        if serial is None or code is None:
            raise mfa_missing_half()
        device = call.session.get(MfaDevice, serial)
        p = call.principal
        # A device belongs to an IAM user or to the root user; role sessions have none.
        owner_ok = (
            device is not None
            and device.enabled_at is not None
            and device.account_id == p.account_id
            and p.caller.kind is not CallerKind.ROLE_SESSION
            and device.user_id == p.user_id
        )
        if device is None or not owner_ok:
            raise mfa_unknown_device()
        step = verify_totp(
            self.secrets.decrypt(device.seed_encrypted), code, call.facts.now, device.last_time_step
        )
        if step is None:
            raise mfa_invalid_code()
        device.last_time_step = step
        return call.facts.now

    def _trust_policy(self, role: Role) -> tuple[str, Any]:
        try:
            doc = self.principals.texts.parse(
                decode_document(role.assume_role_policy), PolicyKind.TRUST
            )
        except MalformedPolicyDocument:
            doc = self.principals.texts.parse(
                json.dumps({"Version": "2012-10-17", "Statement": []}), PolicyKind.IDENTITY
            )
        return (f"{role.arn} trust policy", doc)

    def _session_policy_text(self, params: dict[str, Any]) -> str | None:
        policy = params.get("Policy")
        if policy is None:
            return None
        try:
            self.principals.texts.parse(policy, PolicyKind.SESSION)
        except MalformedPolicyDocument as exc:
            raise ServiceError("MalformedPolicyDocument", exc.message, 400) from None
        return str(policy)

    def _deny_unknown(self, call: StsCall, action: str, resource: str) -> Decision:
        request = Request.build(call.principal.caller.text, action, resource, context=call.context)
        return evaluate(request, AuthorizationPolicies.build())


def _trust_must_allow(decision: Decision) -> Decision:
    """A role's trust policy must allow the caller even in the role's own account: an identity
    policy alone never lets anyone assume a role, unlike other resources of the account
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html,
    "role trust policies")."""
    if not decision.allowed or any(
        m.type is PolicyType.RESOURCE and m.effect == "Allow" for m in decision.matched_statements
    ):
        return decision
    return replace(decision, decision=DecisionKind.IMPLICIT_DENY, blocked_by=PolicyType.RESOURCE)


def _denied(decision: Decision, caller: Caller) -> AuthorizationDenied:
    """AccessDenied in STS's words; the audit log keeps the decision's full reason."""
    denied = AuthorizationDenied(decision, caller)
    denied.message = not_authorized(caller.text, decision.action, decision.resource)
    return denied


def _role_by_arn(session: Session, arn: str) -> Role | None:
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[2] != "iam" or not parts[5].startswith("role/"):
        return None
    name = parts[5].rsplit("/", 1)[-1]
    role = find_by_name(session, Role, parts[4], name)
    return role if role is not None and role.arn == arn else None
