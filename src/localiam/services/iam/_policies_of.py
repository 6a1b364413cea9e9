"""The policies that apply to a caller, read from the store and parsed once per distinct text."""

from __future__ import annotations

import json
from urllib.parse import unquote

from localiam.authz import AuthorizationPolicies
from localiam.catalog import ManagedPolicies
from localiam.policy import MalformedPolicyDocument, PolicyDocument, PolicyKind, parse_policy
from localiam.store import Session, select
from localiam.store.models import (
    GroupMembership,
    InlinePolicy,
    ManagedPolicy,
    PolicyAttachment,
    PolicyVersion,
    PrincipalType,
    Role,
    User,
)

Named = tuple[str, PolicyDocument]


class PolicyTexts:
    """Parses policy texts, keeping each distinct (kind, text) once. Bounded; not shared
    between processes."""

    _LIMIT = 20000

    def __init__(self, managed: ManagedPolicies) -> None:
        self._managed = managed
        self._parsed: dict[tuple[PolicyKind, str], PolicyDocument] = {}

    def parse(self, text: str, kind: PolicyKind) -> PolicyDocument:
        hit = self._parsed.get((kind, text))
        if hit is None:
            hit = parse_policy(decode_document(text), kind)
            if len(self._parsed) < self._LIMIT:
                self._parsed[(kind, text)] = hit
        return hit

    def managed_document(self, session: Session, arn: str) -> str | None:
        """The default version's text of a managed policy (customer or AWS managed)."""
        aws = self._managed.get(arn)
        if aws is not None:
            return json.dumps(aws.document)
        row = session.scalars(
            select(PolicyVersion.document)
            .join(ManagedPolicy, ManagedPolicy.policy_id == PolicyVersion.policy_id)
            .where(ManagedPolicy.arn == arn, PolicyVersion.is_default.is_(True))
        ).first()
        return row

    def for_user(self, session: Session, user: User) -> AuthorizationPolicies:
        """A user's inline and attached policies, its groups' too, and its boundary."""
        group_ids = list(
            session.scalars(
                select(GroupMembership.group_id).where(GroupMembership.user_id == user.user_id)
            )
        )
        owners = [(PrincipalType.USER, user.user_id)] + [
            (PrincipalType.GROUP, g) for g in group_ids
        ]
        return AuthorizationPolicies.build(
            identity=self._identity(session, owners),
            boundary=self._boundary(session, user.permissions_boundary_arn),
        )

    def for_role(self, session: Session, role: Role) -> AuthorizationPolicies:
        """A role's inline and attached policies and its boundary: what a session of the role
        is allowed, before its session policies."""
        return AuthorizationPolicies.build(
            identity=self._identity(session, [(PrincipalType.ROLE, role.role_id)]),
            boundary=self._boundary(session, role.permissions_boundary_arn),
        )

    def _identity(self, session: Session, owners: list[tuple[PrincipalType, str]]) -> list[Named]:
        identity: list[Named] = []
        for ptype, pid in owners:
            for inline in session.scalars(
                select(InlinePolicy).where(
                    InlinePolicy.principal_type == ptype, InlinePolicy.principal_id == pid
                )
            ):
                identity.append((inline.name, self._safe(inline.document)))
            for arn in session.scalars(
                select(PolicyAttachment.policy_arn).where(
                    PolicyAttachment.principal_type == ptype, PolicyAttachment.principal_id == pid
                )
            ):
                text = self.managed_document(session, arn)
                if text is not None:
                    identity.append((arn, self._safe(text)))
        return identity

    def _boundary(self, session: Session, arn: str | None) -> Named | None:
        if not arn:
            return None
        text = self.managed_document(session, arn)
        if text is None:
            return None
        return (arn, self._safe(text, PolicyKind.BOUNDARY))

    def _safe(self, text: str, kind: PolicyKind = PolicyKind.IDENTITY) -> PolicyDocument:
        """Stored documents were validated when written; one that no longer parses grants
        nothing rather than failing every request of its principal."""
        try:
            return self.parse(text, kind)
        except MalformedPolicyDocument:
            return _EMPTY[kind]


def decode_document(text: str) -> str:
    """IAM accepts policy documents URL-encoded as well as plain JSON."""
    stripped = text.lstrip()
    if stripped.startswith("%7B") or stripped.startswith("%7b"):
        return unquote(text)
    return text


def _empty(kind: PolicyKind) -> PolicyDocument:
    return PolicyDocument(kind, "2012-10-17", None, (), True)


_EMPTY = {kind: _empty(kind) for kind in PolicyKind}
