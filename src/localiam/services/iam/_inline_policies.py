"""Inline policies: Put/Get/Delete/List of UserPolicy, GroupPolicy and RolePolicy
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutUserPolicy.html and its siblings).

A principal may have any number of inline policies, but their aggregate size (white space not
counted) is at most 2,048 characters for a user, 5,120 for a group and 10,240 for a role
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
"""

from __future__ import annotations

from typing import Any

from localiam.protocol import ServiceError
from localiam.services.iam._context import Handler, IamContext
from localiam.services.iam._errors import limit_exceeded
from localiam.services.iam._policy_docs import (
    KIND_WORDS,
    NAME_PARAM,
    Owner,
    checked_document,
    encoded_document,
    for_kind,
    owner_of,
    page_of,
    policy_size,
)
from localiam.store import select
from localiam.store.models import InlinePolicy, PrincipalType

#: Aggregate size of a principal's inline policies, in characters other than white space.
AGGREGATE_LIMITS = {
    PrincipalType.USER: 2048,
    PrincipalType.GROUP: 5120,
    PrincipalType.ROLE: 10240,
}


def inline_policies(ctx: IamContext, owner: Owner) -> list[InlinePolicy]:
    query = select(InlinePolicy).where(
        InlinePolicy.account_id == ctx.account_id,
        InlinePolicy.principal_type == owner.kind,
        InlinePolicy.principal_id == owner.id,
    )
    return list(ctx.session.scalars(query.order_by(InlinePolicy.name)))


def _no_such_policy(owner: Owner, name: str) -> ServiceError:
    return ServiceError(
        "NoSuchEntity", f"The {owner.kind.value} policy with name {name} cannot be found.", 404
    )


def _find(ctx: IamContext, owner: Owner, name: str) -> InlinePolicy:
    for policy in inline_policies(ctx, owner):
        if policy.name == name:
            return policy
    raise _no_such_policy(owner, name)


def put_policy(ctx: IamContext, kind: PrincipalType, params: dict[str, Any]) -> dict[str, Any]:
    """Create or replace the named inline policy; the principal must exist first, then the
    document must be valid and fit the aggregate quota."""
    owner = owner_of(ctx, kind, params[NAME_PARAM[kind]])
    name = params["PolicyName"]
    document = checked_document(params["PolicyDocument"])
    existing = inline_policies(ctx, owner)
    others = sum(policy_size(p.document) for p in existing if p.name != name)
    limit = AGGREGATE_LIMITS[kind]
    if others + policy_size(document) > limit:
        raise limit_exceeded(
            f"Maximum policy size of {limit} bytes exceeded for {kind.value} {owner.name}"
        )
    current = next((p for p in existing if p.name == name), None)
    if current is not None:
        current.document = document
    else:
        ctx.session.add(
            InlinePolicy(
                account_id=ctx.account_id,
                principal_type=kind,
                principal_id=owner.id,
                name=name,
                document=document,
            )
        )
    ctx.session.flush()
    return {}


def get_policy(ctx: IamContext, kind: PrincipalType, params: dict[str, Any]) -> dict[str, Any]:
    """The document comes back URL-encoded, as AWS returns it."""
    owner = owner_of(ctx, kind, params[NAME_PARAM[kind]])
    policy = _find(ctx, owner, params["PolicyName"])
    return {
        NAME_PARAM[kind]: owner.name,
        "PolicyName": policy.name,
        "PolicyDocument": encoded_document(policy.document),
    }


def delete_policy(ctx: IamContext, kind: PrincipalType, params: dict[str, Any]) -> dict[str, Any]:
    owner = owner_of(ctx, kind, params[NAME_PARAM[kind]])
    ctx.session.delete(_find(ctx, owner, params["PolicyName"]))
    ctx.session.flush()
    return {}


def list_policies(ctx: IamContext, kind: PrincipalType, params: dict[str, Any]) -> dict[str, Any]:
    owner = owner_of(ctx, kind, params[NAME_PARAM[kind]])
    names = [p.name for p in inline_policies(ctx, owner)]
    page = page_of(names, lambda n: n, params)
    return {"PolicyNames": page.items, **page.fields()}


HANDLERS: dict[str, Handler] = {
    f"{verb}{word}{suffix}": for_kind(operation, kind)
    for kind, word in KIND_WORDS.items()
    for verb, suffix, operation in (
        ("Put", "Policy", put_policy),
        ("Get", "Policy", get_policy),
        ("Delete", "Policy", delete_policy),
        ("List", "Policies", list_policies),
    )
}
