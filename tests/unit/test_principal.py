"""localiam.policy._principal: callers parsed from ARNs, Principal elements compiled and matched."""

from __future__ import annotations

import pytest

from localiam.policy import Caller, CallerKind, Grant, PrincipalMatcher, parse_caller
from localiam.policy._principal import compile_principal

ACCT = "111122223333"
OTHER = "444455556666"
USER = f"arn:aws:iam::{ACCT}:user/alice"
ROLE = f"arn:aws:iam::{ACCT}:role/R"
SESSION = f"arn:aws:sts::{ACCT}:assumed-role/R/sess"
FED = f"arn:aws:sts::{ACCT}:federated-user/bob"
ROOT = f"arn:aws:iam::{ACCT}:root"


def matcher(element: object, *, negated: bool = False) -> PrincipalMatcher:
    m, problems = compile_principal(element, negated=negated, where="Statement[0].Principal")
    assert problems == []
    assert m is not None
    return m


# --- parse_caller ------------------------------------------------------------------------------


def test_user_with_path() -> None:
    c = parse_caller(f"arn:aws:iam::{ACCT}:user/dev/team/alice")
    assert (c.kind, c.account, c.name, c.path) == (CallerKind.USER, ACCT, "alice", "/dev/team/")
    assert c.is_iam_principal and not c.is_service_linked_role


def test_role_arn_is_a_session_without_a_name() -> None:
    c = parse_caller(f"arn:aws:iam::{ACCT}:role/app/R")
    assert (c.kind, c.name, c.path, c.session) == (CallerKind.ROLE_SESSION, "R", "/app/", None)
    assert c.role_arn == f"arn:aws:iam::{ACCT}:role/app/R"


def test_assumed_role_session() -> None:
    c = parse_caller(SESSION)
    assert (c.kind, c.account, c.name, c.session) == (CallerKind.ROLE_SESSION, ACCT, "R", "sess")
    assert c.role_arn == ROLE


def test_federated_user_and_root() -> None:
    assert parse_caller(FED).kind is CallerKind.FEDERATED_USER
    assert parse_caller(FED).name == "bob"
    root = parse_caller(ROOT)
    assert (root.kind, root.account) == (CallerKind.ROOT, ACCT)
    assert root.is_iam_principal


def test_partition_is_kept() -> None:
    c = parse_caller(f"arn:aws-cn:iam::{ACCT}:user/alice")
    assert c.partition == "aws-cn"


def test_anonymous_and_service() -> None:
    anon = parse_caller("anonymous")
    assert anon.kind is CallerKind.ANONYMOUS and anon.account is None
    assert not anon.is_iam_principal
    svc = parse_caller("cloudtrail.amazonaws.com")
    assert (svc.kind, svc.name) == (CallerKind.SERVICE, "cloudtrail.amazonaws.com")
    assert not svc.is_iam_principal


@pytest.mark.parametrize(
    "arn",
    [
        f"arn:aws:iam::{ACCT}:role/aws-service-role/s3.amazonaws.com/AnyName",
        f"arn:aws:iam::{ACCT}:role/AWSServiceRoleForSupport",
        f"arn:aws:sts::{ACCT}:assumed-role/AWSServiceRoleForSupport/s",
    ],
)
def test_service_linked_roles(arn: str) -> None:
    assert parse_caller(arn).is_service_linked_role


def test_users_are_never_service_linked() -> None:
    assert not parse_caller(f"arn:aws:iam::{ACCT}:user/AWSServiceRoleForX").is_service_linked_role


@pytest.mark.parametrize(
    "text",
    [
        "",
        "alice",
        "arn:aws:iam::1234:user/alice",  # account must have 12 digits
        f"arn:aws:iam::{ACCT}:user/",
        f"arn:aws:iam::{ACCT}:group/g",
        f"arn:aws:sts::{ACCT}:assumed-role/R",
        f"arn:aws:sts::{ACCT}:assumed-role//s",
        f"arn:aws:sts::{ACCT}:federated-user/",
        f"arn:aws:s3:::{ACCT}",
        "arn:aws:iam::*:root",
        "Cloudtrail.amazonaws.com.evil",
    ],
)
def test_invalid_callers_raise_value_error_quoting_the_input(text: str) -> None:
    with pytest.raises(ValueError, match="principal `"):
        parse_caller(text)


