"""Finding entities by name, or failing with AWS's NoSuchEntity."""

from __future__ import annotations

from localiam.policy import CallerKind
from localiam.protocol import ServiceError
from localiam.services.iam._context import IamContext
from localiam.services.iam._errors import no_such_entity
from localiam.store import find_by_name
from localiam.store.models import Group, Role, User


def get_user_row(ctx: IamContext, name: str) -> User:
    user = find_by_name(ctx.session, User, ctx.account_id, name)
    if user is None:
        raise no_such_entity("user", name)
    return user


def get_group_row(ctx: IamContext, name: str) -> Group:
    group = find_by_name(ctx.session, Group, ctx.account_id, name)
    if group is None:
        raise no_such_entity("group", name)
    return group


def get_role_row(ctx: IamContext, name: str) -> Role:
    role = find_by_name(ctx.session, Role, ctx.account_id, name)
    if role is None:
        raise no_such_entity("role", name)
    return role


def target_user_name(ctx: IamContext, given: object) -> str | None:
    """The UserName a self-service operation acts on: the given one, else the calling user's
    (None when the root user calls without one: it acts on itself)."""
    if isinstance(given, str):
        return given
    if ctx.caller.kind is CallerKind.ROLE_SESSION:
        raise ServiceError(
            "ValidationError", "Must specify userName when calling with non-User credentials", 400
        )
    if ctx.caller_user_id is not None:
        row = ctx.session.get(User, ctx.caller_user_id)
        return None if row is None else row.name
    return None


def target_user(ctx: IamContext, given: object) -> tuple[str | None, str]:
    """(user_id, UserName) of the user a self-service call (access keys, signing certificates,
    MFA devices) acts on: the given one or the caller; (None, "") for the root user."""
    name = target_user_name(ctx, given)
    if name is None:
        return None, ""
    user = get_user_row(ctx, name)
    return user.user_id, user.name
