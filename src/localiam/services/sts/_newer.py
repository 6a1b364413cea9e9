"""STS's newer operations (localiam has no delegation partners yet).

- GetWebIdentityToken: a signed JWT for outbound identity federation, once the account enabled
  it (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_outbound_token_claims.html).
- AssumeRoot: a task-scoped root session in a member account, for the management account of an
  organization with centralized root access (RootSessions).
- GetDelegatedAccessToken: trade-in tokens come from accepted delegation requests, which only
  partners with registered policy templates create; localiam never issues one.
- GetScopedCredentials: a copy of the calling session, shorter-lived and/or scoped down.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any, Protocol

from localiam.authz import Decision
from localiam.catalog import ManagedPolicies
from localiam.policy import CallerKind, MalformedPolicyDocument, PolicyKind
from localiam.protocol import ServiceError, load_service_model
from localiam.services._context import tag_context
from localiam.services._owners import SessionOwner
from localiam.services._principals import PrincipalResolver
from localiam.services.iam._newer_features import organization_of, trusted_access
from localiam.services.sts._call import StsCall
from localiam.services.sts._credentials import issue, packed_size
from localiam.services.sts._jwt import ALGORITHMS, SigningKeys
from localiam.services.sts._rules import not_authorized
from localiam.store import IdGenerator, Secrets
from localiam.store.models import Account, OrgAccount, StsSession

#: The namespace of AWS's own claims in an outbound identity token.
CLAIMS_NAMESPACE = "https://sts.amazonaws.com/"
DEFAULT_TOKEN_SECONDS = 300


class Authorize(Protocol):
    def __call__(
        self,
        call: StsCall,
        action: str,
        resource: str,
        *,
        extra: dict[str, object] | None = ...,
        resource_account: str | None = ...,
    ) -> Decision: ...


def _model_error(code: str, message: str) -> ServiceError:
    return ServiceError.from_model(load_service_model("sts"), code, message)


def _validation(message: str) -> ServiceError:
    return ServiceError("ValidationError", message, 400)


# -- GetWebIdentityToken -------------------------------------------------------------------------


def get_web_identity_token(
    call: StsCall, authorize: Authorize, keys: SigningKeys, ids: IdGenerator
) -> dict[str, Any]:
    """Authorized with the keys the Service Authorization Reference lists (sts:IdentityToken
    Audience, sts:DurationSeconds, sts:SigningAlgorithm, aws:RequestTag, aws:TagKeys); refused
    with OutboundWebIdentityFederationDisabledException while the account has the feature off,
    and with SessionDurationEscalationException when the token would outlive the calling session
    (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetWebIdentityToken.html)."""
    params, p, now = call.params, call.principal, call.facts.now
    audience = [str(a) for a in params["Audience"]]
    duration = int(params.get("DurationSeconds", DEFAULT_TOKEN_SECONDS))
    algorithm = str(params["SigningAlgorithm"])
    tags = list(params.get("Tags", []))
    if algorithm not in ALGORITHMS:
        raise _validation(
            f"1 validation error detected: Value '{algorithm}' at 'signingAlgorithm' failed to "
            f"satisfy constraint: Member must satisfy enum value set: [{', '.join(ALGORITHMS)}]"
        )
    extra: dict[str, object] = {
        "sts:IdentityTokenAudience": audience,
        "sts:DurationSeconds": str(duration),
        "sts:SigningAlgorithm": algorithm,
        **tag_context(tags),
    }
    mode = params.get("SubjectMode")
    if mode is not None:
        extra["sts:SubjectMode"] = mode
    authorize(call, "sts:GetWebIdentityToken", "*", extra=extra)
    account = call.session.get(Account, p.account_id)
    issuer = account.outbound_web_identity_issuer if account is not None else None
    if account is None or not account.outbound_web_identity_federation or issuer is None:
        raise _model_error(
            "OutboundWebIdentityFederationDisabledException",
            f"Outbound web identity federation is not enabled for account {p.account_id}.",
        )
    if mode == "OriginIdentity":
        # localiam's sessions carry no trusted identity propagation context.
        raise _validation(
            "SubjectMode OriginIdentity requires the calling session to carry "
            "aws:OriginIdentity/Subject in its trusted identity propagation context."
        )
    expires = now + timedelta(seconds=duration)
    if isinstance(call.owner, SessionOwner) and expires > call.owner.expires_at:
        raise _model_error(
            "SessionDurationEscalationException",
            "The requested token duration would extend the session beyond its expiration time.",
        )
    # A role session is named by its role, as in AWS's sample token.
    principal_arn = str(call.context.get("aws:PrincipalArn") or p.caller.text)
    aws_claims: dict[str, Any] = {
        "aws_account": p.account_id,
        "source_region": call.facts.region,
        "principal_id": principal_arn,
    }
    if p.tags:
        aws_claims["principal_tags"] = dict(p.tags)
    if tags:
        aws_claims["request_tags"] = {str(t["Key"]): str(t["Value"]) for t in tags}
    claims: dict[str, Any] = {
        "iss": issuer,
        "aud": audience[0] if len(audience) == 1 else audience,
        "sub": principal_arn,
        "iat": int(now.timestamp()),
        "exp": int(expires.timestamp()),
        "jti": ids.new_request_id(),
    }
    if "Scope" in params:
        claims["scope"] = params["Scope"]
    claims[CLAIMS_NAMESPACE] = aws_claims
    return {"WebIdentityToken": keys.sign(algorithm, claims), "Expiration": expires}


# -- AssumeRoot ----------------------------------------------------------------------------------

_ACCOUNT_ID = re.compile(r"\d{12}")
_ROOT_ARN = re.compile(r"arn:aws:iam::(\d{12}):root")
#: The path of the AWS managed policies that may scope a root session ("task policies").
ROOT_TASK_PATH = "/root-task/"
DEFAULT_ROOT_SECONDS = 900


def _target_account(target: str) -> str:
    """The account TargetPrincipal names: an account id, or the ARN of its root user."""
    if _ACCOUNT_ID.fullmatch(target):
        return target
    matched = _ROOT_ARN.fullmatch(target)
    if matched is None:
        raise _validation(
            f"TargetPrincipal {target} is neither an account id nor the ARN of an account's "
            "root user (arn:aws:iam::<account>:root)."
        )
    return matched.group(1)


def assume_root(
    call: StsCall,
    authorize: Authorize,
    ids: IdGenerator,
    secrets: Secrets,
    managed: ManagedPolicies,
) -> dict[str, Any]:
    """A root session in a member account, scoped by one AWS task policy, for a principal of
    the organization's management account once the organization enabled RootSessions
    (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoot.html,
    https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user-privileged-task.html).

    Authorized as sts:AssumeRoot on the member's root user with `sts:TaskPolicyArn`; the refusals
    that follow are AccessDenied in STS's words with the reason appended (localiam's wording: the
    documentation gives none). localiam has no delegated administrators, so only the
    management account may call it. The session is the member account's root user, `aws:userid`
    the account id, limited by the task policy as a session policy.
    """
    p = call.principal
    if p.caller.kind is CallerKind.ROOT:
        raise ServiceError(
            "AccessDenied", "AssumeRoot cannot be called with root credentials.", 403
        )
    target = _target_account(str(call.params["TargetPrincipal"]))
    task_arn = str(call.params["TaskPolicyArn"]["arn"])
    resource = f"arn:aws:iam::{target}:root"
    extra: dict[str, object] = {"sts:TaskPolicyArn": task_arn}
    # The member account's root user has no resource policy: only the caller's own policies
    # decide, as for a resource of the caller's account.
    authorize(call, "sts:AssumeRoot", resource, extra=extra, resource_account=p.account_id)
    task = managed.get(task_arn)
    if task is None or task.path != ROOT_TASK_PATH:
        raise _validation(
            f"TaskPolicyArn {task_arn} is not one of the AWS managed policies for privileged "
            f"tasks (arn:aws:iam::aws:policy{ROOT_TASK_PATH}...)."
        )

    def refuse(reason: str) -> ServiceError:
        return ServiceError(
            "AccessDenied",
            f"{not_authorized(p.caller.text, 'sts:AssumeRoot', resource)} because {reason}",
            403,
        )

    org = organization_of(call.session, p.account_id)
    if org is None or org.management_account_id != p.account_id:
        raise refuse(
            f"account {p.account_id} is not the management account or a delegated "
            "administrator of an organization"
        )
    if not trusted_access(org) or "RootSessions" not in org.root_access_features:
        raise refuse(f"root sessions are not enabled for organization {org.id}")
    if target == org.management_account_id:
        raise refuse(f"account {target} is the management account, not a member account")
    member = call.session.get(OrgAccount, target)
    if member is None or member.org_id != org.id:
        raise refuse(f"account {target} is not a member account of organization {org.id}")
    source_identity = p.session.source_identity if p.session is not None else None
    issued = issue(
        call.session,
        ids=ids,
        secrets=secrets,
        account_id=target,
        kind="assumed-root",
        principal_arn=resource,
        now=call.facts.now,
        duration=int(call.params.get("DurationSeconds", DEFAULT_ROOT_SECONDS)),
        source_identity=source_identity,
        policy_arns=[task_arn],
    )
    out: dict[str, Any] = {"Credentials": issued.shape()}
    if source_identity:
        out["SourceIdentity"] = source_identity
    return out


# -- GetDelegatedAccessToken ---------------------------------------------------------------------


def get_delegated_access_token(call: StsCall, authorize: Authorize) -> dict[str, Any]:
    """Every trade-in token is one localiam never issued: it issues them only for accepted
    delegation requests, and none can exist without partner policy templates."""
    authorize(call, "sts:GetDelegatedAccessToken", "*")
    raise _model_error(
        "ExpiredTradeInTokenException", "The trade-in token provided is expired or is not valid."
    )


# -- GetScopedCredentials ------------------------------------------------------------------------


def get_scoped_credentials(
    call: StsCall, ids: IdGenerator, secrets: Secrets, principals: PrincipalResolver
) -> dict[str, Any]:
    """A new session of the same identity, no longer-lived than the calling one, whose
    permissions are those of the calling session intersected with `Policy`
    (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetScopedCredentials.html).

    localiam stores one layer of session policies per session, so `Policy` is accepted only on a
    role session that has none yet (ScopedPoliciesCount 1); stacking layers is NotImplemented.
    """
    params, owner, now = call.params, call.owner, call.facts.now
    row = (
        call.session.get(StsSession, owner.access_key_id)
        if isinstance(owner, SessionOwner)
        else None
    )
    if not isinstance(owner, SessionOwner) or row is None:
        raise _model_error(
            "InvalidSubjectCredentialsException",
            "GetScopedCredentials must be called with temporary security credentials.",
        )
    policy, duration = params.get("Policy"), params.get("DurationSeconds")
    if policy is None and duration is None:
        raise _validation("At least one of Policy or DurationSeconds must be specified.")
    remaining = int((owner.expires_at - now).total_seconds())
    if duration is not None and int(duration) > remaining:
        raise _model_error(
            "InsufficientSessionLifetimeException",
            f"The requested DurationSeconds {duration} exceeds the remaining lifetime of the "
            f"calling session ({remaining} seconds).",
        )
    if policy is not None:
        try:
            principals.texts.parse(policy, PolicyKind.SESSION)
        except MalformedPolicyDocument as exc:
            raise ServiceError("MalformedPolicyDocument", exc.message, 400) from None
        if row.kind != "assumed-role" or row.session_policy or row.policy_arns:
            raise ServiceError(
                "NotImplemented",
                "localiam does not implement sts:GetScopedCredentials with a Policy on a session "
                "that already has session policies yet (it stores one policy layer per session).",
                501,
                sender=False,
            )
    session_policy = policy if policy is not None else row.session_policy
    percent = packed_size(session_policy, list(row.policy_arns), list(row.tags))
    issued = issue(
        call.session,
        ids=ids,
        secrets=secrets,
        account_id=row.account_id,
        kind=row.kind,
        principal_arn=row.principal_arn,
        now=now,
        duration=int(duration) if duration is not None else remaining,
        role_id=row.role_id,
        user_id=row.user_id,
        session_name=row.session_name,
        source_identity=row.source_identity,
        session_policy=session_policy,
        policy_arns=list(row.policy_arns),
        tags=list(row.tags),
        transitive_tag_keys=list(row.transitive_tag_keys),
        mfa_at=row.mfa_at,
        chained=row.chained,
    )
    if duration is None:
        issued.row.expires_at = owner.expires_at
    out: dict[str, Any] = {
        "Credentials": issued.shape(),
        "SessionInfo": {
            "ScopedSessionId": str(call.context.get("aws:userid", row.account_id)),
            "Arn": row.principal_arn,
        },
        "SessionTokenUtilization": percent,
        "SessionTokenSize": len(issued.token),
    }
    if policy is not None:
        out["ScopedPoliciesCount"] = 1
    if row.source_identity:
        out["SourceIdentity"] = row.source_identity
    return out
