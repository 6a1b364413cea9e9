"""Reading and dropping the tags stored for a resource ARN (IAM entities, Organizations'
accounts, OUs, roots and policies): one `tags` table, in the order the tags were given. Adding
tags stays with each service, whose rules differ (IAM compares keys ignoring case)."""

from __future__ import annotations

from localiam.store import Session, select
from localiam.store.models import Tag


def tags_of(session: Session, arn: str) -> list[dict[str, str]]:
    """The tags of `arn` as `{"Key": ..., "Value": ...}`, in their stored order."""
    rows = session.scalars(select(Tag).where(Tag.resource_arn == arn).order_by(Tag.position))
    return [{"Key": t.key, "Value": t.value} for t in rows]


def tag_map(session: Session, arn: str) -> dict[str, str]:
    """The tags of `arn` as a mapping of key to value, in their stored order."""
    return {t["Key"]: t["Value"] for t in tags_of(session, arn)}


def drop_all_tags(session: Session, arn: str) -> None:
    """Delete every tag of `arn` (its resource is being deleted)."""
    for row in session.scalars(select(Tag).where(Tag.resource_arn == arn)):
        session.delete(row)