# --- compile_principal -------------------------------------------------------------------------


@pytest.mark.parametrize("element", ["*", {"AWS": "*"}, {"AWS": ["*", ACCT]}])
def test_everyone(element: object) -> None:
    m = matcher(element)
    assert m.everyone
    for caller in (USER, SESSION, "anonymous", "s3.amazonaws.com"):
        assert m.grant(parse_caller(caller)) is Grant.DIRECT


@pytest.mark.parametrize(
    ("element", "message"),
    [
        ({"AWS": f"arn:aws:iam::{ACCT}:user/*"}, f'"AWS":"arn:aws:iam::{ACCT}:user/*"'),
        ({"AWS": "1111*"}, '"AWS":"1111*"'),
        ({"AWS": "12345"}, '"AWS":"12345"'),
        ({"Service": "*"}, '"Service":"*"'),
        ({"Federated": ""}, '"Federated":""'),
        ({"CanonicalUser": "ab*"}, '"CanonicalUser":"ab*"'),
        ({"Nope": "x"}, '"Nope":"x"'),
        ({"AWS": [ACCT, 5]}, '"AWS":'),
        ({"AWS": []}, '"AWS":"[]"'),
    ],
)
def test_invalid_principals_are_reported_with_aws_wording(element: object, message: str) -> None:
    m, problems = compile_principal(element, negated=False, where="Statement[3].Principal")
    assert m is None
    assert problems
    for where, text in problems:
        assert where == "Statement[3].Principal"
        assert text.startswith("Invalid principal in policy:")
    assert any(message in text for _, text in problems)


@pytest.mark.parametrize("element", [{}, [], "alice", None, 5])
def test_principal_must_be_star_or_an_object(element: object) -> None:
    m, problems = compile_principal(element, negated=False, where="Statement[0].Principal")
    assert m is None
    assert len(problems) == 1 and problems[0][0] == "Statement[0].Principal"


def test_every_bad_value_is_reported() -> None:
    element = {"AWS": ["a*", "b?"], "Service": "*"}
    _, problems = compile_principal(element, negated=False, where="P")
    assert len(problems) == 3


# --- grant -------------------------------------------------------------------------------------


def test_grant_forms_for_a_user() -> None:
    user = parse_caller(USER)
    assert matcher({"AWS": USER}).grant(user) is Grant.DIRECT
    assert matcher({"AWS": ACCT}).grant(user) is Grant.ACCOUNT
    assert matcher({"AWS": ROOT}).grant(user) is Grant.ACCOUNT
    assert matcher({"AWS": f"arn:aws:iam::{OTHER}:user/alice"}).grant(user) is None
    assert matcher({"AWS": f"arn:aws:iam::{ACCT}:user/bob"}).grant(user) is None


def test_user_path_in_the_principal_is_not_required_to_match() -> None:
    user = parse_caller(f"arn:aws:iam::{ACCT}:user/dev/alice")
    assert matcher({"AWS": f"arn:aws:iam::{ACCT}:user/alice"}).grant(user) is Grant.DIRECT


def test_grant_forms_for_a_role_session() -> None:
    session = parse_caller(SESSION)
    assert matcher({"AWS": SESSION}).grant(session) is Grant.DIRECT
    assert matcher({"AWS": ROLE}).grant(session) is Grant.PARENT
    assert matcher({"AWS": ACCT}).grant(session) is Grant.ACCOUNT
    other_session = f"arn:aws:sts::{ACCT}:assumed-role/R/other"
    assert matcher({"AWS": other_session}).grant(session) is None


def test_grant_for_a_role_without_session_name() -> None:
    role = parse_caller(ROLE)
    assert matcher({"AWS": ROLE}).grant(role) is Grant.PARENT
    assert matcher({"AWS": SESSION}).grant(role) is None


def test_grant_forms_for_a_federated_user() -> None:
    fed = parse_caller(FED)
    assert matcher({"AWS": FED}).grant(fed) is Grant.DIRECT
    assert matcher({"AWS": f"arn:aws:iam::{ACCT}:user/bob"}).grant(fed) is Grant.PARENT
    assert matcher({"AWS": ACCT}).grant(fed) is Grant.ACCOUNT


def test_root_named_by_account_is_direct() -> None:
    root = parse_caller(ROOT)
    assert matcher({"AWS": ACCT}).grant(root) is Grant.DIRECT
    assert matcher({"AWS": USER}).grant(root) is None


