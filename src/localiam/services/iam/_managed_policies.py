"""Managed policies: CreatePolicy, GetPolicy, DeletePolicy, ListPolicies, the version operations
(CreatePolicyVersion, GetPolicyVersion, ListPolicyVersions, SetDefaultPolicyVersion,
DeletePolicyVersion), TagPolicy, UntagPolicy, ListPolicyTags and ListEntitiesForPolicy
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_Operations.html).

Customer managed policies live in the store; AWS managed policies come from the shipped catalog
(`ctx.managed`), are read-only, and carry only their default version's document.
Quotas (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html): 1,500
customer managed policies per account, 6,144 characters per policy (white space not counted),
5 versions per policy.
"""

from __future__ import annotations

import json
from typing import Any

from localiam.protocol import ServiceError
from localiam.services.iam._context import Handler, IamContext
from localiam.services.iam._errors import delete_conflict, limit_exceeded
from localiam.services.iam._policy_docs import (
    PolicyView,
    aws_view,
    checked_document,
    customer_view,
    encoded_document,
    get_customer_policy,
    get_policy_view,
    page_of,
    policy_size,
)
from localiam.services.iam._tags import (
    drop_all_tags,
    set_tags,
    tag_handlers,
    tags_of,
)
from localiam.store import find_by_name, func, select
from localiam.store.models import (
    Group,
    ManagedPolicy,
    PolicyAttachment,
    PolicyVersion,
    PrincipalType,
    Role,
    User,
)

MAX_POLICIES = 1500
MAX_POLICY_SIZE = 6144
MAX_VERSIONS = 5


# --- usage counts -----------------------------------------------------------------------------


def attachment_counts(ctx: IamContext, arn: str | None = None) -> dict[str, int]:
    """How many users, groups and roles of the account each policy is attached to."""
    query = select(PolicyAttachment.policy_arn, func.count()).where(
        PolicyAttachment.account_id == ctx.account_id
    )
    if arn is not None:
        query = query.where(PolicyAttachment.policy_arn == arn)
    rows = ctx.session.execute(query.group_by(PolicyAttachment.policy_arn))
    return {policy_arn: int(count) for policy_arn, count in rows}


def boundary_counts(ctx: IamContext, arn: str | None = None) -> dict[str, int]:
    """How many users and roles of the account each policy is the permissions boundary of."""
    counts: dict[str, int] = {}
    for column, account in (
        (User.permissions_boundary_arn, User.account_id),
        (Role.permissions_boundary_arn, Role.account_id),
    ):
        query = select(column, func.count()).where(account == ctx.account_id, column.is_not(None))
        if arn is not None:
            query = query.where(column == arn)
        for policy_arn, count in ctx.session.execute(query.group_by(column)):
            if policy_arn is not None:
                counts[policy_arn] = counts.get(policy_arn, 0) + int(count)
    return counts


def policy_shape(view: PolicyView, attached: int, boundaries: int) -> dict[str, Any]:
    """The `Policy` structure as ListPolicies returns it (without description and tags)."""
    return {
        "PolicyName": view.name,
        "PolicyId": view.policy_id,
        "Arn": view.arn,
        "Path": view.path,
        "DefaultVersionId": view.default_version_id,
        "AttachmentCount": attached,
        "PermissionsBoundaryUsageCount": boundaries,
        "IsAttachable": True,
        "CreateDate": view.created_at,
        "UpdateDate": view.updated_at,
    }


def _detailed(ctx: IamContext, view: PolicyView) -> dict[str, Any]:
    """The `Policy` structure as GetPolicy and CreatePolicy return it."""
    attached = attachment_counts(ctx, view.arn).get(view.arn, 0)
    boundaries = boundary_counts(ctx, view.arn).get(view.arn, 0)
    out = policy_shape(view, attached, boundaries)
    if view.row is not None:
        if view.row.description:
            out["Description"] = view.row.description
        tags = tags_of(ctx.session, view.arn)
        if tags:
            out["Tags"] = tags
    return out


# --- policies ---------------------------------------------------------------------------------


def _check_size(document: str) -> None:
    if policy_size(document) > MAX_POLICY_SIZE:
        raise limit_exceeded(f"Cannot exceed quota for PolicySize: {MAX_POLICY_SIZE}")


