"""localiam.authz._policies: grouping named policies by type."""

from __future__ import annotations

from localiam.authz import AuthorizationPolicies
from localiam.policy import PolicyKind, parse_policy

DOC = {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}


def test_build_wraps_each_type() -> None:
    identity = parse_policy(DOC, PolicyKind.IDENTITY)
    scp = parse_policy(DOC, PolicyKind.SCP)
    p = AuthorizationPolicies.build(
        identity=[("a", identity), ("b", identity)],
        boundary=("pb", identity),
        scps=[[("root", scp)], []],
        management_account="111122223333",
    )
    assert [pid for pid, _ in p.identity.policies] == ["a", "b"]
    assert p.boundary is not None and len(p.boundary) == 1
    assert p.session is None and p.resource is None and p.rcps is None
    assert p.scps is not None and [len(level) for level in p.scps] == [1, 0]
    assert p.management_account == "111122223333"


def test_defaults_mean_no_organization_and_no_policies() -> None:
    p = AuthorizationPolicies.build()
    assert len(p.identity) == 0
    assert p.scps is None and p.rcps is None and p.boundary is None
