"""Instance profiles: CreateInstanceProfile, GetInstanceProfile, ListInstanceProfiles,
DeleteInstanceProfile, AddRoleToInstanceProfile, RemoveRoleFromInstanceProfile,
ListInstanceProfilesForRole, TagInstanceProfile, UntagInstanceProfile, ListInstanceProfileTags
(https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-ec2_instance-profiles.html).

An instance profile holds at most one role
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
"""

from __future__ import annotations

from typing import Any

from localiam.protocol import ServiceError
from localiam.services.iam._context import Handler, IamContext
from localiam.services.iam._errors import delete_conflict, limit_exceeded, no_such_entity
from localiam.services.iam._lookup import get_role_row
from localiam.services.iam._roles import ensure_modifiable, role_shape
from localiam.services.iam._tags import drop_all_tags, set_tags, tag_handlers, tags_of
from localiam.store import find_by_name, func, list_page, select
from localiam.store.models import InstanceProfile, InstanceProfileRole

ROLES_PER_PROFILE = 1
PROFILES_PER_ACCOUNT = 1000


def _no_such_profile(name: str) -> ServiceError:
    """AWS's wording differs from the other entities': "Instance Profile web cannot be found."."""
    return ServiceError("NoSuchEntity", f"Instance Profile {name} cannot be found.", 404)


def get_profile_row(ctx: IamContext, name: str) -> InstanceProfile:
    profile = find_by_name(ctx.session, InstanceProfile, ctx.account_id, name)
    if profile is None:
        raise _no_such_profile(name)
    return profile


def profile_shape(
    ctx: IamContext, profile: InstanceProfile, *, tags: bool = False
) -> dict[str, Any]:
    """An `InstanceProfile` with its roles; `tags` for Create and Get (the lists leave them out)."""
    out: dict[str, Any] = {
        "Path": profile.path,
        "InstanceProfileName": profile.name,
        "InstanceProfileId": profile.instance_profile_id,
        "Arn": profile.arn,
        "CreateDate": profile.created_at,
        "Roles": [role_shape(ctx, r, view="brief") for r in profile.roles],
    }
    if tags:
        found = tags_of(ctx.session, profile.arn)
        if found:
            out["Tags"] = found
    return out


def create_instance_profile(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    name = params["InstanceProfileName"]
    path = params.get("Path", "/")
    if find_by_name(ctx.session, InstanceProfile, ctx.account_id, name) is not None:
        raise ServiceError("EntityAlreadyExists", f"Instance Profile {name} already exists.", 409)
    count = ctx.session.scalar(
        select(func.count())
        .select_from(InstanceProfile)
        .where(InstanceProfile.account_id == ctx.account_id)
    )
    if (count or 0) >= PROFILES_PER_ACCOUNT:
        raise limit_exceeded(
            f"Cannot exceed quota for InstanceProfilesPerAccount: {PROFILES_PER_ACCOUNT}"
        )
    profile = InstanceProfile(
        instance_profile_id=ctx.ids.new_unique_id("AIPA"),
        account_id=ctx.account_id,
        name=name,
        path=path,
        arn=ctx.arn("instance-profile", path, name),
        created_at=ctx.now,
    )
    ctx.session.add(profile)
    set_tags(ctx.session, ctx.account_id, profile.arn, params.get("Tags"))
    ctx.session.flush()
    return {"InstanceProfile": profile_shape(ctx, profile, tags=True)}


def get_instance_profile(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    profile = get_profile_row(ctx, params["InstanceProfileName"])
    return {"InstanceProfile": profile_shape(ctx, profile, tags=True)}


def list_instance_profiles(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    page = list_page(
        ctx.session,
        InstanceProfile,
        ctx.account_id,
        path_prefix=params.get("PathPrefix", "/"),
        marker=params.get("Marker"),
        max_items=params.get("MaxItems", 100),
    )
    return _profiles_page(ctx, list(page.items), page.marker)


def delete_instance_profile(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    profile = get_profile_row(ctx, params["InstanceProfileName"])
    if profile.roles:
        raise delete_conflict(
            "Cannot delete entity, must remove roles from instance profile first."
        )
    drop_all_tags(ctx.session, profile.arn)
    ctx.session.delete(profile)
    return {}


def add_role_to_instance_profile(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    profile = get_profile_row(ctx, params["InstanceProfileName"])
    role = get_role_row(ctx, params["RoleName"])
    ensure_modifiable(role)
    if len(profile.roles) >= ROLES_PER_PROFILE:
        raise limit_exceeded(
            f"Cannot exceed quota for InstanceSessionsPerInstanceProfile: {ROLES_PER_PROFILE}"
        )
    profile.roles.append(role)
    return {}


def remove_role_from_instance_profile(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    profile = get_profile_row(ctx, params["InstanceProfileName"])
    role = get_role_row(ctx, params["RoleName"])
    if role not in profile.roles:
        raise no_such_entity("role", params["RoleName"])
    profile.roles.remove(role)
    return {}


def list_instance_profiles_for_role(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    role = get_role_row(ctx, params["RoleName"])
    query = (
        select(InstanceProfile)
        .join(
            InstanceProfileRole,
            InstanceProfileRole.instance_profile_id == InstanceProfile.instance_profile_id,
        )
        .where(InstanceProfileRole.role_id == role.role_id)
    )
    marker = params.get("Marker")
    if marker is not None:
        query = query.where(InstanceProfile.name_lower > marker)
    limit = params.get("MaxItems", 100)
    rows = list(ctx.session.scalars(query.order_by(InstanceProfile.name_lower).limit(limit + 1)))
    items = rows[:limit]
    return _profiles_page(ctx, items, items[-1].name_lower if len(rows) > limit else None)


def _profiles_page(
    ctx: IamContext, items: list[InstanceProfile], marker: str | None
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "InstanceProfiles": [profile_shape(ctx, p) for p in items],
        "IsTruncated": marker is not None,
    }
    if marker is not None:
        out["Marker"] = marker
    return out


tag_instance_profile, untag_instance_profile, list_instance_profile_tags = tag_handlers(
    lambda ctx, params: get_profile_row(ctx, params["InstanceProfileName"]).arn
)


HANDLERS: dict[str, Handler] = {
    "CreateInstanceProfile": create_instance_profile,
    "GetInstanceProfile": get_instance_profile,
    "ListInstanceProfiles": list_instance_profiles,
    "DeleteInstanceProfile": delete_instance_profile,
    "AddRoleToInstanceProfile": add_role_to_instance_profile,
    "RemoveRoleFromInstanceProfile": remove_role_from_instance_profile,
    "ListInstanceProfilesForRole": list_instance_profiles_for_role,
    "TagInstanceProfile": tag_instance_profile,
    "UntagInstanceProfile": untag_instance_profile,
    "ListInstanceProfileTags": list_instance_profile_tags,
}
