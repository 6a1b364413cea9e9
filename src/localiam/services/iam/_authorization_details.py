"""GetAccountAuthorizationDetails: every user, group, role and managed policy of the account with
their relationships, in one listing
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html).

Policy documents are URL-encoded (RFC 3986), as AWS returns them. `Filter` keeps the entity types
named (`User`, `Group`, `Role`, `LocalManagedPolicy`, `AWSManagedPolicy`). AWS managed policies
appear when something in the account uses them (attached, or as a permissions boundary), or
every one of them when `AWSManagedPolicy` is asked for by name. Paging counts entities across
the four lists, in the order users, groups, roles, policies, each by name ignoring case.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from localiam.services.iam._context import Handler, IamContext
from localiam.services.iam._errors import invalid_input
from localiam.services.iam._policies_of import PolicyTexts
from localiam.services.iam._policy_docs import PolicyView, aws_view, customer_view, encoded_document
from localiam.services.iam._tags import tags_of
from localiam.store import func, page_query, select
from localiam.store.models import (
    Group,
    GroupMembership,
    InlinePolicy,
    InstanceProfile,
    InstanceProfileRole,
    ManagedPolicy,
    PolicyAttachment,
    PolicyVersion,
    PrincipalType,
    Role,
    User,
)

_ALL = frozenset({"User", "Group", "Role", "LocalManagedPolicy", "AWSManagedPolicy"})

#: Reads up to `limit` items of one list after a key: (key, shape) pairs in key order.
Reader = Callable[[IamContext, set[str], str | None, int], list[tuple[str, dict[str, Any]]]]


@dataclass(frozen=True, slots=True)
class _Section:
    """One of the four lists: its output member and how to read a page of it after a key."""

    member: str
    read: Reader


def _inline(ctx: IamContext, owner_type: PrincipalType, owner_id: str) -> list[dict[str, Any]]:
    rows = ctx.session.scalars(
        select(InlinePolicy)
        .where(InlinePolicy.principal_type == owner_type, InlinePolicy.principal_id == owner_id)
        .order_by(InlinePolicy.name)
    )
    return [{"PolicyName": r.name, "PolicyDocument": encoded_document(r.document)} for r in rows]


def _attached(ctx: IamContext, owner_type: PrincipalType, owner_id: str) -> list[dict[str, Any]]:
    arns = ctx.session.scalars(
        select(PolicyAttachment.policy_arn)
        .where(
            PolicyAttachment.principal_type == owner_type,
            PolicyAttachment.principal_id == owner_id,
        )
        .order_by(PolicyAttachment.id)
    )
    return [{"PolicyName": arn.rsplit("/", 1)[-1], "PolicyArn": arn} for arn in arns]


def _boundary(arn: str | None) -> dict[str, str] | None:
    if not arn:
        return None
    return {"PermissionsBoundaryType": "PermissionsBoundaryPolicy", "PermissionsBoundaryArn": arn}


def _with_optional(out: dict[str, Any], **members: Any) -> dict[str, Any]:
    out.update({k: v for k, v in members.items() if v})
    return out


def _user(ctx: IamContext, user: User) -> dict[str, Any]:
    groups = ctx.session.scalars(
        select(Group.name)
        .join(GroupMembership, GroupMembership.group_id == Group.group_id)
        .where(GroupMembership.user_id == user.user_id)
        .order_by(Group.name_lower)
    )
    out = {
        "Path": user.path,
        "UserName": user.name,
        "UserId": user.user_id,
        "Arn": user.arn,
        "CreateDate": user.created_at,
        "UserPolicyList": _inline(ctx, PrincipalType.USER, user.user_id),
        "GroupList": list(groups),
        "AttachedManagedPolicies": _attached(ctx, PrincipalType.USER, user.user_id),
    }
    return _with_optional(
        out,
        PermissionsBoundary=_boundary(user.permissions_boundary_arn),
        Tags=tags_of(ctx.session, user.arn),
    )


def _group(ctx: IamContext, group: Group) -> dict[str, Any]:
    return {
        "Path": group.path,
        "GroupName": group.name,
        "GroupId": group.group_id,
        "Arn": group.arn,
        "CreateDate": group.created_at,
        "GroupPolicyList": _inline(ctx, PrincipalType.GROUP, group.group_id),
        "AttachedManagedPolicies": _attached(ctx, PrincipalType.GROUP, group.group_id),
    }


def _role_in_profile(role: Role) -> dict[str, Any]:
    return {
        "Path": role.path,
        "RoleName": role.name,
        "RoleId": role.role_id,
        "Arn": role.arn,
        "CreateDate": role.created_at,
        "AssumeRolePolicyDocument": encoded_document(role.assume_role_policy),
    }


def _instance_profiles(ctx: IamContext, role: Role) -> list[dict[str, Any]]:
    profiles = ctx.session.scalars(
        select(InstanceProfile)
        .join(
            InstanceProfileRole,
            InstanceProfileRole.instance_profile_id == InstanceProfile.instance_profile_id,
        )
        .where(InstanceProfileRole.role_id == role.role_id)
        .order_by(InstanceProfile.name_lower)
    )
    out = []
    for profile in profiles:
        members = ctx.session.scalars(
            select(Role)
            .join(InstanceProfileRole, InstanceProfileRole.role_id == Role.role_id)
            .where(InstanceProfileRole.instance_profile_id == profile.instance_profile_id)
            .order_by(Role.name_lower)
        )
        shape = {
            "Path": profile.path,
            "InstanceProfileName": profile.name,
            "InstanceProfileId": profile.instance_profile_id,
            "Arn": profile.arn,
            "CreateDate": profile.created_at,
            "Roles": [_role_in_profile(r) for r in members],
        }
        out.append(_with_optional(shape, Tags=tags_of(ctx.session, profile.arn)))
    return out


def _role(ctx: IamContext, role: Role) -> dict[str, Any]:
    last_used: dict[str, Any] = {}
    if role.role_last_used_at is not None:
        last_used["LastUsedDate"] = role.role_last_used_at
        if role.role_last_used_region:
            last_used["Region"] = role.role_last_used_region
    out = {
        "Path": role.path,
        "RoleName": role.name,
        "RoleId": role.role_id,
        "Arn": role.arn,
        "CreateDate": role.created_at,
        "AssumeRolePolicyDocument": encoded_document(role.assume_role_policy),
        "InstanceProfileList": _instance_profiles(ctx, role),
        "RolePolicyList": _inline(ctx, PrincipalType.ROLE, role.role_id),
        "AttachedManagedPolicies": _attached(ctx, PrincipalType.ROLE, role.role_id),
        "RoleLastUsed": last_used,
    }
    return _with_optional(
        out,
        PermissionsBoundary=_boundary(role.permissions_boundary_arn),
        Tags=tags_of(ctx.session, role.arn),
    )


def _entities(model: Any, shape: Callable[[IamContext, Any], dict[str, Any]], kind: str) -> Reader:
    def read(
        ctx: IamContext, wanted: set[str], after: str | None, limit: int
    ) -> list[tuple[str, dict[str, Any]]]:
        if kind not in wanted:
            return []
        rows = ctx.session.scalars(page_query(model, ctx.account_id, marker=after, limit=limit))
        return [(row.name_lower, shape(ctx, row)) for row in rows]

    return read


# --- managed policies -------------------------------------------------------------------------


def _counts(ctx: IamContext) -> tuple[dict[str, int], dict[str, int]]:
    """How many entities each policy is attached to, and is the permissions boundary of."""
    attached = {
        arn: int(n)
        for arn, n in ctx.session.execute(
            select(PolicyAttachment.policy_arn, func.count())
            .where(PolicyAttachment.account_id == ctx.account_id)
            .group_by(PolicyAttachment.policy_arn)
        )
    }
    boundaries: dict[str, int] = {}
    for column, account in (
        (User.permissions_boundary_arn, User.account_id),
        (Role.permissions_boundary_arn, Role.account_id),
    ):
        query = select(column, func.count()).where(account == ctx.account_id, column.is_not(None))
        for arn, n in ctx.session.execute(query.group_by(column)):
            if arn is not None:
                boundaries[arn] = boundaries.get(arn, 0) + int(n)
    return attached, boundaries


def _versions(ctx: IamContext, view: PolicyView) -> list[dict[str, Any]]:
    if view.aws is not None:
        text = PolicyTexts(ctx.managed).managed_document(ctx.session, view.arn) or "{}"
        return [
            {
                "Document": encoded_document(text),
                "VersionId": view.default_version_id,
                "IsDefaultVersion": True,
                "CreateDate": view.updated_at,
            }
        ]
    assert view.row is not None
    rows = ctx.session.scalars(
        select(PolicyVersion).where(PolicyVersion.policy_id == view.row.policy_id)
    )
    ordered = sorted(rows, key=lambda v: (v.created_at, _version_number(v.version_id)))
    return [
        {
            "Document": encoded_document(v.document),
            "VersionId": v.version_id,
            "IsDefaultVersion": v.is_default,
            "CreateDate": v.created_at,
        }
        for v in reversed(ordered)
    ]


def _version_number(version_id: str) -> int:
    digits = version_id[1:].split(".", 1)[0]
    return int(digits) if digits.isdigit() else 0


def _policy_views(
    ctx: IamContext, wanted: set[str], explicit: bool, in_use: Iterable[str]
) -> Iterable[PolicyView]:
    if "LocalManagedPolicy" in wanted:
        rows = ctx.session.scalars(
            select(ManagedPolicy).where(ManagedPolicy.account_id == ctx.account_id)
        )
        yield from (customer_view(r) for r in rows)
    if "AWSManagedPolicy" in wanted:
        if explicit:
            yield from (aws_view(p) for p in ctx.managed)
        else:
            for arn in sorted(set(in_use)):
                policy = ctx.managed.get(arn)
                if policy is not None:
                    yield aws_view(policy)


def _policies(explicit: bool) -> Reader:
    def read(
        ctx: IamContext, wanted: set[str], after: str | None, limit: int
    ) -> list[tuple[str, dict[str, Any]]]:
        attached, boundaries = _counts(ctx)
        views = _policy_views(ctx, wanted, explicit, [*attached, *boundaries])
        chosen = sorted(
            (v for v in views if after is None or v.sort_key > after), key=lambda v: v.sort_key
        )[:limit]
        out = []
        for view in chosen:
            shape: dict[str, Any] = {
                "PolicyName": view.name,
                "PolicyId": view.policy_id,
                "Arn": view.arn,
                "Path": view.path,
                "DefaultVersionId": view.default_version_id,
                "AttachmentCount": attached.get(view.arn, 0),
                "PermissionsBoundaryUsageCount": boundaries.get(view.arn, 0),
                "IsAttachable": True,
                "CreateDate": view.created_at,
                "UpdateDate": view.updated_at,
                "PolicyVersionList": _versions(ctx, view),
            }
            if view.row is not None and view.row.description:
                shape["Description"] = view.row.description
            out.append((view.sort_key, shape))
        return out

    return read


# --- paging -----------------------------------------------------------------------------------


def _encode_marker(section: int, key: str) -> str:
    return base64.urlsafe_b64encode(f"{section}:{key}".encode()).decode("ascii")


def _decode_marker(marker: str) -> tuple[int, str]:
    try:
        section, _, key = base64.urlsafe_b64decode(marker.encode("ascii")).decode().partition(":")
        if section.isdigit() and int(section) < 4:
            return int(section), key
    except (binascii.Error, UnicodeError, ValueError):
        pass
    raise invalid_input("Invalid Marker.")


def get_account_authorization_details(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    requested = params.get("Filter") or []
    wanted = set(requested) if requested else set(_ALL)
    sections = (
        _Section("UserDetailList", _entities(User, _user, "User")),
        _Section("GroupDetailList", _entities(Group, _group, "Group")),
        _Section("RoleDetailList", _entities(Role, _role, "Role")),
        _Section("Policies", _policies("AWSManagedPolicy" in requested)),
    )
    start, after = _decode_marker(params["Marker"]) if "Marker" in params else (0, None)
    room = int(params.get("MaxItems", 100))
    out: dict[str, Any] = {section.member: [] for section in sections}
    last: str | None = None  # the marker of the last item returned
    marker = None
    for index, section in enumerate(sections[start:], start=start):
        items = section.read(ctx, wanted, after if index == start else None, room + 1)
        if room == 0:  # the page is full: is there more?
            marker = last if items else None
            if items:
                break
            continue
        taken = items[:room]
        out[section.member] = [shape for _, shape in taken]
        room -= len(taken)
        if taken:
            last = _encode_marker(index, taken[-1][0])
        if len(items) > len(taken):
            marker = last
            break
    out["IsTruncated"] = marker is not None
    if marker is not None:
        out["Marker"] = marker
    return out


HANDLERS: dict[str, Handler] = {
    "GetAccountAuthorizationDetails": get_account_authorization_details,
}
