"""Tags on IAM entities: stored by resource ARN, in the order given, at most 50 per entity.

https://docs.aws.amazon.com/IAM/latest/UserGuide/id_tags.html
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from localiam.services._tags import drop_all_tags as drop_all_tags
from localiam.services._tags import tag_map as tag_map
from localiam.services._tags import tags_of as tags_of
from localiam.services.iam._context import Handler, IamContext
from localiam.services.iam._errors import invalid_input, limit_exceeded
from localiam.store import Session, select
from localiam.store.models import Tag

MAX_TAGS = 50


def set_tags(
    session: Session, account_id: str, arn: str, new: list[Mapping[str, Any]] | None
) -> None:
    """Add or overwrite tags (keys compare ignoring case, as IAM does)."""
    if not new:
        return
    keys = [str(t["Key"]).lower() for t in new]
    if len(set(keys)) != len(keys):
        raise invalid_input(
            "Duplicate tag keys found. Please note that Tag keys are case insensitive."
        )
    existing = list(
        session.scalars(select(Tag).where(Tag.resource_arn == arn).order_by(Tag.position))
    )
    by_key = {t.key.lower(): t for t in existing}
    position = max((t.position for t in existing), default=-1) + 1
    for item in new:
        key, value = str(item["Key"]), str(item.get("Value", ""))
        current = by_key.get(key.lower())
        if current is not None:
            current.key, current.value = key, value
            continue
        row = Tag(account_id=account_id, resource_arn=arn, key=key, value=value, position=position)
        session.add(row)
        by_key[key.lower()] = row
        position += 1
    if len(by_key) > MAX_TAGS:
        raise limit_exceeded(f"The number of tags has reached the maximum limit of {MAX_TAGS}.")


def remove_tags(session: Session, arn: str, keys: list[str]) -> None:
    wanted = {k.lower() for k in keys}
    for row in session.scalars(select(Tag).where(Tag.resource_arn == arn)):
        if row.key.lower() in wanted:
            session.delete(row)


def tag_page(tags: list[dict[str, str]], params: Mapping[str, Any]) -> dict[str, Any]:
    """One page of an entity's tags (List*Tags): the marker is the position of the next tag."""
    marker = params.get("Marker")
    start = int(marker) if isinstance(marker, str) and marker.isdigit() else 0
    end = start + params.get("MaxItems", 100)
    out: dict[str, Any] = {"Tags": tags[start:end], "IsTruncated": end < len(tags)}
    if end < len(tags):
        out["Marker"] = str(end)
    return out


def tag_handlers(
    arn_of: Callable[[IamContext, dict[str, Any]], str],
) -> tuple[Handler, Handler, Handler]:
    """Tag<Entity>, Untag<Entity> and List<Entity>Tags for one kind of entity, given how a
    request names the entity's ARN (raising NoSuchEntity when there is none)."""

    def tag(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
        set_tags(ctx.session, ctx.account_id, arn_of(ctx, params), params["Tags"])
        return {}

    def untag(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
        remove_tags(ctx.session, arn_of(ctx, params), params["TagKeys"])
        return {}

    def list_tags(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
        return tag_page(tags_of(ctx.session, arn_of(ctx, params)), params)

    return tag, untag, list_tags
