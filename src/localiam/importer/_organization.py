"""An organization file (`--organization ORGFILE`) -> the rows of AWS Organizations.

The file is localiam's own format: what `aws organizations describe-organization`,
`list-roots`, `list-organizational-units-for-parent` (for every parent), `list-accounts`, and
`describe-policy` with `list-targets-for-policy` (for every policy) print, flattened into one
object::

    {"Organization": {"Id": "o-a1b2c3d4e5", "MasterAccountId": "111122223333",
                      "FeatureSet": "ALL"},
     "Roots": [{"Id": "r-ab12", "Name": "Root",
                "PolicyTypes": [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}]}],
     "OrganizationalUnits": [{"Id": "ou-ab12-11111111", "Name": "Prod", "ParentId": "r-ab12"}],
     "Accounts": [{"Id": "111122223333", "Name": "Management", "Email": "m@example.com",
                   "ParentId": "r-ab12"}],
     "Policies": [{"Id": "p-12345678", "Name": "DenyLeave", "Type": "SERVICE_CONTROL_POLICY",
                   "Description": "", "Content": "{...policy JSON text...}",
                   "Targets": ["r-ab12", "ou-ab12-11111111"]},
                  {"Id": "p-FullAWSAccess", "Targets": ["r-ab12", "ou-ab12-11111111",
                                                        "111122223333"]}]}

`Accounts[].ParentId` is where the account sits (`list-parents`); accounts may also carry
`Status` (default `ACTIVE`), `JoinedMethod` (default `CREATED`) and `JoinedTimestamp`. A
policy's `Content` is its JSON text, or the object itself; `Targets` are ids of the root, OUs and
accounts (the `TargetId`s of `list-targets-for-policy`). AWS's own `p-FullAWSAccess` and
`p-RCPFullAWSAccess` need only their `Id` and `Targets`: they are the same everywhere and have no
row, only attachments.

The file is taken as a copy of reality: it is loaded as given, with no policy attached that it
does not list (AWS attaches its full-access policy wherever a policy type is enabled, so a copy
lists those attachments). Checked, each at its place: ids in AWS's forms, one root, parents that
exist and no cycles, OU names unique among siblings, the management account listed, SCP contents
valid SCPs and RCP contents valid RCPs, policy names unique per type, targets that exist.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from localiam.importer._source import Documents, InvalidImport, Obj
from localiam.policy import PolicyKind
from localiam.services.organizations._names import (
    ACCOUNT_ID,
    FULL_ACCESS,
    ORG_ID,
    OU_ID,
    POLICY_ID,
    RCP,
    ROOT_ID,
    SCP,
    account_arn,
    organization_arn,
    ou_arn,
    policy_arn,
    root_arn,
)
from localiam.store.models import (
    Base,
    OrgAccount,
    Organization,
    OrgPolicy,
    OrgPolicyAttachment,
    OrgUnit,
)

_POLICY_TYPE = re.compile(r"[A-Z][A-Z0-9_]{0,63}")
_KINDS = {SCP: PolicyKind.SCP, RCP: PolicyKind.RCP}
_AWS_POLICY_TYPES = {policy_id: kind for kind, policy_id in FULL_ACCESS.items()}


@dataclass(frozen=True, slots=True)
class OrganizationImport:
    """An organization, read and checked, as rows ready to add to a session. `accounts` maps
    each member account to its place in the file, `places` every root, OU, account and policy
    id."""

    org_id: str
    management_account_id: str
    accounts: dict[str, str]
    places: dict[str, str]
    rows: tuple[Base, ...]
    units: int
    policies: int
    attachments: int


def read_organization(raw: object, *, clock: Callable[[], datetime]) -> OrganizationImport:
    """Check an organization file's JSON value and turn it into rows."""
    top = Obj(raw, "")
    org = top.child("Organization")
    if org is None:
        raise InvalidImport("Organization", "missing; it is required")
    org_id = org.text(
        "Id", pattern=ORG_ID, what="an organization id (`o-` and 10 to 32 letters or digits)"
    )
    management = org.text("MasterAccountId", pattern=ACCOUNT_ID, what="a 12-digit account id")
    feature_set = org.optional_text("FeatureSet") or "ALL"
    if feature_set not in ("ALL", "CONSOLIDATED_BILLING"):
        raise InvalidImport(
            org.at("FeatureSet"), f"`{feature_set}` is not ALL or CONSOLIDATED_BILLING"
        )
    now = clock()
    rows: list[Base] = [
        Organization(
            id=org_id,
            arn=organization_arn(management, org_id),
            management_account_id=management,
            feature_set=feature_set,
            created_at=now,
        )
    ]
    # Every target of the tree: id -> place in the file.
    targets: dict[str, str] = {}
    parents: dict[str, tuple[str, str]] = {}  # OU or account id -> (parent id, place of ParentId)

    roots = list(top.objects("Roots"))
    if len(roots) != 1:
        raise InvalidImport("Roots", f"an organization has one root, not {len(roots)}")
    root = roots[0]
    root_id = root.text(
        "Id", pattern=ROOT_ID, what="a root id (`r-` and 4 to 32 letters or digits)"
    )
    targets[root_id] = root.at("Id")
    rows.append(
        OrgUnit(
            id=root_id,
            org_id=org_id,
            parent_id=None,
            name=root.optional_text("Name", max_length=128) or "Root",
            arn=root_arn(management, org_id, root_id),
            created_at=now,
            policy_types=_policy_types(root),
        )
    )

    siblings: dict[tuple[str, str], str] = {}
    for unit in top.objects("OrganizationalUnits"):
        unit_id = unit.text(
            "Id",
            pattern=OU_ID,
            what="an OU id (`ou-`, the root's suffix, `-` and 8 to 32 letters or digits)",
        )
        _new_target(targets, unit_id, unit.at("Id"))
        name = unit.text("Name", max_length=128)
        parent_id = unit.text("ParentId")
        parents[unit_id] = (parent_id, unit.at("ParentId"))
        key = (parent_id, name)
        if key in siblings:
            raise InvalidImport(
                unit.at("Name"), f"OU `{name}` is already in its parent, at {siblings[key]}"
            )
        siblings[key] = unit.at("Name")
        rows.append(
            OrgUnit(
                id=unit_id,
                org_id=org_id,
                parent_id=parent_id,
                name=name,
                arn=ou_arn(management, org_id, unit_id),
                created_at=now,
            )
        )

    accounts: dict[str, str] = {}
    for account in top.objects("Accounts"):
        account_id = account.text("Id", pattern=ACCOUNT_ID, what="a 12-digit account id")
        _new_target(targets, account_id, account.at("Id"))
        accounts[account_id] = account.at("Id")
        parent_id = account.text("ParentId")
        parents[account_id] = (parent_id, account.at("ParentId"))
        rows.append(
            OrgAccount(
                account_id=account_id,
                org_id=org_id,
                parent_id=parent_id,
                name=account.text("Name", max_length=50),
                email=account.text("Email", max_length=64),
                arn=account_arn(management, org_id, account_id),
                joined_method=account.optional_text("JoinedMethod", max_length=16) or "CREATED",
                joined_at=account.date("JoinedTimestamp", lambda: now),
                status=account.optional_text("Status", max_length=16) or "ACTIVE",
            )
        )
    if management not in accounts:
        raise InvalidImport("Accounts", f"the management account {management} is not listed")
    _check_tree(root_id, parents, targets)

    policy_places, attachments = _policies(top, org_id, management, targets, rows)
    return OrganizationImport(
        org_id,
        management,
        accounts,
        {**targets, **policy_places},
        tuple(rows),
        units=len(targets) - len(accounts),
        policies=sum(1 for row in rows if isinstance(row, OrgPolicy)),
        attachments=attachments,
    )


