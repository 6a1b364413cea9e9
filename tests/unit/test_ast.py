"""localiam.policy._ast: the compiled Action and Resource matchers of parsed statements."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from localiam.policy import ActionMatcher, PolicyKind, ResourceMatcher, parse_policy


def ref_glob(pattern: str, text: str) -> bool:
    @cache
    def go(i: int, j: int) -> bool:
        if i == len(pattern):
            return j == len(text)
        c = pattern[i]
        if c == "*":
            return go(i + 1, j) or (j < len(text) and go(i, j + 1))
        return j < len(text) and (c == "?" or c == text[j]) and go(i + 1, j + 1)

    return go(0, 0)


def statement(**element: Any) -> Any:
    body = {"Effect": "Allow", **element}
    if "NotResource" not in body:
        body.setdefault("Resource", "*")
    d = parse_policy({"Version": "2012-10-17", "Statement": [body]}, PolicyKind.IDENTITY)
    return d.statements[0]


def action_matcher(patterns: list[str], negated: bool = False) -> ActionMatcher:
    m = statement(**{"NotAction" if negated else "Action": patterns}).action
    assert isinstance(m, ActionMatcher)
    return m


def resource_matcher(patterns: list[str], negated: bool = False) -> ResourceMatcher:
    m = statement(Action="s3:*", **{"NotResource" if negated else "Resource": patterns}).resource
    assert isinstance(m, ResourceMatcher)
    return m


# --- ActionMatcher -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("patterns", "action", "expected"),
    [
        (["s3:GetObject"], "s3:getobject", True),
        (["S3:GETOBJECT"], "s3:getobject", True),
        (["s3:Get*"], "s3:getobjectacl", True),
        (["s3:Get*"], "s3:putobject", False),
        (["s3:Get?bject"], "s3:getobject", True),
        (["s3:Get?bject"], "s3:getobjectacl", False),
        (["*"], "iam:createuser", True),
        (["*:GetObject"], "s3:getobject", True),
        (["s3:*Object"], "s3:getobjectacl", False),
    ],
)
def test_action_examples(patterns: list[str], action: str, expected: bool) -> None:
    m = action_matcher(patterns)
    assert m.matches(action) is expected
    assert action_matcher(patterns, negated=True).matches(action) is not expected


def test_action_services_index() -> None:
    assert action_matcher(["s3:Get*", "EC2:Describe*"]).services == frozenset({"s3", "ec2"})
    assert action_matcher(["s3:Get*", "*:List*"]).services is None
    assert action_matcher(["*"]).services is None


def test_two_wildcard_actions_are_each_anchored() -> None:
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html:
    # `s3:Get?bject` stands for GetObject-like names only, not for s3:GetObjectAcl.
    m = action_matcher(["s3:Get?bject", "ec2:*Instances"])
    assert not m.matches("s3:getobjectacl")


ACTION_PATTERN = st.builds(
    lambda svc, name: f"{svc}:{name}",
    st.text(alphabet="ab*?", min_size=1, max_size=3),
    st.text(alphabet="xy*?", max_size=4),
)
ACTION = st.builds(
    lambda svc, name: f"{svc}:{name}",
    st.text(alphabet="ab", min_size=1, max_size=3),
    st.text(alphabet="xy", max_size=4),
)


@settings(max_examples=200, deadline=None)
@given(pattern=ACTION_PATTERN, action=ACTION, negated=st.booleans())
def test_one_action_pattern_agrees_with_reference(pattern: str, action: str, negated: bool) -> None:
    m = action_matcher([pattern], negated)
    assert m.matches(action) == (ref_glob(pattern, action) != negated)


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(patterns=st.lists(ACTION_PATTERN, min_size=1, max_size=4), action=ACTION)
def test_action_lists_agree_with_reference(patterns: list[str], action: str) -> None:
    m = action_matcher(patterns)
    assert m.matches(action) == any(ref_glob(p, action) for p in patterns)


# --- ResourceMatcher ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("patterns", "resource", "expected"),
    [
        (["arn:aws:s3:::bucket/*"], "arn:aws:s3:::bucket/a/b", True),
        (["arn:aws:s3:::bucket/*"], "arn:aws:s3:::Bucket/a", False),  # case-sensitive
        (["arn:aws:s3:::b?cket"], "arn:aws:s3:::bucket", True),
        (["arn:aws:s3:::b?cket"], "arn:aws:s3:::bucket2", False),
        (["arn:aws:iam::*:role/R"], "arn:aws:iam::111122223333:role/R", True),
        (["arn:aws:iam::1*:role/R"], "arn:aws:iam::111122223333:role/R", True),
        (["*"], "arn:aws:s3:::x", True),
        (["arn:aws:s3:::x"], "arn:aws:s3:::x", True),
    ],
)
def test_resource_examples(patterns: list[str], resource: str, expected: bool) -> None:
    assert resource_matcher(patterns).matches(resource, {}) is expected
    assert resource_matcher(patterns, negated=True).matches(resource, {}) is not expected


def test_two_wildcard_resources_are_each_anchored() -> None:
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html:
    # `?` stands for one character; arn:aws:s3:::b?cket does not cover arn:aws:s3:::bucket-logs.
    m = resource_matcher(["arn:aws:s3:::b?cket", "arn:aws:s3:::*/x?"])
    assert not m.matches("arn:aws:s3:::bucket-logs", {})


def test_resource_with_variables() -> None:
    m = resource_matcher(["arn:aws:s3:::home/${aws:username}/*"])
    assert m.templates and not m.static
    assert m.matches("arn:aws:s3:::home/alice/x", {"aws:username": "alice"})
    assert not m.matches("arn:aws:s3:::home/bob/x", {"aws:username": "alice"})
    # unresolved: matches nothing (and NotResource then matches everything)
    assert not m.matches("arn:aws:s3:::home/alice/x", {})
    not_m = resource_matcher(["arn:aws:s3:::home/${aws:username}/*"], negated=True)
    assert not_m.matches("arn:aws:s3:::home/alice/x", {})


def test_variable_value_wildcards_are_literal() -> None:
    m = resource_matcher(["arn:aws:s3:::home/${aws:username}"])
    assert m.matches("arn:aws:s3:::home/*", {"aws:username": "*"})
    assert not m.matches("arn:aws:s3:::home/alice", {"aws:username": "*"})
    assert not m.matches("arn:aws:s3:::home/a", {"aws:username": "?"})


def test_resolution_cache_is_bounded_and_keyed_by_value() -> None:
    m = resource_matcher(["arn:aws:s3:::h/${aws:username}"])
    for name in ("a", "b", "a"):
        assert m.matches(f"arn:aws:s3:::h/{name}", {"aws:username": name})
    assert len(m._cache) == 2


ARN_PATTERN = st.builds(
    lambda region, res: f"arn:aws:s3:{region}:1:{res}",
    st.text(alphabet="u*?", max_size=2),
    st.text(alphabet="bk/*?:", min_size=1, max_size=5),
)
ARN = st.builds(
    lambda region, res: f"arn:aws:s3:{region}:1:{res}",
    st.text(alphabet="u", max_size=2),
    st.text(alphabet="bk/:", min_size=1, max_size=5),
)


def ref_resource(pattern: str, arn: str) -> bool:
    """Resource matching for patterns whose first five parts are fixed but for the region."""
    p_head, _, p_res = pattern.rpartition(":1:")
    a_head, _, a_res = arn.partition(":1:")
    p_region = p_head.split(":")[3]
    a_region = a_head.split(":")[3]
    if p_region.endswith("*"):
        # a trailing `*` of a part may run past the colons in the Resource element
        return ref_glob(pattern, arn) or (ref_glob(p_region, a_region) and ref_glob(p_res, a_res))
    return ref_glob(p_region, a_region) and ref_glob(p_res, a_res)


@settings(max_examples=200, deadline=None)
@given(pattern=ARN_PATTERN, arn=ARN)
def test_one_resource_pattern_agrees_with_reference(pattern: str, arn: str) -> None:
    assert resource_matcher([pattern]).matches(arn, {}) == ref_resource(pattern, arn)


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(patterns=st.lists(ARN_PATTERN, min_size=2, max_size=4), arn=ARN)
def test_resource_lists_agree_with_reference(patterns: list[str], arn: str) -> None:
    got = resource_matcher(patterns).matches(arn, {})
    assert got == any(ref_resource(p, arn) for p in patterns)


def test_missing_keys_and_conditions_hold() -> None:
    s = statement(
        Action="s3:*",
        Condition={"StringEquals": {"aws:PrincipalTag/Team": "red", "s3:prefix": "p"}},
    )
    assert s.missing_keys({"s3:prefix": "p"}) == ["aws:PrincipalTag/Team"]
    assert s.missing_keys({"s3:prefix": "p", "aws:principaltag/team": "x"}) == []
    assert s.conditions_hold({"s3:prefix": "p", "aws:principaltag/team": "red"})
    assert not s.conditions_hold({"s3:prefix": "p", "aws:principaltag/team": "blue"})
    assert re.fullmatch(r"Statement\(.*", repr(s))