def create_policy(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    name = params["PolicyName"]
    path = params.get("Path", "/")
    if find_by_name(ctx.session, ManagedPolicy, ctx.account_id, name) is not None:
        raise ServiceError(
            "EntityAlreadyExists",
            f"A policy called {name} already exists. Duplicate names are not allowed.",
            409,
        )
    document = checked_document(params["PolicyDocument"])
    _check_size(document)
    count = ctx.session.scalar(
        select(func.count())
        .select_from(ManagedPolicy)
        .where(ManagedPolicy.account_id == ctx.account_id)
    )
    if (count or 0) >= MAX_POLICIES:
        raise limit_exceeded(f"Cannot exceed quota for PoliciesPerAccount: {MAX_POLICIES}")
    row = ManagedPolicy(
        policy_id=ctx.ids.new_unique_id("ANPA"),
        account_id=ctx.account_id,
        name=name,
        path=path,
        arn=ctx.arn("policy", path, name),
        created_at=ctx.now,
        updated_at=ctx.now,
        description=params.get("Description") or None,
    )
    ctx.session.add(row)
    ctx.session.add(
        PolicyVersion(
            policy_id=row.policy_id,
            version_id="v1",
            document=document,
            is_default=True,
            created_at=ctx.now,
        )
    )
    set_tags(ctx.session, ctx.account_id, row.arn, params.get("Tags"))
    ctx.session.flush()
    return {"Policy": _detailed(ctx, customer_view(row))}


def get_policy(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    return {"Policy": _detailed(ctx, get_policy_view(ctx, params["PolicyArn"]))}


def delete_policy(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    """AWS refuses while the policy is attached or used as a permissions boundary, and while it
    has versions besides the default (https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeletePolicy.html)."""
    row = get_customer_policy(ctx, params["PolicyArn"])
    if attachment_counts(ctx, row.arn) or boundary_counts(ctx, row.arn):
        raise delete_conflict("Cannot delete a policy attached to entities.")
    versions = _versions(ctx, row)
    if len(versions) > 1:
        raise delete_conflict(
            "This policy has more than one version. Before you delete a policy, you must delete "
            "the policy's versions. The default version is deleted with the policy."
        )
    for version in versions:
        ctx.session.delete(version)
    drop_all_tags(ctx.session, row.arn)
    ctx.session.delete(row)
    ctx.session.flush()
    return {}


def list_policies(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    """AWS and customer managed policies, ordered by name ignoring case; `OnlyAttached` keeps
    the attached ones, `PolicyUsageFilter` those in use as permissions policy or boundary."""
    scope = params.get("Scope", "All")
    prefix = params.get("PathPrefix", "/")
    usage = params.get("PolicyUsageFilter")
    only_attached = bool(params.get("OnlyAttached", False))
    attached = attachment_counts(ctx)
    boundaries = boundary_counts(ctx)
    views: list[PolicyView] = []
    if scope in ("All", "AWS"):
        views.extend(aws_view(p) for p in ctx.managed if p.path.startswith(prefix))
    if scope in ("All", "Local"):
        rows = ctx.session.scalars(
            select(ManagedPolicy).where(ManagedPolicy.account_id == ctx.account_id)
        )
        views.extend(customer_view(r) for r in rows if r.path.startswith(prefix))
    if only_attached or usage == "PermissionsPolicy":
        views = [v for v in views if attached.get(v.arn, 0) > 0]
    if usage == "PermissionsBoundary":
        views = [v for v in views if boundaries.get(v.arn, 0) > 0]
    page = page_of(views, lambda v: v.sort_key, params)
    policies = [
        policy_shape(v, attached.get(v.arn, 0), boundaries.get(v.arn, 0)) for v in page.items
    ]
    return {"Policies": policies, **page.fields()}


# --- versions ---------------------------------------------------------------------------------


def _versions(ctx: IamContext, row: ManagedPolicy) -> list[PolicyVersion]:
    query = select(PolicyVersion).where(PolicyVersion.policy_id == row.policy_id)
    return list(ctx.session.scalars(query))


def _version_number(version_id: str) -> int:
    digits = version_id[1:].split(".", 1)[0]
    return int(digits) if digits.isdigit() else 0


def _no_such_version(arn: str, version_id: str) -> ServiceError:
    return ServiceError(
        "NoSuchEntity",
        f"Policy {arn} version {version_id} does not exist or is not attachable.",
        404,
    )


def _get_version(ctx: IamContext, row: ManagedPolicy, version_id: str) -> PolicyVersion:
    version = ctx.session.get(PolicyVersion, (row.policy_id, version_id))
    if version is None:
        raise _no_such_version(row.arn, version_id)
    return version


def _version_shape(version: PolicyVersion, *, document: bool = False) -> dict[str, Any]:
    """The `PolicyVersion` structure; only GetPolicyVersion returns the document."""
    out: dict[str, Any] = {
        "VersionId": version.version_id,
        "IsDefaultVersion": version.is_default,
        "CreateDate": version.created_at,
    }
    if document:
        out["Document"] = encoded_document(version.document)
    return out


def get_policy_version(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    view = get_policy_view(ctx, params["PolicyArn"])
    version_id = params["VersionId"]
    if view.aws is not None:
        if version_id != view.default_version_id:
            raise _no_such_version(view.arn, version_id)
        return {
            "PolicyVersion": {
                "Document": encoded_document(json.dumps(view.aws.document)),
                "VersionId": version_id,
                "IsDefaultVersion": True,
                "CreateDate": view.updated_at,
            }
        }
    assert view.row is not None
    version = _get_version(ctx, view.row, version_id)
    return {"PolicyVersion": _version_shape(version, document=True)}


def create_policy_version(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    row = get_customer_policy(ctx, params["PolicyArn"])
    versions = _versions(ctx, row)
    if len(versions) >= MAX_VERSIONS:
        raise limit_exceeded(
            f"A managed policy can have up to {MAX_VERSIONS} versions. Before you create a new "
            "version, you must delete an existing version."
        )
    document = checked_document(params["PolicyDocument"])
    _check_size(document)
    row.last_version_number += 1
    make_default = bool(params.get("SetAsDefault", False))
    version = PolicyVersion(
        policy_id=row.policy_id,
        version_id=f"v{row.last_version_number}",
        document=document,
        is_default=make_default,
        created_at=ctx.now,
    )
    if make_default:
        for other in versions:
            other.is_default = False
        row.default_version_id = version.version_id
    row.updated_at = ctx.now
    ctx.session.add(version)
    ctx.session.flush()
    return {"PolicyVersion": _version_shape(version)}


def set_default_policy_version(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    row = get_customer_policy(ctx, params["PolicyArn"])
    chosen = _get_version(ctx, row, params["VersionId"])
    for version in _versions(ctx, row):
        version.is_default = version is chosen
    row.default_version_id = chosen.version_id
    ctx.session.flush()
    return {}


def delete_policy_version(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    row = get_customer_policy(ctx, params["PolicyArn"])
    version = _get_version(ctx, row, params["VersionId"])
    if version.is_default:
        raise delete_conflict("Cannot delete the default version of a policy.")
    ctx.session.delete(version)
    ctx.session.flush()
    return {}


def list_policy_versions(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    """Newest first, without documents."""
    view = get_policy_view(ctx, params["PolicyArn"])
    if view.row is None:
        only = {
            "VersionId": view.default_version_id,
            "IsDefaultVersion": True,
            "CreateDate": view.updated_at,
        }
        return {"Versions": [only], "IsTruncated": False}
    page = page_of(
        _versions(ctx, view.row),
        # Descending version numbers, as keys that sort ascending.
        lambda v: f"{10**9 - _version_number(v.version_id):010d}",
        params,
    )
    return {"Versions": [_version_shape(v) for v in page.items], **page.fields()}


# --- tags -------------------------------------------------------------------------------------


# --- entities ---------------------------------------------------------------------------------

_ENTITY_ORDER = {PrincipalType.GROUP: "1", PrincipalType.USER: "2", PrincipalType.ROLE: "3"}
_ENTITY_FILTER = {
    "Group": PrincipalType.GROUP,
    "User": PrincipalType.USER,
    "Role": PrincipalType.ROLE,
}


def list_entities_for_policy(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    """The groups, users and roles a policy is attached to (`PermissionsPolicy`) or is the
    permissions boundary of (`PermissionsBoundary`); both when no usage filter is given."""
    view = get_policy_view(ctx, params["PolicyArn"])
    usage = params.get("PolicyUsageFilter")
    entity_filter = params.get("EntityFilter")
    prefix = params.get("PathPrefix", "/")
    if entity_filter is not None and entity_filter not in _ENTITY_FILTER:
        wanted: set[PrincipalType] = set()  # LocalManagedPolicy / AWSManagedPolicy: no entities
    elif entity_filter is not None:
        wanted = {_ENTITY_FILTER[entity_filter]}
    else:
        wanted = set(PrincipalType)
    found: dict[tuple[PrincipalType, str], tuple[str, str, str]] = {}
    if usage != "PermissionsBoundary":
        query = select(PolicyAttachment).where(
            PolicyAttachment.account_id == ctx.account_id,
            PolicyAttachment.policy_arn == view.arn,
        )
        for attachment in ctx.session.scalars(query):
            entity = _entity(ctx, attachment.principal_type, attachment.principal_id)
            if entity is not None:
                found[(attachment.principal_type, attachment.principal_id)] = entity
    if usage != "PermissionsPolicy":
        users = ctx.session.scalars(
            select(User).where(
                User.account_id == ctx.account_id, User.permissions_boundary_arn == view.arn
            )
        )
        for user in users:
            found[(PrincipalType.USER, user.user_id)] = (user.name, user.user_id, user.path)
        roles = ctx.session.scalars(
            select(Role).where(
                Role.account_id == ctx.account_id, Role.permissions_boundary_arn == view.arn
            )
        )
        for role in roles:
            found[(PrincipalType.ROLE, role.role_id)] = (role.name, role.role_id, role.path)
    entries = [
        (kind, name, entity_id)
        for (kind, _), (name, entity_id, path) in found.items()
        if kind in wanted and path.startswith(prefix)
    ]
    page = page_of(entries, lambda e: f"{_ENTITY_ORDER[e[0]]}{e[1].lower()}", params)
    out: dict[str, Any] = {"PolicyGroups": [], "PolicyUsers": [], "PolicyRoles": []}
    for kind, name, entity_id in page.items:
        if kind is PrincipalType.GROUP:
            out["PolicyGroups"].append({"GroupName": name, "GroupId": entity_id})
        elif kind is PrincipalType.USER:
            out["PolicyUsers"].append({"UserName": name, "UserId": entity_id})
        else:
            out["PolicyRoles"].append({"RoleName": name, "RoleId": entity_id})
    return {**out, **page.fields()}


def _entity(ctx: IamContext, kind: PrincipalType, entity_id: str) -> tuple[str, str, str] | None:
    """(name, id, path) of the user, group or role with that unique id."""
    row: User | Group | Role | None
    if kind is PrincipalType.USER:
        row = ctx.session.get(User, entity_id)
    elif kind is PrincipalType.GROUP:
        row = ctx.session.get(Group, entity_id)
    else:
        row = ctx.session.get(Role, entity_id)
    return None if row is None else (row.name, entity_id, row.path)


tag_policy, untag_policy, list_policy_tags = tag_handlers(
    lambda ctx, params: get_customer_policy(ctx, params["PolicyArn"]).arn
)


HANDLERS: dict[str, Handler] = {
    "CreatePolicy": create_policy,
    "GetPolicy": get_policy,
    "DeletePolicy": delete_policy,
    "ListPolicies": list_policies,
    "CreatePolicyVersion": create_policy_version,
    "GetPolicyVersion": get_policy_version,
    "ListPolicyVersions": list_policy_versions,
    "SetDefaultPolicyVersion": set_default_policy_version,
    "DeletePolicyVersion": delete_policy_version,
    "TagPolicy": tag_policy,
    "UntagPolicy": untag_policy,
    "ListPolicyTags": list_policy_tags,
    "ListEntitiesForPolicy": list_entities_for_policy,
}
