"""Listing named resources a page at a time, by keyset on the lowercased name.

A page is read with `WHERE account_id = ? AND name_lower > <marker> ORDER BY name_lower LIMIT n`,
which walks the unique index `(account_id, name_lower)` from the marker: a page costs the same
whatever the number of rows before it (no OFFSET). The marker is the `name_lower` of the last
item returned, which is unique in the account and so a total order.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session

from localiam.store.models import (
    Group,
    InstanceProfile,
    ManagedPolicy,
    MfaDevice,
    Role,
    ServerCertificate,
    User,
)

#: The models with an account-unique name and a path.
Named = TypeVar(
    "Named", User, Group, Role, InstanceProfile, ManagedPolicy, ServerCertificate, MfaDevice
)

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class Page(Generic[_T]):
    """Items of one page, and the marker to ask for the next (None: this page is the last)."""

    items: tuple[_T, ...]
    marker: str | None


def page_query(
    model: type[Named],
    account_id: str,
    *,
    path_prefix: str = "/",
    marker: str | None = None,
    limit: int = 100,
) -> Select[Named]:
    """The SELECT of up to `limit` rows of `model` in the account after `marker`, by name.

    `path_prefix` keeps rows whose path starts with it, case-sensitively, as in IAM's
    `PathPrefix`; `/` (every path) adds no condition.
    """
    query = select(model).where(model.account_id == account_id)
    if path_prefix != "/":
        query = query.where(func.substr(model.path, 1, len(path_prefix)) == path_prefix)
    if marker is not None:
        query = query.where(model.name_lower > marker)
    return query.order_by(model.name_lower).limit(limit)


def list_page(
    session: Session,
    model: type[Named],
    account_id: str,
    *,
    path_prefix: str = "/",
    marker: str | None = None,
    max_items: int = 100,
) -> Page[Named]:
    """One page of `model` rows in the account, ordered by name ignoring case."""
    if max_items < 1:
        raise ValueError(f"max_items must be at least 1, got {max_items}")
    query = page_query(
        model, account_id, path_prefix=path_prefix, marker=marker, limit=max_items + 1
    )
    rows = session.scalars(query).all()
    items = tuple(rows[:max_items])
    next_marker = items[-1].name_lower if len(rows) > max_items else None
    return Page(items=items, marker=next_marker)


def find_by_name(session: Session, model: type[Named], account_id: str, name: str) -> Named | None:
    """The row of `model` named `name` in the account, ignoring case (IAM names collide so)."""
    return session.scalars(
        _find_statement(model), {"account_id": account_id, "name": name}
    ).one_or_none()


@functools.cache
def _find_statement(model: type[Named]) -> Select[Named]:
    """The lookup statement of each model, built once (a pure function of the model class):
    building SQL expressions anew per request is most of a lookup's cost."""
    return select(model).where(
        model.account_id == bindparam("account_id"),
        model.name_lower == func.lower(bindparam("name")),
    )
