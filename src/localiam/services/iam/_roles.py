"""Roles: CreateRole, GetRole, ListRoles, UpdateRole, UpdateRoleDescription,
UpdateAssumeRolePolicy, DeleteRole, TagRole, UntagRole, ListRoleTags
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_Operations.html), and what other
role handlers share: the role's output shapes, the trust-policy checks, and the protection of
service-linked roles.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from localiam.policy import MalformedPolicyDocument, PolicyKind, is_unique_id, parse_policy
from localiam.protocol import ServiceError
from localiam.services.iam._boundaries import check_boundary_arn
from localiam.services.iam._context import Handler, IamContext
from localiam.services.iam._errors import (
    already_exists,
    delete_conflict,
    limit_exceeded,
    malformed_policy,
)
from localiam.services.iam._lookup import get_role_row
from localiam.services.iam._policies_of import decode_document
from localiam.services.iam._tags import (
    drop_all_tags,
    set_tags,
    tag_handlers,
    tags_of,
)
from localiam.store import find_by_name, func, list_page, select
from localiam.store.models import (
    InlinePolicy,
    InstanceProfileRole,
    PolicyAttachment,
    PrincipalType,
    Role,
    User,
)

#: Default quotas (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
TRUST_POLICY_QUOTA = 2048
ROLES_PER_ACCOUNT = 1000

#: Paths of the roles only AWS may change: service-linked roles, and the roles IAM Identity
#: Center creates (https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html).
SERVICE_LINKED_PATH = "/aws-service-role/"
_PROTECTED_PATHS = (SERVICE_LINKED_PATH, "/aws-reserved/")


# -- what other handlers share ------------------------------------------------------------------


def is_service_linked(role: Role) -> bool:
    return role.path.startswith(SERVICE_LINKED_PATH)


def ensure_modifiable(role: Role) -> None:
    """`UnmodifiableEntity` for a role only AWS may change (a service-linked role); handlers
    that change a role's policies, trust or boundary call this first."""
    if role.path.startswith(_PROTECTED_PATHS):
        raise ServiceError(
            "UnmodifiableEntity",
            f"Cannot perform the operation on the protected role '{role.name}' - "
            "this role is only modifiable by AWS",
            400,
        )


def encode_document(text: str) -> str:
    """A policy document as IAM returns it: URL-encoded per RFC 3986."""
    return quote(text, safe="")


def role_shape(ctx: IamContext, role: Role, *, view: str = "get") -> dict[str, Any]:
    """A `Role` as each operation returns it. `view`: `get` (GetRole, UpdateRoleDescription:
    everything), `create` (CreateRole: what was given), `list` (ListRoles: no tags, boundary
    or last use), `brief` (inside an instance profile)."""
    out: dict[str, Any] = {
        "Path": role.path,
        "RoleName": role.name,
        "RoleId": role.role_id,
        "Arn": role.arn,
        "CreateDate": role.created_at,
        "AssumeRolePolicyDocument": encode_document(role.assume_role_policy),
    }
    if view == "brief":
        return out
    if role.description:
        out["Description"] = role.description
    if view in ("get", "list"):
        out["MaxSessionDuration"] = role.max_session_duration
    if view == "list":
        return out
    if role.permissions_boundary_arn:
        out["PermissionsBoundary"] = {
            "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
            "PermissionsBoundaryArn": role.permissions_boundary_arn,
        }
    found = tags_of(ctx.session, role.arn)
    if found:
        out["Tags"] = found
    if view == "get":
        last: dict[str, Any] = {}
        if role.role_last_used_at is not None:
            last["LastUsedDate"] = role.role_last_used_at
            if role.role_last_used_region:
                last["Region"] = role.role_last_used_region
        out["RoleLastUsed"] = last
    return out


