"""Organizational units and the tree: create, rename, delete, describe, and list children and
parents (https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreateOrganizationalUnit.html;
quotas: OUs nest at most five levels under the root, 1,000 OUs an organization,
https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html)."""

from __future__ import annotations

from typing import Any

from localiam.services._tags import drop_all_tags
from localiam.services.organizations._call import OrgCall, Spec, page
from localiam.services.organizations._errors import (
    child_not_found,
    constraint,
    not_found,
    ou_not_found,
    parent_not_found,
)
from localiam.services.organizations._names import ou_arn
from localiam.services.organizations._tags import put_tags, request_tag_keys
from localiam.services.organizations._targets import (
    arn_of_target,
    attach_defaults,
    detach_everything,
)
from localiam.services.organizations._tree import ancestry
from localiam.store import func, select
from localiam.store.models import OrgAccount, OrgUnit

MAX_DEPTH = 5
MAX_UNITS = 1000


def ou_shape(call: OrgCall, unit: OrgUnit) -> dict[str, Any]:
    path = "/".join((unit.org_id, *(n.id for n in ancestry(call.session, unit.id)))) + "/"
    return {"Id": unit.id, "Arn": unit.arn, "Name": unit.name, "Path": path}


def _ou(call: OrgCall, unit_id: str) -> OrgUnit:
    unit = call.unit(unit_id)
    if unit is None or unit.parent_id is None:
        raise ou_not_found()
    return unit


def _duplicate() -> Exception:
    return not_found(
        "DuplicateOrganizationalUnitException", "An OU with the same name already exists."
    )


def _sibling_named(call: OrgCall, parent_id: str, name: str) -> OrgUnit | None:
    return call.session.scalars(
        select(OrgUnit).where(OrgUnit.parent_id == parent_id, OrgUnit.name == name)
    ).first()


def create_ou(call: OrgCall) -> dict[str, Any]:
    org = call.organization()
    parent = call.unit(call.params["ParentId"])
    if parent is None:
        raise parent_not_found()
    name = call.params["Name"]
    if len(ancestry(call.session, parent.id)) > MAX_DEPTH:
        raise constraint(
            "OU_DEPTH_LIMIT_EXCEEDED",
            "You attempted to create an OU tree that is too many levels deep.",
        )
    count = call.session.scalar(
        select(func.count()).select_from(OrgUnit).where(OrgUnit.org_id == org.id)
    )
    if (count or 0) - 1 >= MAX_UNITS:
        raise constraint(
            "OU_NUMBER_LIMIT_EXCEEDED",
            "You attempted to exceed the number of OUs that you can have in an organization.",
        )
    if _sibling_named(call, parent.id, name) is not None:
        raise _duplicate()
    root = call.root()
    unit_id = call.ids.ou(root.id)
    unit = OrgUnit(
        id=unit_id,
        org_id=org.id,
        parent_id=parent.id,
        name=name,
        arn=ou_arn(org.management_account_id, org.id, unit_id),
        created_at=call.now,
    )
    call.session.add(unit)
    call.session.flush()
    attach_defaults(call, unit_id)
    put_tags(call, unit.arn, org.management_account_id, call.params.get("Tags") or [])
    return {"OrganizationalUnit": ou_shape(call, unit)}


def update_ou(call: OrgCall) -> dict[str, Any]:
    unit = _ou(call, call.params["OrganizationalUnitId"])
    name = call.params.get("Name")
    if name is not None and name != unit.name:
        assert unit.parent_id is not None
        if _sibling_named(call, unit.parent_id, name) is not None:
            raise _duplicate()
        unit.name = name
        call.session.flush()
    return {"OrganizationalUnit": ou_shape(call, unit)}


def delete_ou(call: OrgCall) -> dict[str, Any]:
    unit = _ou(call, call.params["OrganizationalUnitId"])
    has_units = call.session.scalars(select(OrgUnit.id).where(OrgUnit.parent_id == unit.id)).first()
    has_accounts = call.session.scalars(
        select(OrgAccount.account_id).where(OrgAccount.parent_id == unit.id)
    ).first()
    if has_units is not None or has_accounts is not None:
        raise not_found(
            "OrganizationalUnitNotEmptyException",
            "The specified OU is not empty. Move all accounts to another root or to other OUs, "
            "remove all child OUs, and try the operation again.",
        )
    detach_everything(call, unit.id)
    drop_all_tags(call.session, unit.arn)
    call.session.delete(unit)
    call.session.flush()
    return {}


def describe_ou(call: OrgCall) -> dict[str, Any]:
    return {"OrganizationalUnit": ou_shape(call, _ou(call, call.params["OrganizationalUnitId"]))}


def _units_under(call: OrgCall, parent_id: str) -> list[OrgUnit]:
    if call.unit(parent_id) is None:
        raise parent_not_found()
    return list(
        call.session.scalars(
            select(OrgUnit)
            .where(OrgUnit.parent_id == parent_id)
            .order_by(OrgUnit.created_at, OrgUnit.id)
        )
    )


def list_ous_for_parent(call: OrgCall) -> dict[str, Any]:
    units = _units_under(call, call.params["ParentId"])
    return page(units, call.params, lambda u: ou_shape(call, u), "OrganizationalUnits")


def list_children(call: OrgCall) -> dict[str, Any]:
    parent_id = call.params["ParentId"]
    if call.params["ChildType"] == "ORGANIZATIONAL_UNIT":
        ids = [u.id for u in _units_under(call, parent_id)]
    else:
        if call.unit(parent_id) is None:
            raise parent_not_found()
        ids = list(
            call.session.scalars(
                select(OrgAccount.account_id)
                .where(OrgAccount.parent_id == parent_id)
                .order_by(OrgAccount.joined_at, OrgAccount.account_id)
            )
        )
    kind = call.params["ChildType"]
    return page(ids, call.params, lambda i: {"Id": i, "Type": kind}, "Children")


def list_parents(call: OrgCall) -> dict[str, Any]:
    child_id = call.params["ChildId"]
    member = call.member(child_id) if child_id.isdigit() else None
    unit = call.unit(child_id) if member is None else None
    parent_id = member.parent_id if member is not None else (unit.parent_id if unit else None)
    if parent_id is None:
        raise child_not_found()
    kind = "ROOT" if parent_id.startswith("r-") else "ORGANIZATIONAL_UNIT"
    return page([parent_id], call.params, lambda i: {"Id": i, "Type": kind}, "Parents")


def _unit_resource(call: OrgCall) -> list[str]:
    return [arn_of_target(call, str(call.params["OrganizationalUnitId"]))]


def _parent_resource(call: OrgCall) -> list[str]:
    return [arn_of_target(call, str(call.params["ParentId"]))]


def _child_resource(call: OrgCall) -> list[str]:
    return [arn_of_target(call, str(call.params["ChildId"]))]


HANDLERS: dict[str, Spec] = {
    "CreateOrganizationalUnit": Spec(create_ou, _parent_resource, request_tag_keys),
    "UpdateOrganizationalUnit": Spec(update_ou, _unit_resource),
    "DeleteOrganizationalUnit": Spec(delete_ou, _unit_resource),
    "DescribeOrganizationalUnit": Spec(describe_ou, _unit_resource),
    "ListOrganizationalUnitsForParent": Spec(list_ous_for_parent, _parent_resource),
    "ListChildren": Spec(list_children, _parent_resource),
    "ListParents": Spec(list_parents, _child_resource),
}
