"""The pure parts of STS: which credentials may call which operation, session tags through role
chaining, STS's denial sentence, the packed size of session policies and tags, and the
credential context of a session (aws:MultiFactorAuthAge at request time)."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta

import pytest

from localiam.authz import AuthorizationPolicies
from localiam.policy import CallerKind, parse_caller
from localiam.protocol import ServiceError
from localiam.services._principals import Principal, SessionFacts
from localiam.services.sts._credentials import packed_size
from localiam.services.sts._rules import check_caller, not_authorized, session_tags

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
OPERATIONS = [
    "GetCallerIdentity",
    "AssumeRole",
    "GetSessionToken",
    "GetFederationToken",
    "GetAccessKeyInfo",
    "DecodeAuthorizationMessage",
]


def facts(
    kind: str, tags: dict[str, str] | None = None, transitive: tuple[str, ...] = ()
) -> SessionFacts:
    return SessionFacts(kind, NOW, tuple((tags or {}).items()), transitive)


def refusal(kind: CallerKind, session: SessionFacts | None, operation: str) -> str | None:
    try:
        check_caller(kind, session, operation)
    except ServiceError as error:
        assert (error.code, error.status) == ("AccessDenied", 403)
        return error.message
    return None


# -- who may call what -------------------------------------------------------------------------


def test_long_term_user_credentials_may_call_every_operation() -> None:
    assert [refusal(CallerKind.USER, None, op) for op in OPERATIONS] == [None] * len(OPERATIONS)


def test_root_may_not_assume_roles() -> None:
    assert (
        refusal(CallerKind.ROOT, None, "AssumeRole") == "Roles may not be assumed by root accounts."
    )
    assert refusal(CallerKind.ROOT, None, "GetSessionToken") is None


@pytest.mark.parametrize(
    ("kind", "session", "allowed"),
    [
        (CallerKind.ROLE_SESSION, "assumed-role", {"GetCallerIdentity", "AssumeRole", "GetAccessKeyInfo", "DecodeAuthorizationMessage"}),
        (CallerKind.USER, "session-token", {"GetCallerIdentity", "AssumeRole"}),
        (CallerKind.FEDERATED_USER, "federated-user", {"GetCallerIdentity"}),
    ],
)  # fmt: skip
def test_temporary_credentials_call_only_their_operations(
    kind: CallerKind, session: str, allowed: set[str]
) -> None:
    for operation in OPERATIONS:
        message = refusal(kind, facts(session), operation)
        if operation in allowed:
            assert message is None, operation
        else:
            assert message == f"Cannot call {operation} with session credentials"


# -- session tags ------------------------------------------------------------------------------


def test_requested_tags_and_transitive_keys_pass_through() -> None:
    tags, transitive = session_tags(
        [{"Key": "team", "Value": "blue"}, {"Key": "cost", "Value": "42"}], ["Team"], None
    )
    assert tags == [{"Key": "team", "Value": "blue"}, {"Key": "cost", "Value": "42"}]
    assert transitive == ["Team"]


def test_transitive_tags_of_the_calling_session_are_inherited() -> None:
    calling = facts("assumed-role", {"team": "blue", "cost": "42"}, ("TEAM",))
    assert calling.transitive_tags() == [("team", "blue")]
    tags, transitive = session_tags([{"Key": "project", "Value": "x"}], [], calling)
    assert tags == [{"Key": "project", "Value": "x"}, {"Key": "team", "Value": "blue"}]
    assert transitive == ["team"]
    # A session-token session has no tags to pass on.
    assert session_tags([], [], facts("session-token")) == ([], [])


def test_a_transitive_key_must_name_a_requested_tag() -> None:
    with pytest.raises(ServiceError) as info:
        session_tags([{"Key": "team", "Value": "blue"}], ["owner"], None)
    assert (info.value.code, info.value.status) == ("InvalidParameterValue", 400)
    assert info.value.message == (
        "The specified transitive tag key must be included in the requested tags."
    )


def test_an_inherited_transitive_tag_cannot_be_overridden() -> None:
    calling = facts("assumed-role", {"team": "blue"}, ("team",))
    with pytest.raises(ServiceError) as info:
        session_tags([{"Key": "TEAM", "Value": "green"}], [], calling)
    assert info.value.code == "InvalidParameterValue"
    assert "conflicts with a transitive tag key from the calling session" in info.value.message
    # A tag that was not transitive may be set again.
    plain = facts("assumed-role", {"team": "blue"})
    assert session_tags([{"Key": "team", "Value": "green"}], [], plain)[0] == [
        {"Key": "team", "Value": "green"}
    ]


# -- wording -----------------------------------------------------------------------------------


def test_sts_denials_do_not_name_a_policy_type() -> None:
    user = "arn:aws:iam::123456789012:user/alice"
    role = "arn:aws:iam::123456789012:role/reader"
    assert not_authorized(user, "sts:AssumeRole", role) == (
        f"User: {user} is not authorized to perform: sts:AssumeRole on resource: {role}"
    )
    assert not_authorized(user, "sts:GetAccessKeyInfo", "*") == (
        f"User: {user} is not authorized to perform: sts:GetAccessKeyInfo"
    )


# -- packed size -------------------------------------------------------------------------------


def _policy(resources: list[str]) -> str:
    statement = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": resources}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def test_packed_size_is_a_percentage_that_grows_with_the_input() -> None:
    assert packed_size(None, [], []) == 0
    small = packed_size(_policy(["arn:aws:s3:::bucket/*"]), [], [])
    arns = ["arn:aws:iam::123456789012:policy/one", "arn:aws:iam::123456789012:policy/two"]
    more = packed_size(_policy(["arn:aws:s3:::bucket/*"]), arns, [{"Key": "k", "Value": "v"}])
    assert 0 < small < more < 100
    # Repetitive text packs well: a long but regular policy stays under the limit.
    assert packed_size(_policy(["arn:aws:s3:::bucket/*"] * 200), [], []) < 100


def test_packed_size_over_the_limit_is_refused_in_awss_words() -> None:
    noise = [f"arn:aws:s3:::{os.urandom(24).hex()}" for _ in range(120)]
    with pytest.raises(ServiceError) as info:
        packed_size(_policy(noise), [], [])
    assert (info.value.code, info.value.status) == ("PackedPolicyTooLarge", 400)
    assert info.value.message.startswith("Packed policy consumes ")
    assert info.value.message.endswith("% of allotted space, please use smaller policy.")
    tags = [{"Key": f"k{i}", "Value": os.urandom(60).hex()} for i in range(50)]
    with pytest.raises(ServiceError) as tag_info:
        packed_size(None, [], tags)
    assert tag_info.value.message.startswith("Packed size of session tags consumes ")
    assert tag_info.value.message.endswith("% of allotted space.")


# -- the credential's context ------------------------------------------------------------------


def test_mfa_age_is_computed_at_request_time() -> None:
    session = SessionFacts("session-token", NOW, mfa_at=NOW)
    principal = Principal(
        parse_caller("arn:aws:iam::123456789012:user/bob"),
        "123456789012",
        "AIDAEXAMPLE",
        AuthorizationPolicies.build(),
        {},
        {"aws:MultiFactorAuthPresent": "true", "aws:TokenIssueTime": "2026-01-02T03:04:05Z"},
        session,
        None,
        NOW,
        True,
    )
    later = principal.request_context(NOW + timedelta(seconds=125))
    assert later["aws:MultiFactorAuthAge"] == "125"
    assert later["aws:MultiFactorAuthPresent"] == "true"
    assert "aws:MultiFactorAuthAge" not in principal.context  # the memoized part is unchanged
