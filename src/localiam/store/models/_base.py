"""The declarative base of every model, and the small vocabularies columns share."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Computed, Enum, Index, MetaData
from sqlalchemy.orm import DeclarativeBase, MappedAsDataclass

from localiam.store._types import UtcDateTime

#: Constraint names fixed by convention, so that migrations can name what they alter.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s",
    "pk": "pk_%(table_name)s",
}

#: The foreign-key target every account-scoped table points to.
ACCOUNT_ID = "accounts.id"


class Base(MappedAsDataclass, DeclarativeBase, kw_only=True, eq=False):
    """Base of the ORM models.

    Models are dataclasses: constructors take keyword arguments only and are type-checked.
    Equality is identity (`eq=False`), as the session's identity map expects.
    Every `datetime` column is a `UtcDateTime`: aware, in UTC.
    """

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UtcDateTime()}  # noqa: RUF012 (SQLAlchemy reads it as a class attribute)


class PrincipalType(enum.StrEnum):
    """The kind of IAM identity an attached or inline policy belongs to."""

    USER = "user"
    GROUP = "group"
    ROLE = "role"


class KeyStatus(enum.StrEnum):
    """Status of an access key, SSH public key or signing certificate, as the IAM API spells it."""

    ACTIVE = "Active"
    INACTIVE = "Inactive"


def _values(enum_class: type[enum.Enum]) -> list[str]:
    return [str(member.value) for member in enum_class]


def string_enum(enum_class: type[enum.StrEnum]) -> Enum:
    """A column type storing an enum's *values* as plain strings (no database enum type)."""
    return Enum(
        enum_class,
        native_enum=False,
        create_constraint=False,
        values_callable=_values,
        length=16,
        validate_strings=True,
    )


def name_index(table: str) -> Index:
    """The unique index behind IAM's rule that names are unique per account, ignoring case.

    It also orders listings: pages are read by keyset on `name_lower`, so a page costs the same
    whatever the number of rows before it.
    """
    return Index(f"uq_{table}_account_name", "account_id", "name_lower", unique=True)


def lower_name() -> Computed:
    """The generated column `name_lower`: `lower(name)`, computed by the database on write."""
    return Computed("lower(name)", persisted=True)
