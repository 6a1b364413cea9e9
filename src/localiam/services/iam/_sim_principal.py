"""The entity a `PolicySourceArn` names, and the policies of it that a simulation includes.

https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html: a user's
inline and attached policies and those of every group it belongs to; a group's or role's own
inline and attached policies; a user's or role's permissions boundary. `PolicyExclusionList`
leaves policies out by type, by ARN, or by inline policy name and holder.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from localiam.policy import MalformedPolicyDocument, PolicyKind
from localiam.services.iam._context import IamContext
from localiam.services.iam._errors import invalid_input, no_such_entity
from localiam.services.iam._policies_of import PolicyTexts
from localiam.services.iam._sim_sources import Origin, SimPolicy, make_policy
from localiam.store import find_by_name, select
from localiam.store.models import (
    Group,
    GroupMembership,
    InlinePolicy,
    PolicyAttachment,
    PrincipalType,
    Role,
    User,
)

_MODELS: dict[str, Any] = {"user": User, "group": Group, "role": Role}
_POLICY_TYPES = {"inline", "aws-managed", "user-managed", "permission-boundary", "scp", "rcp"}


@dataclass(frozen=True, slots=True)
class PolicySource:
    """The simulated entity and its policies."""

    arn: str
    kind: str  # user | group | role
    name: str
    identity: tuple[SimPolicy, ...]
    boundary: SimPolicy | None


@dataclass(frozen=True, slots=True)
class Exclusion:
    """One `PolicyIdentifier`: a policy is left out when every criterion given matches it."""

    policy_type: str | None
    arn: str | None
    inline: tuple[str, str, str] | None  # (policy name, holder type, holder name)

    def excludes(self, origin: Origin) -> bool:
        if self.policy_type is not None and self.policy_type != origin.kind:
            return False
        if self.arn is not None and self.arn != origin.arn:
            return False
        if self.inline is not None:
            name, holder_type, holder_name = self.inline
            if (
                origin.kind != "inline"
                or origin.name != name
                or origin.owner_type != holder_type
                or origin.owner_name.lower() != holder_name.lower()
            ):
                return False
        return True


def exclusions(raw: Sequence[Mapping[str, Any]] | None) -> list[Exclusion]:
    """`PolicyExclusionList` checked: an empty identifier or an ARN with a wildcard or of the
    wrong form is `InvalidInput`; one that names no attached policy is ignored."""
    out: list[Exclusion] = []
    for item in raw or ():
        policy_type = item.get("PolicyType")
        arn = item.get("PolicyArn")
        inline_id = item.get("InlinePolicyIdentifier")
        if policy_type is None and arn is None and inline_id is None:
            raise invalid_input(
                "A policy identifier must name a policy type, ARN or inline policy."
            )
        if policy_type is not None and policy_type not in _POLICY_TYPES:
            raise invalid_input(f"Invalid policy type {policy_type}.")
        if arn is not None and (
            not arn.startswith("arn:") or ":policy/" not in arn or "*" in arn or "?" in arn
        ):
            raise invalid_input(f"Invalid policy ARN {arn}.")
        inline = None
        if inline_id is not None:
            inline = (
                str(inline_id["PolicyName"]),
                str(inline_id["AttachmentType"]),
                str(inline_id["AttachmentName"]),
            )
        out.append(Exclusion(policy_type, arn, inline))
    return out


def _entity(ctx: IamContext, arn: str) -> tuple[str, Any]:
    """The kind and row of the user, group or role `arn` names; AWS's errors otherwise."""
    parts = arn.split(":", 5)
    kind, _, rest = parts[5].partition("/") if len(parts) == 6 else ("", "", "")
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "iam" or kind not in _MODELS or not rest:
        raise invalid_input(
            f"Invalid Entity Arn: {arn} does not clearly define entity type and name."
        )
    account = parts[4]
    if account != ctx.account_id:
        raise invalid_input(
            f"Invalid Policy Source Arn: caller's account {ctx.account_id} does not have access "
            f"to policies in account {account}"
        )
    head, _, name = rest.rpartition("/")
    path = f"/{head}/" if head else "/"
    row = find_by_name(ctx.session, _MODELS[kind], ctx.account_id, name)
    if row is None or row.path != path:
        raise no_such_entity(kind, name)
    return kind, row