def checked_trust_policy(ctx: IamContext, document: str) -> str:
    """The trust policy to store, after AWS's checks: at most 2,048 characters not counting
    white space (LimitExceeded), a valid trust policy (MalformedPolicyDocument), and every
    principal of this account an existing user or role, as AWS resolves principals to unique
    ids when the policy is saved
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html)."""
    text = decode_document(document)
    if sum(1 for c in text if not c.isspace()) > TRUST_POLICY_QUOTA:
        raise limit_exceeded(f"Cannot exceed quota for ACLSizePerRole: {TRUST_POLICY_QUOTA}")
    try:
        parse_policy(text, PolicyKind.TRUST)
    except MalformedPolicyDocument as exc:
        raise malformed_policy(exc.message) from None
    for arn in _aws_principals(text):
        if not _principal_exists(ctx, arn):
            raise malformed_policy(f'Invalid principal in policy: "AWS":"{arn}"')
    return text


def new_role(
    ctx: IamContext,
    *,
    name: str,
    path: str,
    trust_policy: str,
    description: str | None = None,
    max_session_duration: int = 3600,
    boundary: str | None = None,
) -> Role:
    """A role added to the session, after the account's role quota is checked."""
    count = ctx.session.scalar(
        select(func.count()).select_from(Role).where(Role.account_id == ctx.account_id)
    )
    if (count or 0) >= ROLES_PER_ACCOUNT:
        raise limit_exceeded(f"Cannot exceed quota for RolesPerAccount: {ROLES_PER_ACCOUNT}")
    role = Role(
        role_id=ctx.ids.new_unique_id("AROA"),
        account_id=ctx.account_id,
        name=name,
        path=path,
        arn=ctx.arn("role", path, name),
        created_at=ctx.now,
        assume_role_policy=trust_policy,
        description=description or None,
        max_session_duration=max_session_duration,
        permissions_boundary_arn=boundary,
    )
    ctx.session.add(role)
    return role


def remove_role(ctx: IamContext, role: Role) -> None:
    """Delete a role with its tags (callers check first what must block the deletion)."""
    drop_all_tags(ctx.session, role.arn)
    ctx.session.delete(role)


# -- handlers -----------------------------------------------------------------------------------


