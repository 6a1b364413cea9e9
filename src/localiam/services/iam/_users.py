"""Users: CreateUser, GetUser, ListUsers, UpdateUser, DeleteUser, TagUser, UntagUser,
ListUserTags (https://docs.aws.amazon.com/IAM/latest/APIReference/API_Operations.html)."""

from __future__ import annotations

from typing import Any

from localiam.services.iam._boundaries import check_boundary_arn
from localiam.services.iam._context import Handler, IamContext
from localiam.services.iam._errors import already_exists, delete_conflict, invalid_input
from localiam.services.iam._lookup import get_user_row, target_user_name
from localiam.services.iam._tags import (
    drop_all_tags,
    set_tags,
    tag_handlers,
    tags_of,
)
from localiam.store import find_by_name, list_page, select
from localiam.store.models import (
    AccessKey,
    GroupMembership,
    InlinePolicy,
    LoginProfile,
    MfaDevice,
    PolicyAttachment,
    PrincipalType,
    ServiceSpecificCredential,
    SigningCertificate,
    SshPublicKey,
    Tag,
    User,
)


def user_shape(ctx: IamContext, user: User, *, tags: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "Path": user.path,
        "UserName": user.name,
        "UserId": user.user_id,
        "Arn": user.arn,
        "CreateDate": user.created_at,
    }
    if user.password_last_used is not None:
        out["PasswordLastUsed"] = user.password_last_used
    if user.permissions_boundary_arn:
        out["PermissionsBoundary"] = {
            "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
            "PermissionsBoundaryArn": user.permissions_boundary_arn,
        }
    if tags:
        found = tags_of(ctx.session, user.arn)
        if found:
            out["Tags"] = found
    return out


def create_user(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    name = params["UserName"]
    path = params.get("Path", "/")
    if find_by_name(ctx.session, User, ctx.account_id, name) is not None:
        raise already_exists("user", name)
    boundary = params.get("PermissionsBoundary")
    if boundary is not None:
        check_boundary_arn(ctx, boundary)
    user = User(
        user_id=ctx.ids.new_unique_id("AIDA"),
        account_id=ctx.account_id,
        name=name,
        path=path,
        arn=ctx.arn("user", path, name),
        created_at=ctx.now,
        permissions_boundary_arn=boundary,
    )
    ctx.session.add(user)
    set_tags(ctx.session, ctx.account_id, user.arn, params.get("Tags"))
    ctx.session.flush()
    return {"User": user_shape(ctx, user, tags=True)}


def get_user(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    name = target_user_name(ctx, params.get("UserName"))
    if name is None:
        # The root user asking about itself.
        return {
            "User": {
                "UserId": ctx.account_id,
                "Arn": f"arn:aws:iam::{ctx.account_id}:root",
                "CreateDate": ctx.now,
                "Path": "/",
                "UserName": "",
            }
        }
    return {"User": user_shape(ctx, get_user_row(ctx, name), tags=True)}


def list_users(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    page = list_page(
        ctx.session,
        User,
        ctx.account_id,
        path_prefix=params.get("PathPrefix", "/"),
        marker=params.get("Marker"),
        max_items=params.get("MaxItems", 100),
    )
    out: dict[str, Any] = {
        "Users": [user_shape(ctx, u) for u in page.items],
        "IsTruncated": page.marker is not None,
    }
    if page.marker is not None:
        out["Marker"] = page.marker
    return out


def update_user(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    user = get_user_row(ctx, params["UserName"])
    new_name = params.get("NewUserName")
    new_path = params.get("NewPath")
    if (
        new_name is not None
        and new_name.lower() != user.name.lower()
        and find_by_name(ctx.session, User, ctx.account_id, new_name) is not None
    ):
        raise already_exists("user", new_name)
    old_arn = user.arn
    if new_name is not None:
        user.name = new_name
    if new_path is not None:
        user.path = new_path
    user.arn = ctx.arn("user", user.path, user.name)
    if user.arn != old_arn:
        for tag in ctx.session.scalars(select(Tag).where(Tag.resource_arn == old_arn)):
            tag.resource_arn = user.arn
    return {}


def delete_user(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    """AWS refuses while the user has keys, a password, MFA devices, policies or groups
    (https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteUser.html)."""
    user = get_user_row(ctx, params["UserName"])
    s = ctx.session
    uid = user.user_id
    checks = [
        (
            select(AccessKey.access_key_id).where(AccessKey.user_id == uid),
            "must delete access keys first.",
        ),
        (
            select(LoginProfile.user_id).where(LoginProfile.user_id == uid),
            "must delete login profile first.",
        ),
        (
            select(MfaDevice.serial_number).where(MfaDevice.user_id == uid),
            "must delete MFA device first.",
        ),
        (
            select(SigningCertificate.certificate_id).where(SigningCertificate.user_id == uid),
            "must delete signing certificates first.",
        ),
        (
            select(SshPublicKey.ssh_public_key_id).where(SshPublicKey.user_id == uid),
            "must delete SSH public keys first.",
        ),
        (
            select(InlinePolicy.id).where(
                InlinePolicy.principal_type == PrincipalType.USER, InlinePolicy.principal_id == uid
            ),
            "must delete policies first.",
        ),
        (
            select(PolicyAttachment.id).where(
                PolicyAttachment.principal_type == PrincipalType.USER,
                PolicyAttachment.principal_id == uid,
            ),
            "must detach all policies first.",
        ),
        (
            select(GroupMembership.group_id).where(GroupMembership.user_id == uid),
            "must remove users from group first.",
        ),
        (
            select(ServiceSpecificCredential.credential_id).where(
                ServiceSpecificCredential.user_id == uid
            ),
            "must delete service specific credentials first.",
        ),
    ]
    for query, tail in checks:
        if s.scalars(query.limit(1)).first() is not None:
            raise delete_conflict(f"Cannot delete entity, {tail}")
    drop_all_tags(s, user.arn)
    s.delete(user)
    return {}


def require(params: dict[str, Any], name: str) -> Any:
    if name not in params:
        raise invalid_input(f"{name} is required.")
    return params[name]


tag_user, untag_user, list_user_tags = tag_handlers(
    lambda ctx, params: get_user_row(ctx, params["UserName"]).arn
)


HANDLERS: dict[str, Handler] = {
    "CreateUser": create_user,
    "GetUser": get_user,
    "ListUsers": list_users,
    "UpdateUser": update_user,
    "DeleteUser": delete_user,
    "TagUser": tag_user,
    "UntagUser": untag_user,
    "ListUserTags": list_user_tags,
}
