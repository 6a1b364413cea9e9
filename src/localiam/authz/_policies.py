"""Every policy that applies to one request, grouped by type."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from localiam.authz._policyset import PolicySet
from localiam.policy import PolicyDocument

Named = tuple[str, PolicyDocument]


@dataclass(frozen=True, slots=True)
class AuthorizationPolicies:
    """The policies of a request's evaluation.

    `scps` and `rcps` are None when the account is in no organization; otherwise one PolicySet per
    level (root, each OU, account). `management_account` names the organization's management
    account, whose principals SCPs and whose resources RCPs do not affect.
    """

    identity: PolicySet
    boundary: PolicySet | None = None
    session: PolicySet | None = None
    resource: PolicySet | None = None
    scps: tuple[PolicySet, ...] | None = None
    rcps: tuple[PolicySet, ...] | None = None
    management_account: str | None = None

    @classmethod
    def build(
        cls,
        *,
        identity: Iterable[Named] = (),
        boundary: Named | None = None,
        session: Named | None = None,
        resource: Named | None = None,
        scps: Sequence[Iterable[Named]] | None = None,
        rcps: Sequence[Iterable[Named]] | None = None,
        management_account: str | None = None,
    ) -> AuthorizationPolicies:
        return cls(
            PolicySet(identity),
            None if boundary is None else PolicySet([boundary]),
            None if session is None else PolicySet([session]),
            None if resource is None else PolicySet([resource]),
            None if scps is None else tuple(PolicySet(level) for level in scps),
            None if rcps is None else tuple(PolicySet(level) for level in rcps),
            management_account,
        )