class _Reader:
    """Reads stored policies into `SimPolicy`s, each with a fresh engine id."""

    def __init__(self, ctx: IamContext, excluded: list[Exclusion]) -> None:
        self.ctx = ctx
        self.texts = PolicyTexts(ctx.managed)
        self.excluded = excluded
        self.count = 0

    def _policy(
        self, source_id: str, text: str, kind: PolicyKind, origin: Origin
    ) -> SimPolicy | None:
        if any(e.excludes(origin) for e in self.excluded):
            return None
        self.count += 1
        try:
            return make_policy(f"stored.{self.count}", source_id, text, kind, origin=origin)
        except MalformedPolicyDocument:
            return None  # stored documents were checked when written; a broken one grants nothing

    def managed(self, arn: str, kind: str, owner_type: str, owner_name: str) -> SimPolicy | None:
        text = self.texts.managed_document(self.ctx.session, arn)
        if text is None:
            return None
        name = arn.rsplit("/", 1)[-1]
        if kind != "permission-boundary":
            kind = "aws-managed" if self.ctx.managed.get(arn) is not None else "user-managed"
        policy_kind = PolicyKind.BOUNDARY if kind == "permission-boundary" else PolicyKind.IDENTITY
        return self._policy(
            name, text, policy_kind, Origin(kind, name, arn, owner_type, owner_name)
        )

    def owned(self, owner_type: PrincipalType, owner_id: str, owner_name: str) -> list[SimPolicy]:
        """An entity's inline policies (by name), then its attached managed policies."""
        session = self.ctx.session
        found: list[SimPolicy | None] = []
        for inline in session.scalars(
            select(InlinePolicy)
            .where(InlinePolicy.principal_type == owner_type, InlinePolicy.principal_id == owner_id)
            .order_by(InlinePolicy.name)
        ):
            source_id = f"{owner_type.value}_{owner_name}_{inline.name}"
            origin = Origin("inline", inline.name, None, owner_type.value, owner_name)
            found.append(self._policy(source_id, inline.document, PolicyKind.IDENTITY, origin))
        for arn in session.scalars(
            select(PolicyAttachment.policy_arn)
            .where(
                PolicyAttachment.principal_type == owner_type,
                PolicyAttachment.principal_id == owner_id,
            )
            .order_by(PolicyAttachment.id)
        ):
            found.append(self.managed(arn, "attached", owner_type.value, owner_name))
        return [p for p in found if p is not None]


def policy_source(
    ctx: IamContext, arn: str, excluded: list[Exclusion] | None = None
) -> PolicySource:
    """The entity `arn` names with its identity policies and permissions boundary."""
    kind, row = _entity(ctx, arn)
    reader = _Reader(ctx, excluded or [])
    identity: list[SimPolicy] = []
    boundary = None
    if kind == "user":
        identity += reader.owned(PrincipalType.USER, row.user_id, row.name)
        groups = ctx.session.scalars(
            select(Group)
            .join(GroupMembership, GroupMembership.group_id == Group.group_id)
            .where(GroupMembership.user_id == row.user_id)
            .order_by(Group.name_lower)
        )
        for group in groups:
            identity += reader.owned(PrincipalType.GROUP, group.group_id, group.name)
    elif kind == "group":
        identity += reader.owned(PrincipalType.GROUP, row.group_id, row.name)
    else:
        identity += reader.owned(PrincipalType.ROLE, row.role_id, row.name)
    boundary_arn = getattr(row, "permissions_boundary_arn", None)
    if boundary_arn:
        boundary = reader.managed(boundary_arn, "permission-boundary", kind, row.name)
    return PolicySource(row.arn, kind, row.name, tuple(identity), boundary)