def _policy_types(root: Obj) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for item in root.objects("PolicyTypes"):
        kind = item.text("Type", pattern=_POLICY_TYPE, what="a policy type")
        status = item.optional_text("Status") or "ENABLED"
        out.append({"Type": kind, "Status": status})
    return out


def _new_target(targets: dict[str, str], target_id: str, place: str) -> None:
    if target_id in targets:
        raise InvalidImport(place, f"`{target_id}` is already in the file, at {targets[target_id]}")
    targets[target_id] = place


def _check_tree(root_id: str, parents: dict[str, tuple[str, str]], targets: dict[str, str]) -> None:
    """Every parent is the root or an OU of the file, and every path leads up to the root."""
    for child, (parent_id, place) in parents.items():
        if parent_id != root_id and not (parent_id.startswith("ou-") and parent_id in targets):
            raise InvalidImport(place, f"`{parent_id}` is not the root or an OU of the file")
        seen = {child}
        node = parent_id
        while node != root_id:
            if node in seen:
                raise InvalidImport(place, f"`{child}` is inside itself (a cycle of OUs)")
            seen.add(node)
            node = parents[node][0]


def _policies(
    top: Obj, org_id: str, management: str, targets: dict[str, str], rows: list[Base]
) -> tuple[dict[str, str], int]:
    """Add the policies and their attachments; return the policies' places and how many
    attachments there are."""
    documents = Documents()
    names: dict[tuple[str, str], str] = {}
    ids: dict[str, str] = {}
    position = 0
    for policy in top.objects("Policies"):
        policy_id = policy.text("Id", pattern=POLICY_ID, what="a policy id")
        if policy_id in ids:
            raise InvalidImport(
                policy.at("Id"), f"policy `{policy_id}` is already in the file, at {ids[policy_id]}"
            )
        ids[policy_id] = policy.at("Id")
        if policy_id not in _AWS_POLICY_TYPES:
            kind = policy.text("Type", pattern=_POLICY_TYPE, what="a policy type")
            name = policy.text("Name", max_length=128)
            if (kind, name) in names:
                raise InvalidImport(
                    policy.at("Name"),
                    f"{kind} `{name}` is already in the file, at {names[kind, name]}",
                )
            names[kind, name] = policy.at("Name")
            content = documents.text(policy, "Content", _KINDS.get(kind))
            rows.append(
                OrgPolicy(
                    id=policy_id,
                    org_id=org_id,
                    type=kind,
                    name=name,
                    description=policy.optional_text("Description", max_length=512) or "",
                    content=content,
                    arn=policy_arn(management, org_id, kind, policy_id),
                )
            )
        attached: set[str] = set()
        for place, target in policy.strings("Targets"):
            if target not in targets:
                raise InvalidImport(
                    place, f"`{target}` is not the root, an OU or an account of the file"
                )
            if target in attached:
                raise InvalidImport(place, f"`{target}` is given twice")
            attached.add(target)
            rows.append(
                OrgPolicyAttachment(
                    policy_id=policy_id, target_id=target, org_id=org_id, position=position
                )
            )
            position += 1
    return ids, position