def create_role(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    name = params["RoleName"]
    path = params.get("Path", "/")
    if find_by_name(ctx.session, Role, ctx.account_id, name) is not None:
        raise already_exists("role", name)
    _refuse_signin_duration(params)
    trust = checked_trust_policy(ctx, params["AssumeRolePolicyDocument"])
    boundary = params.get("PermissionsBoundary")
    if boundary is not None:
        check_boundary_arn(ctx, boundary)
    role = new_role(
        ctx,
        name=name,
        path=path,
        trust_policy=trust,
        description=params.get("Description"),
        max_session_duration=params.get("MaxSessionDuration", 3600),
        boundary=boundary,
    )
    set_tags(ctx.session, ctx.account_id, role.arn, params.get("Tags"))
    ctx.session.flush()
    return {"Role": role_shape(ctx, role, view="create")}


def get_role(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    return {"Role": role_shape(ctx, get_role_row(ctx, params["RoleName"]))}


def list_roles(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    page = list_page(
        ctx.session,
        Role,
        ctx.account_id,
        path_prefix=params.get("PathPrefix", "/"),
        marker=params.get("Marker"),
        max_items=params.get("MaxItems", 100),
    )
    out: dict[str, Any] = {
        "Roles": [role_shape(ctx, r, view="list") for r in page.items],
        "IsTruncated": page.marker is not None,
    }
    if page.marker is not None:
        out["Marker"] = page.marker
    return out


def update_role(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    """A service-linked role's description may change; nothing else of it may
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html)."""
    role = get_role_row(ctx, params["RoleName"])
    _refuse_signin_duration(params)
    if "MaxSessionDuration" in params:
        ensure_modifiable(role)
        role.max_session_duration = params["MaxSessionDuration"]
    if "Description" in params:
        role.description = params["Description"] or None
    return {}


def update_role_description(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    role = get_role_row(ctx, params["RoleName"])
    role.description = params["Description"] or None
    return {"Role": role_shape(ctx, role)}


def update_assume_role_policy(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    role = get_role_row(ctx, params["RoleName"])
    ensure_modifiable(role)
    role.assume_role_policy = checked_trust_policy(ctx, params["PolicyDocument"])
    return {}


def delete_role(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    """AWS refuses while the role has inline or attached policies or is in an instance profile
    (https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteRole.html)."""
    role = get_role_row(ctx, params["RoleName"])
    ensure_modifiable(role)
    rid = role.role_id
    checks = [
        (
            select(InlinePolicy.id).where(
                InlinePolicy.principal_type == PrincipalType.ROLE, InlinePolicy.principal_id == rid
            ),
            "must delete policies first.",
        ),
        (
            select(PolicyAttachment.id).where(
                PolicyAttachment.principal_type == PrincipalType.ROLE,
                PolicyAttachment.principal_id == rid,
            ),
            "must detach all policies first.",
        ),
        (
            select(InstanceProfileRole.instance_profile_id).where(
                InstanceProfileRole.role_id == rid
            ),
            "must remove roles from instance profile first.",
        ),
    ]
    for query, tail in checks:
        if ctx.session.scalars(query.limit(1)).first() is not None:
            raise delete_conflict(f"Cannot delete entity, {tail}")
    remove_role(ctx, role)
    return {}


# -- helpers ------------------------------------------------------------------------------------


def _refuse_signin_duration(params: dict[str, Any]) -> None:
    """MaxSigninSessionDuration has no place in the store yet: refuse it rather than drop it."""
    if "MaxSigninSessionDuration" in params or "ResetMaxSigninSessionDuration" in params:
        raise ServiceError(
            "NotImplemented",
            "localiam does not implement MaxSigninSessionDuration yet.",
            501,
            sender=False,
        )


def _aws_principals(text: str) -> list[str]:
    """The `AWS` principal ARNs a (valid) trust policy names, as written."""
    document = json.loads(text)
    statements = document.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    found: list[str] = []
    for statement in statements:
        principal = statement.get("Principal") if isinstance(statement, dict) else None
        if not isinstance(principal, dict):
            continue
        names = principal.get("AWS", [])
        for name in [names] if isinstance(names, str) else names:
            if isinstance(name, str) and (name.startswith("arn:") or is_unique_id(name)):
                found.append(name)
    return found


def _principal_exists(ctx: IamContext, arn: str) -> bool:
    """Whether a user or role ARN of this account names an existing entity (ARNs of other
    accounts, and of the account itself, are taken as they are)."""
    if is_unique_id(arn):
        return False  # unique ids appear only in stored policies, never in given ones
    prefix = f"arn:aws:iam::{ctx.account_id}:"
    if not arn.startswith(prefix):
        return True
    kind, _, rest = arn[len(prefix) :].partition("/")
    name = rest.rsplit("/", 1)[-1]
    row: User | Role | None
    if kind == "user":
        row = find_by_name(ctx.session, User, ctx.account_id, name)
    elif kind == "role":
        row = find_by_name(ctx.session, Role, ctx.account_id, name)
    else:
        return True
    return row is not None and row.arn == arn


tag_role, untag_role, list_role_tags = tag_handlers(
    lambda ctx, params: get_role_row(ctx, params["RoleName"]).arn
)


HANDLERS: dict[str, Handler] = {
    "CreateRole": create_role,
    "GetRole": get_role,
    "ListRoles": list_roles,
    "UpdateRole": update_role,
    "UpdateRoleDescription": update_role_description,
    "UpdateAssumeRolePolicy": update_assume_role_policy,
    "DeleteRole": delete_role,
    "TagRole": tag_role,
    "UntagRole": untag_role,
    "ListRoleTags": list_role_tags,
}
