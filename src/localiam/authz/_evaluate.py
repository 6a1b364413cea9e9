"""The decision flow across every policy type.

Implements https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
with the same-account resource-policy rules of
https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html and the
cross-account rule of
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html.
docs/evaluation.md states the whole contract.
"""

from __future__ import annotations

from collections.abc import Collection

from localiam.authz._decision import Decision, DecisionKind, MatchedStatement, PolicyType
from localiam.authz._policies import AuthorizationPolicies
from localiam.authz._policyset import Entry, PolicySet
from localiam.authz._request import Request
from localiam.authz._scan import Scan, scan, scan_traced
from localiam.authz._trace import Trace
from localiam.policy import CallerKind, Grant

_IDENTITY_KINDS = (CallerKind.USER, CallerKind.ROLE_SESSION, CallerKind.FEDERATED_USER)


def _matched(entry: Entry, ptype: PolicyType) -> MatchedStatement:
    s = entry.statement
    return MatchedStatement(entry.policy, ptype, s.sid, s.index, s.effect.value)


def evaluate(
    request: Request,
    policies: AuthorizationPolicies,
    *,
    rcp_services: Collection[str] | None = None,
    trace: Trace | None = None,
) -> Decision:
    """Decide `request` against `policies` as AWS does.

    `rcp_services` lists the service prefixes RCPs apply to (None: every service). With `trace`,
    every statement considered is recorded there.
    """
    caller = request.caller
    management = policies.management_account
    has_boundary = policies.boundary is not None
    scans: list[tuple[PolicyType, Scan]] = []

    def run(ptype: PolicyType, pset: PolicySet, boundary_rule: bool = False) -> Scan:
        if trace is None:
            result = scan(pset, request, has_boundary=boundary_rule)
        else:
            result = scan_traced(pset, request, trace, ptype.value, has_boundary=boundary_rule)
        scans.append((ptype, result))
        return result

    # RCPs: the resource account's organization, for the services RCPs cover
    # (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html).
    rcp_levels: list[Scan] = []
    if (
        policies.rcps is not None
        and request.resource_account != management
        and not caller.is_service_linked_role
        and (rcp_services is None or request.service in rcp_services)
    ):
        rcp_levels = [run(PolicyType.RCP, level) for level in policies.rcps]
    elif trace is not None and policies.rcps is not None:
        trace.notes.append("RCPs do not apply to this request.")

    # SCPs: the principal's organization; not the management account nor service-linked roles
    # (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html).
    scp_levels: list[Scan] = []
    if (
        policies.scps is not None
        and caller.is_iam_principal
        and caller.account != management
        and not caller.is_service_linked_role
    ):
        scp_levels = [run(PolicyType.SCP, level) for level in policies.scps]
    elif trace is not None and policies.scps is not None:
        trace.notes.append("SCPs do not apply to this principal.")

    resource_scan = (
        None
        if policies.resource is None
        else run(PolicyType.RESOURCE, policies.resource, has_boundary)
    )
    identity_side = caller.kind in _IDENTITY_KINDS
    identity_scan = boundary_scan = session_scan = None
    if identity_side:
        identity_scan = run(PolicyType.IDENTITY, policies.identity)
        if policies.boundary is not None:
            boundary_scan = run(PolicyType.BOUNDARY, policies.boundary)
        if policies.session is not None:
            session_scan = run(PolicyType.SESSION, policies.session)
    elif caller.kind is CallerKind.ROOT and policies.session is not None:
        # A root session made by sts:AssumeRoot carries its task policy as a session policy.
        # The task policies AWS publishes hold only Deny statements ("DenyAllOtherActions..."):
        # they limit the root user by their explicit denies, and need not allow
        # (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoot.html,
        # https://docs.aws.amazon.com/IAM/latest/UserGuide/security-iam-awsmanpol.html).
        run(PolicyType.SESSION, policies.session)

    missing = _missing(scans)

    def decide(
        kind: DecisionKind,
        blocked: PolicyType | None,
        matched: list[MatchedStatement],
        denying: str | None = None,
    ) -> Decision:
        return Decision(
            kind,
            request.principal,
            request.action,
            request.resource,
            tuple(matched),
            blocked,
            missing,
            denying,
        )

    # 1. An explicit deny in any applicable policy decides.
    denies = [(ptype, e) for ptype, s in scans for e in s.denies]
    if denies:
        return decide(
            DecisionKind.EXPLICIT_DENY,
            denies[0][0],
            [_matched(e, t) for t, e in denies],
            denies[0][1].policy,
        )
    allows = [_matched(e, t) for t, s in scans for e, _ in s.allows]

    def deny(blocked: PolicyType) -> Decision:
        return decide(DecisionKind.IMPLICIT_DENY, blocked, allows)

    # 2-3. Every RCP level (RCPFullAWSAccess is implicitly attached, so a level always allows)
    # and every SCP level must allow.
    del rcp_levels
    if any(not level.allows for level in scp_levels):
        return deny(PolicyType.SCP)

    grant = None if resource_scan is None else resource_scan.best_grant
    kind = caller.kind
    if kind in (CallerKind.ANONYMOUS, CallerKind.SERVICE, CallerKind.WEB_IDENTITY):
        # 7. Only a resource-based policy can allow these callers.
        if grant is None:
            return deny(PolicyType.RESOURCE)
        return decide(DecisionKind.ALLOWED, None, allows)

    if kind is CallerKind.ROOT:
        # The root user may do anything in its account unless denied: no identity policy, no
        # boundary, and a session policy (AssumeRoot's task policy) only denies.
        side_blocked: PolicyType | None = None
        boundary_ok = session_ok = True
    else:
        assert identity_scan is not None
        boundary_ok = boundary_scan is None or bool(boundary_scan.allows)
        session_ok = session_scan is None or bool(session_scan.allows)
        if not identity_scan.allows:
            side_blocked = PolicyType.IDENTITY
        elif not boundary_ok:
            side_blocked = PolicyType.BOUNDARY
        elif not session_ok:
            side_blocked = PolicyType.SESSION
        else:
            side_blocked = None

    if grant is None and (_needs_trust(request) or _key_policy_must_allow(request)):
        # A role's trust policy must allow whoever assumes it, in every account: identity-based
        # policies alone never let a principal assume a role
        # (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_manage-assume.html).
        # Likewise a KMS key's key policy must allow whoever uses the key, even in its own
        # account (`_key_policy_must_allow`).
        if side_blocked is not None:
            return deny(side_blocked)
        return deny(PolicyType.RESOURCE)

    cross = request.resource_account is not None and request.resource_account != caller.account
    if cross:
        # 6. Cross-account: the principal's side and the resource policy must both allow.
        if side_blocked is not None:
            return deny(side_blocked)
        if grant is None:
            return deny(PolicyType.RESOURCE)
        return decide(DecisionKind.ALLOWED, None, allows)

    # 4-5. Same account: a resource policy naming the caller allows on its own; naming the
    # role (or the user behind a federated session) it is still bounded by the permissions
    # boundary and the session policy; naming the account it grants nothing by itself.
    if side_blocked is None or grant is Grant.DIRECT:
        return decide(DecisionKind.ALLOWED, None, allows)
    if grant is Grant.PARENT:
        if boundary_ok and session_ok:
            return decide(DecisionKind.ALLOWED, None, allows)
        return deny(PolicyType.BOUNDARY if not boundary_ok else PolicyType.SESSION)
    return deny(side_blocked)


