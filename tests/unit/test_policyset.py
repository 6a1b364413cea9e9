"""localiam.authz._policyset: the action index never loses a statement that could match."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from localiam.authz import Entry, PolicySet
from localiam.policy import PolicyDocument, PolicyKind, parse_policy


def policy(*actions: tuple[str, list[str]]) -> PolicyDocument:
    statements: list[dict[str, Any]] = [
        {"Effect": "Allow", element: patterns, "Resource": "*"} for element, patterns in actions
    ]
    return parse_policy({"Version": "2012-10-17", "Statement": statements}, PolicyKind.IDENTITY)


def brute_force(pset: PolicySet, action_lower: str) -> tuple[Entry, ...]:
    return tuple(e for e in pset.entries if e.statement.action.matches(action_lower))


def test_entries_keep_policy_order_and_ids() -> None:
    pset = PolicySet(
        [
            ("p1", policy(("Action", ["s3:GetObject"]), ("Action", ["ec2:*"]))),
            ("p2", policy(("NotAction", ["iam:*"]))),
        ]
    )
    assert len(pset) == 2
    assert [(e.policy, e.statement.index) for e in pset.entries] == [
        ("p1", 0),
        ("p1", 1),
        ("p2", 0),
    ]
    got = pset.candidates("s3:getobject", "s3")
    assert [(e.policy, e.statement.index) for e in got] == [("p1", 0), ("p2", 0)]
    assert pset.candidates("iam:createuser", "iam") == ()
    assert [e.policy for e in pset.candidates("ec2:runinstances", "ec2")] == ["p1", "p2"]


def test_candidates_are_memoized() -> None:
    pset = PolicySet([("p", policy(("Action", ["s3:Get*"])))])
    first = pset.candidates("s3:getobject", "s3")
    assert pset.candidates("s3:getobject", "s3") is first


SERVICE = st.sampled_from(["s3", "ec2", "iam", "s3x"])
NAME = st.text(alphabet="gGetObj", min_size=1, max_size=5)
SERVICE_PATTERN = st.one_of(SERVICE, st.sampled_from(["*", "s?", "s3*", "*2", "?3", "e*"]))
NAME_PATTERN = st.text(alphabet="gGetObj*?", max_size=5)
ACTION_PATTERN = st.one_of(
    st.just("*"), st.builds(lambda s, n: f"{s}:{n}", SERVICE_PATTERN, NAME_PATTERN)
)
STATEMENT = st.tuples(
    st.sampled_from(["Action", "NotAction"]), st.lists(ACTION_PATTERN, min_size=1, max_size=3)
)
POLICIES = st.lists(st.lists(STATEMENT, min_size=1, max_size=4), min_size=0, max_size=4)


@settings(max_examples=200, deadline=None)
@given(policies=POLICIES, actions=st.lists(st.tuples(SERVICE, NAME), min_size=1, max_size=6))
def test_candidates_equal_brute_force(
    policies: list[list[tuple[str, list[str]]]], actions: list[tuple[str, str]]
) -> None:
    pset = PolicySet([(f"p{i}", policy(*stmts)) for i, stmts in enumerate(policies)])
    for service, name in actions * 2:  # twice: the memo must give the same answer
        action_lower = f"{service}:{name}".lower()
        assert pset.candidates(action_lower, service) == brute_force(pset, action_lower)
