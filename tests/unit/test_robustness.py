"""Bad input of any shape gets the project's own errors, never another exception."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from localiam.authz import Trace, evaluate
from localiam.cases import CaseError, CaseReader
from localiam.policy import MalformedPolicyDocument, PolicyKind, parse_policy

KEYS = st.sampled_from(
    [
        "Version", "Id", "Statement", "Sid", "Effect", "Action", "NotAction", "Resource",
        "NotResource", "Principal", "NotPrincipal", "Condition", "AWS", "Service",
        "StringLike", "ForAllValues:StringEquals", "NumericLessThanIfExists", "Null",
        "aws:SourceIp", "aws:TagKeys", "request", "principal", "action", "resource",
        "context", "identityPolicies", "scps", "rcps", "resourcePolicy", "document", "id",
    ]
)  # fmt: skip
LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.sampled_from(
        ["2012-10-17", "Allow", "Deny", "*", "s3:Get*", "arn:aws:s3:::b/*", "${aws:username}",
         "arn:aws:iam::111122223333:user/alice", "10.0.0.0/8", "true", "anonymous", "s3:GetObject"]
    ),
    st.text(max_size=12),
)  # fmt: skip
JSON: st.SearchStrategy[Any] = st.recursive(
    LEAVES,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(KEYS | st.text(max_size=6), inner, max_size=5)
    ),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None, database=None)
@given(document=JSON, kind=st.sampled_from(list(PolicyKind)))
def test_parse_policy_raises_only_malformed_policy_document(
    document: Any, kind: PolicyKind
) -> None:
    try:
        parse_policy(document, kind)
    except MalformedPolicyDocument as exc:
        assert exc.findings, "a refusal names at least one finding"
        assert all(f.message for f in exc.findings)


@settings(max_examples=300, deadline=None, database=None)
@given(case=JSON)
def test_case_reader_raises_only_case_error(case: Any) -> None:
    try:
        parsed = CaseReader().read(case)
    except CaseError as exc:
        assert str(exc)
        return
    decision = evaluate(parsed.request, parsed.policies, trace=Trace())
    assert decision.decision.value in ("allowed", "explicitDeny", "implicitDeny")


STATEMENT = st.dictionaries(KEYS, JSON, max_size=6)


@settings(max_examples=300, deadline=None, database=None)
@given(
    statements=st.lists(STATEMENT, min_size=1, max_size=3),
    context=st.dictionaries(st.sampled_from(["aws:SourceIp", "aws:TagKeys", "s3:prefix"]), JSON),
)
def test_well_formed_requests_with_random_policies(
    statements: list[dict[str, Any]], context: dict[str, Any]
) -> None:
    case = {
        "request": {
            "principal": "arn:aws:iam::111122223333:user/alice",
            "action": "s3:GetObject",
            "resource": "arn:aws:s3:::b/k",
            "context": context,
        },
        "identityPolicies": [{"Version": "2012-10-17", "Statement": statements}],
    }
    try:
        parsed = CaseReader().read(case)
    except CaseError as exc:
        assert "request.context" in str(exc) or "MalformedPolicyDocument" in str(exc)
        return
    fast = evaluate(parsed.request, parsed.policies)
    traced = evaluate(parsed.request, parsed.policies, trace=Trace())
    assert fast == traced