_TRUST_ACTIONS = frozenset(
    {
        "sts:assumerole",
        "sts:assumerolewithsaml",
        "sts:assumerolewithwebidentity",
        "sts:tagsession",
        "sts:setsourceidentity",
        "sts:setcontext",
    }
)


def _needs_trust(request: Request) -> bool:
    """Whether the request assumes a role (or tags or sets the source identity of the session
    while doing so): the role's trust policy, its resource-based policy, must then allow."""
    return request.action_lower in _TRUST_ACTIONS and ":role/" in request.resource


def _key_policy_must_allow(request: Request) -> bool:
    """Whether the request is a `kms:` action on a KMS key, whose key policy must then allow it.

    "Key policies are the primary way to control access to KMS keys. ... Unless the key policy
    explicitly allows it, you cannot use IAM policies to allow access to a KMS key"
    (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html): an
    identity-based policy alone never allows, even in the key's account. A key policy naming
    the caller allows on its own (same account); naming the account
    (`arn:aws:iam::<account>:root`) it lets that account's identity-based policies decide, as
    any resource-based policy naming an account does. Aliases are not keys: an alias resource
    (`alias/<name>`, CreateAlias and its kin) is authorized by identity-based policies alone.
    """
    if request.service != "kms":
        return False
    parts = request.resource.split(":", 5)
    return (
        len(parts) == 6 and parts[0] == "arn" and parts[2] == "kms" and parts[5].startswith("key/")
    )


def _missing(scans: list[tuple[PolicyType, Scan]]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for _, s in scans:
        for key in s.missing:
            seen.setdefault(key.lower(), key)
    return tuple(seen[k] for k in sorted(seen))
