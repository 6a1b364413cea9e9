"""Attached managed policies: Attach/Detach/ListAttached of UserPolicy, GroupPolicy and
RolePolicy (https://docs.aws.amazon.com/IAM/latest/APIReference/API_AttachUserPolicy.html and its
siblings).

At most 10 managed policies per user, group or role (the default quota,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html). Attaching a policy
that is already attached changes nothing.
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
    find_policy,
    for_kind,
    name_of_policy_arn,
    owner_of,
    page_of,
    policy_not_found,
)
from localiam.store import select
from localiam.store.models import PolicyAttachment, PrincipalType

MAX_ATTACHED = 10


def attachments(ctx: IamContext, owner: Owner) -> list[PolicyAttachment]:
    query = select(PolicyAttachment).where(
        PolicyAttachment.account_id == ctx.account_id,
        PolicyAttachment.principal_type == owner.kind,
        PolicyAttachment.principal_id == owner.id,
    )
    return list(ctx.session.scalars(query.order_by(PolicyAttachment.id)))


def attach_policy(ctx: IamContext, kind: PrincipalType, params: dict[str, Any]) -> dict[str, Any]:
    owner = owner_of(ctx, kind, params[NAME_PARAM[kind]])
    arn = params["PolicyArn"]
    if find_policy(ctx, arn) is None:
        raise ServiceError(
            "NoSuchEntity", f"Policy {arn} does not exist or is not attachable.", 404
        )
    current = attachments(ctx, owner)
    if any(a.policy_arn == arn for a in current):
        return {}
    if len(current) >= MAX_ATTACHED:
        raise limit_exceeded(
            f"Cannot exceed quota for PoliciesPer{KIND_WORDS[kind]}: {MAX_ATTACHED}"
        )
    ctx.session.add(
        PolicyAttachment(
            account_id=ctx.account_id, policy_arn=arn, principal_type=kind, principal_id=owner.id
        )
    )
    ctx.session.flush()
    return {}


def detach_policy(ctx: IamContext, kind: PrincipalType, params: dict[str, Any]) -> dict[str, Any]:
    owner = owner_of(ctx, kind, params[NAME_PARAM[kind]])
    arn = params["PolicyArn"]
    for attachment in attachments(ctx, owner):
        if attachment.policy_arn == arn:
            ctx.session.delete(attachment)
            ctx.session.flush()
            return {}
    raise policy_not_found(arn)


def list_attached(ctx: IamContext, kind: PrincipalType, params: dict[str, Any]) -> dict[str, Any]:
    """The attached policies, in the order they were attached; `PathPrefix` filters on the
    policies' paths."""
    owner = owner_of(ctx, kind, params[NAME_PARAM[kind]])
    prefix = params.get("PathPrefix", "/")
    shown: list[tuple[str, dict[str, str]]] = []
    for attachment in attachments(ctx, owner):
        path, name = name_of_policy_arn(attachment.policy_arn)
        if path.startswith(prefix):
            entry = {"PolicyName": name, "PolicyArn": attachment.policy_arn}
            shown.append((f"{attachment.id:012d}", entry))
    page = page_of(shown, lambda pair: pair[0], params)
    return {"AttachedPolicies": [entry for _, entry in page.items], **page.fields()}


HANDLERS: dict[str, Handler] = {
    name.format(word): for_kind(operation, kind)
    for kind, word in KIND_WORDS.items()
    for name, operation in (
        ("Attach{}Policy", attach_policy),
        ("Detach{}Policy", detach_policy),
        ("ListAttached{}Policies", list_attached),
    )
}