def test_service_and_anonymous() -> None:
    svc = parse_caller("s3.amazonaws.com")
    assert matcher({"Service": "s3.amazonaws.com"}).grant(svc) is Grant.DIRECT
    assert matcher({"Service": ["S3.amazonaws.com"]}).grant(svc) is Grant.DIRECT
    assert matcher({"Service": "ec2.amazonaws.com"}).grant(svc) is None
    assert matcher({"AWS": ACCT}).grant(svc) is None
    assert matcher({"AWS": ACCT}).grant(parse_caller("anonymous")) is None


def test_grant_order() -> None:
    assert Grant.ACCOUNT < Grant.PARENT < Grant.DIRECT


# --- excludes (NotPrincipal) -------------------------------------------------------------------


def test_excluding_a_session_needs_session_role_and_account() -> None:
    session = parse_caller(SESSION)
    full = matcher({"AWS": [SESSION, ROLE, ACCT]}, negated=True)
    assert full.negated
    assert full.excludes(session)
    for partial in ([SESSION, ROLE], [SESSION, ACCT], [ROLE, ACCT]):
        assert not matcher({"AWS": partial}, negated=True).excludes(session)


def test_excluding_a_user_needs_user_and_account() -> None:
    user = parse_caller(USER)
    assert matcher({"AWS": [USER, ACCT]}, negated=True).excludes(user)
    assert not matcher({"AWS": [USER]}, negated=True).excludes(user)
    assert not matcher({"AWS": [ACCT]}, negated=True).excludes(user)


def test_excluding_root_and_federated() -> None:
    assert matcher({"AWS": ACCT}, negated=True).excludes(parse_caller(ROOT))
    fed = parse_caller(FED)
    assert matcher({"AWS": [FED, ACCT]}, negated=True).excludes(fed)
    assert not matcher({"AWS": [FED]}, negated=True).excludes(fed)


def test_excluding_services_and_anonymous() -> None:
    assert matcher({"Service": "s3.amazonaws.com"}, negated=True).excludes(
        parse_caller("s3.amazonaws.com")
    )
    assert not matcher({"AWS": ACCT}, negated=True).excludes(parse_caller("anonymous"))
    assert matcher("*", negated=True).excludes(parse_caller("anonymous"))


def test_caller_is_frozen() -> None:
    c = parse_caller(USER)
    assert isinstance(c, Caller)
    with pytest.raises(AttributeError):
        c.name = "mallory"  # type: ignore[misc]


# --- identity providers (AssumeRoleWithSAML / AssumeRoleWithWebIdentity callers) ---------------


@pytest.mark.parametrize(
    ("text", "account"),
    [
        ("accounts.google.com", None),
        ("cognito-identity.amazonaws.com", None),  # a provider, though it looks like a service
        (f"arn:aws:iam::{ACCT}:saml-provider/Okta", ACCT),
        (f"arn:aws:iam::{ACCT}:oidc-provider/token.actions.githubusercontent.com", ACCT),
    ],
)
def test_identity_providers(text: str, account: str | None) -> None:
    c = parse_caller(text)
    assert (c.kind, c.account, c.name) == (CallerKind.WEB_IDENTITY, account, text)
    assert not c.is_iam_principal
    assert matcher({"Federated": text}).grant(c) is Grant.DIRECT
    assert matcher({"Federated": "www.amazon.com"}).grant(c) is None
    assert matcher({"AWS": ACCT}).grant(c) is None
    assert matcher({"Federated": text}, negated=True).excludes(c)


def test_a_deleted_principals_unique_id_is_valid_and_matches_no_one() -> None:
    """AWS rewrites the ARN of a deleted user or role in a stored policy to its unique id; such
    a policy stays valid (an imported account has them) and the id grants nobody."""
    matcher, problems = compile_principal(
        {"AWS": ["AROAEXAMPLEDELETED0001", "arn:aws:iam::111122223333:root"]},
        negated=False,
        where="Statement[0].Principal",
    )
    assert problems == []
    assert matcher is not None
    assert (
        matcher.grant(parse_caller("arn:aws:iam::444455556666:role/AROAEXAMPLEDELETED0001")) is None
    )
    assert matcher.grant(parse_caller("arn:aws:iam::111122223333:user/alice")) is not None
