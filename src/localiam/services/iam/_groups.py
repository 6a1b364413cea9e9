"""Groups: CreateGroup, GetGroup, ListGroups, UpdateGroup, DeleteGroup, AddUserToGroup,
RemoveUserFromGroup, ListGroupsForUser
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_Operations.html).

Quotas (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html): 300 groups
per account, a user in at most 10 groups.
"""

from __future__ import annotations

from typing import Any

from localiam.services.iam._context import Handler, IamContext
from localiam.services.iam._errors import already_exists, delete_conflict, limit_exceeded
from localiam.services.iam._lookup import get_group_row, get_user_row
from localiam.services.iam._users import user_shape
from localiam.store import find_by_name, func, list_page, select
from localiam.store.models import (
    Group,
    GroupMembership,
    InlinePolicy,
    PolicyAttachment,
    PrincipalType,
    User,
)

MAX_GROUPS = 300
MAX_GROUPS_PER_USER = 10


def group_shape(group: Group) -> dict[str, Any]:
    return {
        "Path": group.path,
        "GroupName": group.name,
        "GroupId": group.group_id,
        "Arn": group.arn,
        "CreateDate": group.created_at,
    }


def _page_fields(marker: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"IsTruncated": marker is not None}
    if marker is not None:
        out["Marker"] = marker
    return out


def create_group(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    name = params["GroupName"]
    path = params.get("Path", "/")
    if find_by_name(ctx.session, Group, ctx.account_id, name) is not None:
        raise already_exists("group", name)
    count = ctx.session.scalar(
        select(func.count()).select_from(Group).where(Group.account_id == ctx.account_id)
    )
    if (count or 0) >= MAX_GROUPS:
        raise limit_exceeded(f"Cannot exceed quota for GroupsPerAccount: {MAX_GROUPS}")
    group = Group(
        group_id=ctx.ids.new_unique_id("AGPA"),
        account_id=ctx.account_id,
        name=name,
        path=path,
        arn=ctx.arn("group", path, name),
        created_at=ctx.now,
    )
    ctx.session.add(group)
    ctx.session.flush()
    return {"Group": group_shape(group)}


def get_group(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    """The group and a page of its users, by name."""
    group = get_group_row(ctx, params["GroupName"])
    limit = int(params.get("MaxItems", 100))
    query = (
        select(User)
        .join(GroupMembership, GroupMembership.user_id == User.user_id)
        .where(GroupMembership.group_id == group.group_id)
    )
    marker = params.get("Marker")
    if marker is not None:
        query = query.where(User.name_lower > marker)
    rows = list(ctx.session.scalars(query.order_by(User.name_lower).limit(limit + 1)))
    users = rows[:limit]
    next_marker = users[-1].name_lower if len(rows) > limit else None
    return {
        "Group": group_shape(group),
        "Users": [user_shape(ctx, u) for u in users],
        **_page_fields(next_marker),
    }


def list_groups(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    page = list_page(
        ctx.session,
        Group,
        ctx.account_id,
        path_prefix=params.get("PathPrefix", "/"),
        marker=params.get("Marker"),
        max_items=params.get("MaxItems", 100),
    )
    return {"Groups": [group_shape(g) for g in page.items], **_page_fields(page.marker)}


def update_group(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    group = get_group_row(ctx, params["GroupName"])
    new_name = params.get("NewGroupName")
    new_path = params.get("NewPath")
    if (
        new_name is not None
        and new_name.lower() != group.name.lower()
        and find_by_name(ctx.session, Group, ctx.account_id, new_name) is not None
    ):
        raise already_exists("group", new_name)
    if new_name is not None:
        group.name = new_name
    if new_path is not None:
        group.path = new_path
    group.arn = ctx.arn("group", group.path, group.name)
    return {}


def delete_group(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    """AWS refuses while the group has users, inline policies or attached policies
    (https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteGroup.html)."""
    group = get_group_row(ctx, params["GroupName"])
    gid = group.group_id
    checks = [
        (
            select(GroupMembership.user_id).where(GroupMembership.group_id == gid),
            "must remove users from group first.",
        ),
        (
            select(InlinePolicy.id).where(
                InlinePolicy.principal_type == PrincipalType.GROUP, InlinePolicy.principal_id == gid
            ),
            "must delete policies first.",
        ),
        (
            select(PolicyAttachment.id).where(
                PolicyAttachment.principal_type == PrincipalType.GROUP,
                PolicyAttachment.principal_id == gid,
            ),
            "must detach all policies first.",
        ),
    ]
    for query, tail in checks:
        if ctx.session.scalars(query.limit(1)).first() is not None:
            raise delete_conflict(f"Cannot delete entity, {tail}")
    ctx.session.delete(group)
    return {}


def _membership(ctx: IamContext, group: Group, user: User) -> GroupMembership | None:
    return ctx.session.get(GroupMembership, (group.group_id, user.user_id))


def add_user_to_group(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    """Adding a member again changes nothing, as in AWS."""
    group = get_group_row(ctx, params["GroupName"])
    user = get_user_row(ctx, params["UserName"])
    if _membership(ctx, group, user) is not None:
        return {}
    count = ctx.session.scalar(
        select(func.count())
        .select_from(GroupMembership)
        .where(GroupMembership.user_id == user.user_id)
    )
    if (count or 0) >= MAX_GROUPS_PER_USER:
        raise limit_exceeded(f"Cannot exceed quota for GroupsPerUser: {MAX_GROUPS_PER_USER}")
    ctx.session.add(GroupMembership(group_id=group.group_id, user_id=user.user_id))
    ctx.session.flush()
    return {}


def remove_user_from_group(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    """Removing a user that is not a member succeeds without change, as AWS answers it."""
    group = get_group_row(ctx, params["GroupName"])
    user = get_user_row(ctx, params["UserName"])
    membership = _membership(ctx, group, user)
    if membership is not None:
        ctx.session.delete(membership)
        ctx.session.flush()
    return {}


def list_groups_for_user(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    user = get_user_row(ctx, params["UserName"])
    limit = int(params.get("MaxItems", 100))
    query = (
        select(Group)
        .join(GroupMembership, GroupMembership.group_id == Group.group_id)
        .where(GroupMembership.user_id == user.user_id)
    )
    marker = params.get("Marker")
    if marker is not None:
        query = query.where(Group.name_lower > marker)
    rows = list(ctx.session.scalars(query.order_by(Group.name_lower).limit(limit + 1)))
    groups = rows[:limit]
    next_marker = groups[-1].name_lower if len(rows) > limit else None
    return {"Groups": [group_shape(g) for g in groups], **_page_fields(next_marker)}


HANDLERS: dict[str, Handler] = {
    "CreateGroup": create_group,
    "GetGroup": get_group,
    "ListGroups": list_groups,
    "UpdateGroup": update_group,
    "DeleteGroup": delete_group,
    "AddUserToGroup": add_user_to_group,
    "RemoveUserFromGroup": remove_user_from_group,
    "ListGroupsForUser": list_groups_for_user,
}
