"""Writing an import into the store: in one transaction, so that an error anywhere leaves the
store as it was.

Before anything is added: the accounts are created if missing; with `replace`, the account's IAM
users, groups, roles, instance profiles and customer managed policies (with their inline
policies, attachments, memberships, versions, tags and the users' credentials) and the
organization of the same id or management account are deleted; then what the import would
clash with is looked for. A name already taken in the account (ignoring case, as IAM compares
names) is `EntityAlreadyExists`; a unique id, OU, root or policy id taken anywhere in the store,
or an account already in another organization, is an error as well.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from localiam.importer._authorization_details import AccountImport
from localiam.importer._organization import OrganizationImport
from localiam.importer._source import InvalidImport
from localiam.store import Database, Session, select
from localiam.store.models import (
    Account,
    Base,
    Group,
    InlinePolicy,
    InstanceProfile,
    ManagedPolicy,
    OrgAccount,
    Organization,
    OrgPolicy,
    OrgUnit,
    PolicyAttachment,
    Role,
    Tag,
    User,
)

#: Each kind of entity: its model and unique-id column.
_MODELS: dict[str, tuple[Any, Any]] = {
    "user": (User, User.user_id),
    "group": (Group, Group.group_id),
    "role": (Role, Role.role_id),
    "instance-profile": (InstanceProfile, InstanceProfile.instance_profile_id),
    "policy": (ManagedPolicy, ManagedPolicy.policy_id),
}

#: At most this many values in one `IN (...)`.
_CHUNK = 500


@dataclass(frozen=True, slots=True)
class Loaded:
    """What a load did: the accounts it created (the rest existed)."""

    created_accounts: tuple[str, ...]


def load(
    db: Database,
    account: AccountImport,
    organization: OrganizationImport | None,
    *,
    replace: bool,
    clock: Callable[[], datetime],
    account_file: str = "",
    organization_file: str = "",
) -> Loaded:
    """Write the import in one transaction; raises `InvalidImport` (and writes nothing) when it
    clashes with the store."""
    wanted = [account.account_id]
    if organization is not None:
        wanted.extend(a for a in organization.accounts if a != account.account_id)
    with db.transaction() as session:
        created = _ensure_accounts(session, wanted, clock())
        try:
            if replace:
                _clear_iam(session, account.account_id)
            _check_iam(session, account)
        except InvalidImport as exc:
            raise exc.in_file(account_file) from None
        if organization is not None:
            try:
                if replace:
                    _clear_organization(session, organization)
                _check_organization(session, organization)
            except InvalidImport as exc:
                raise exc.in_file(organization_file) from None
        rows = [*account.rows, *(organization.rows if organization is not None else ())]
        for tier in _tiers(rows):
            session.add_all(tier)
            session.flush()
    return Loaded(tuple(created))


#: Rows other rows point to, in the order they must be written; the rest come after them.
_PARENTS: tuple[tuple[type[Base], ...], ...] = (
    (Organization,),
    (User, Group, Role, InstanceProfile, ManagedPolicy, OrgUnit, OrgAccount, OrgPolicy),
)


def _tiers(rows: Sequence[Base]) -> list[list[Base]]:
    """`rows` in groups to flush one after the other, parents first: the session orders its
    inserts by the models' relationships, and association rows (memberships, instance profile
    roles) have none."""
    tiers: list[list[Base]] = [[] for _ in range(len(_PARENTS) + 1)]
    tier_of = {model: i for i, models in enumerate(_PARENTS) for model in models}
    for row in rows:
        tiers[tier_of.get(type(row), len(_PARENTS))].append(row)
    return tiers


def _ensure_accounts(session: Session, account_ids: Iterable[str], now: datetime) -> list[str]:
    created = []
    for account_id in account_ids:
        if session.get(Account, account_id) is None:
            session.add(Account(id=account_id, created_at=now))
            created.append(account_id)
    session.flush()
    return created


def _chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


# -- IAM ----------------------------------------------------------------------------------------


def _clear_iam(session: Session, account_id: str) -> None:
    """Delete the account's IAM entities; foreign keys take memberships, versions, instance
    profile roles and users' credentials with them."""
    for kind in _MODELS:
        prefix = f"arn:aws:iam::{account_id}:{kind}/"
        session.query(Tag).filter(
            Tag.account_id == account_id, Tag.resource_arn.startswith(prefix, autoescape=True)
        ).delete(synchronize_session=False)
    for model in (InlinePolicy, PolicyAttachment):
        session.query(model).filter(model.account_id == account_id).delete(
            synchronize_session=False
        )
    for model, _ in _MODELS.values():
        session.query(model).filter(model.account_id == account_id).delete(
            synchronize_session=False
        )
    session.expunge_all()


def _check_iam(session: Session, account: AccountImport) -> None:
    by_kind: dict[str, list[Any]] = {}
    for entity in account.entities:
        by_kind.setdefault(entity.kind, []).append(entity)
    for kind, entities in by_kind.items():
        model, id_column = _MODELS[kind]
        taken = set(
            session.scalars(select(model.name_lower).where(model.account_id == account.account_id))
        )
        for entity in entities:
            if entity.name.lower() in taken:
                raise InvalidImport(
                    entity.place,
                    f"EntityAlreadyExists: {kind} `{entity.name}` already exists in account "
                    f"{account.account_id} (give --replace to replace the account's IAM entities)",
                )
        wanted = {e.unique_id: e for e in entities}
        for chunk in _chunks(list(wanted)):
            found = session.scalars(select(id_column).where(id_column.in_(chunk))).first()
            if found is not None:
                raise InvalidImport(
                    wanted[found].id_place,
                    f"unique id `{found}` is already used by a {kind} in the store",
                )


# -- Organizations ------------------------------------------------------------------------------


def _clear_organization(session: Session, organization: OrganizationImport) -> None:
    """Delete the organization of the same id, and the one the management account manages;
    foreign keys take their tree, members, policies and attachments with them."""
    for row in session.scalars(
        select(Organization).where(
            (Organization.id == organization.org_id)
            | (Organization.management_account_id == organization.management_account_id)
        )
    ).all():
        session.delete(row)
    session.flush()
    session.expunge_all()


def _check_organization(session: Session, organization: OrganizationImport) -> None:
    place = organization.places
    if session.get(Organization, organization.org_id) is not None:
        raise InvalidImport(
            "Organization.Id",
            f"organization `{organization.org_id}` already exists (give --replace to replace it)",
        )
    managed = session.scalars(
        select(Organization.id).where(
            Organization.management_account_id == organization.management_account_id
        )
    ).first()
    if managed is not None:
        raise InvalidImport(
            "Organization.MasterAccountId",
            f"account {organization.management_account_id} already manages organization "
            f"`{managed}` (give --replace to replace it)",
        )
    accounts = list(organization.accounts)
    for chunk in _chunks(accounts):
        for member in session.scalars(select(OrgAccount).where(OrgAccount.account_id.in_(chunk))):
            raise InvalidImport(
                organization.accounts[member.account_id],
                f"account {member.account_id} is already a member of organization "
                f"`{member.org_id}`",
            )
    others = [i for i in place if not i.isdigit()]
    for chunk in _chunks(others):
        for column in (OrgUnit.id, OrgPolicy.id):
            found = session.scalars(select(column).where(column.in_(chunk))).first()
            if found is not None:
                raise InvalidImport(place[found], f"`{found}` is already in the store")
