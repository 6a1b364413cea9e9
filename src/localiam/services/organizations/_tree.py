"""Reading an account's place in its organization: the path from the root to the account, the
SCPs and RCPs attached at every level, and the context keys that follow
(https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgpaths).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from localiam.services.organizations._names import FULL_ACCESS, RCP, SCP
from localiam.store import Session, select
from localiam.store.models import OrgAccount, Organization, OrgPolicy, OrgPolicyAttachment, OrgUnit

#: The text of AWS's FullAWSAccess SCP, as AWS shows it.
FULL_AWS_ACCESS_TEXT = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
    },
    indent=2,
)

#: The text of AWS's RCPFullAWSAccess RCP, as AWS shows it.
RCP_FULL_AWS_ACCESS_TEXT = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"},
        ],
    },
    indent=2,
)

AWS_POLICY_TEXTS = {
    FULL_ACCESS[SCP]: FULL_AWS_ACCESS_TEXT,
    FULL_ACCESS[RCP]: RCP_FULL_AWS_ACCESS_TEXT,
}

#: One policy at one level: its id (for decisions to name) and its text.
NamedText = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Placement:
    """An account in an organization: its organization, the management account, the ids from
    the root down to the account's parent, and the policy types enabled in the root."""

    org_id: str
    management_account: str
    account_id: str
    path: tuple[str, ...]
    enabled_types: frozenset[str]

    @property
    def org_path(self) -> str:
        """`o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/`: aws:PrincipalOrgPaths / aws:ResourceOrgPaths
        (the path ends at the account's parent)."""
        return "/".join((self.org_id, *self.path)) + "/"

    @property
    def is_management(self) -> bool:
        return self.account_id == self.management_account


def ancestry(session: Session, node_id: str | None) -> list[OrgUnit]:
    """The root and each OU down to the node `node_id` itself (a root or an OU), root first."""
    chain: list[OrgUnit] = []
    while node_id is not None:
        node = session.get(OrgUnit, node_id)
        if node is None:
            break
        chain.append(node)
        node_id = node.parent_id
    chain.reverse()
    return chain


def placement(session: Session, account_id: str) -> Placement | None:
    """Where `account_id` sits in its organization, or None when it is in none."""
    member = session.get(OrgAccount, account_id)
    if member is None:
        return None
    org = session.get(Organization, member.org_id)
    if org is None:
        return None
    chain = ancestry(session, member.parent_id)
    enabled = frozenset(
        str(t["Type"])
        for t in (chain[0].policy_types if chain else [])
        if t.get("Status") == "ENABLED"
    )
    path = tuple(node.id for node in chain)
    return Placement(org.id, org.management_account_id, account_id, path, enabled)


def attached_texts(session: Session, target_id: str, policy_type: str) -> list[NamedText]:
    """The policies of `policy_type` attached to one target, in the order they were attached."""
    rows = session.scalars(
        select(OrgPolicyAttachment)
        .where(OrgPolicyAttachment.target_id == target_id)
        .order_by(OrgPolicyAttachment.position)
    ).all()
    out: list[NamedText] = []
    for row in rows:
        if row.policy_id in AWS_POLICY_TEXTS:
            # FullAWSAccess is an SCP like any other; RCPFullAWSAccess is left out, as the
            # engine treats it as attached everywhere (authz/_evaluate.py).
            if row.policy_id == FULL_ACCESS[SCP] and policy_type == SCP:
                out.append((row.policy_id, AWS_POLICY_TEXTS[row.policy_id]))
            continue
        policy = session.get(OrgPolicy, row.policy_id)
        if policy is not None and policy.type == policy_type:
            out.append((policy.arn, policy.content))
    return out


def level_texts(
    session: Session, where: Placement, policy_type: str
) -> list[list[NamedText]] | None:
    """The policies of `policy_type` at every level from the root to the account itself, or
    None when the type is not enabled in the root (then it limits nothing)."""
    if policy_type not in where.enabled_types:
        return None
    return [
        attached_texts(session, target, policy_type) for target in (*where.path, where.account_id)
    ]
