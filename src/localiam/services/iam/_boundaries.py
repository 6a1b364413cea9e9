"""Permissions boundaries: PutUserPermissionsBoundary, DeleteUserPermissionsBoundary,
PutRolePermissionsBoundary, DeleteRolePermissionsBoundary (and the check shared with
CreateUser/CreateRole)
(https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html)."""

from __future__ import annotations

from typing import Any

from localiam.services.iam._context import Handler, IamContext
from localiam.services.iam._errors import invalid_input
from localiam.services.iam._lookup import get_role_row, get_user_row
from localiam.store import select
from localiam.store.models import ManagedPolicy, Role


def check_boundary_arn(ctx: IamContext, arn: str) -> None:
    """A boundary must be an existing managed policy (AWS managed or of this account)."""
    if ctx.managed.get(arn) is not None:
        return
    found = ctx.session.scalars(
        select(ManagedPolicy.policy_id).where(ManagedPolicy.arn == arn)
    ).first()
    if found is None:
        raise invalid_input(f"ARN {arn} is not valid.")


def put_user_permissions_boundary(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    user = get_user_row(ctx, params["UserName"])
    check_boundary_arn(ctx, params["PermissionsBoundary"])
    user.permissions_boundary_arn = params["PermissionsBoundary"]
    return {}


def delete_user_permissions_boundary(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    user = get_user_row(ctx, params["UserName"])
    user.permissions_boundary_arn = None
    return {}


def put_role_permissions_boundary(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    role = get_role_row(ctx, params["RoleName"])
    _ensure_role_modifiable(role)
    check_boundary_arn(ctx, params["PermissionsBoundary"])
    role.permissions_boundary_arn = params["PermissionsBoundary"]
    return {}


def delete_role_permissions_boundary(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    role = get_role_row(ctx, params["RoleName"])
    _ensure_role_modifiable(role)
    role.permissions_boundary_arn = None
    return {}


def _ensure_role_modifiable(role: Role) -> None:
    # Imported here: _roles imports check_boundary_arn from this module.
    from localiam.services.iam._roles import ensure_modifiable

    ensure_modifiable(role)


HANDLERS: dict[str, Handler] = {
    "PutUserPermissionsBoundary": put_user_permissions_boundary,
    "DeleteUserPermissionsBoundary": delete_user_permissions_boundary,
    "PutRolePermissionsBoundary": put_role_permissions_boundary,
    "DeleteRolePermissionsBoundary": delete_role_permissions_boundary,
}
