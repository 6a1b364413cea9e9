"""Cross-account access between the management account A and a member account B against a
live server: a user of A assumes a role of B when both B's trust policy and A's identity
policy allow it; the session then acts in B with the role's permissions alone; credentials act
only in their own account; an SCP on B's OU limits even B's administrators
(https://docs.aws.amazon.com/IAM/latest/UserGuide/tutorial_cross-account-with-roles.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from e2e.org_helpers import (
    Caller,
    Org,
    allow,
    create_org,
    denied,
    deny,
    document,
    error_of,
    role_arn,
    root_caller,
    trust,
)
from live_server import LiveServer


@dataclass
class Accounts:
    org: Org
    a: str  # the management account
    b: str  # a member account, in OU `ou`
    ou: str
    b_admin: Caller  # OrganizationAccountAccessRole in B


def two_accounts(server: LiveServer) -> Accounts:
    org = create_org(server)
    b = org.account("b")
    ou = org.ou("workloads")
    org.move(b, org.root_id, ou)
    return Accounts(org, org.management, b, ou, org.member(b))


def shared_role(accounts: Accounts, principal: object, *statements: dict[str, object]) -> str:
    """Role `shared` in B trusting `principal`, with inline policy `statements`."""
    iam = accounts.b_admin.iam
    arn = iam.create_role(RoleName="shared", AssumeRolePolicyDocument=trust(principal))["Role"][
        "Arn"
    ]
    if statements:
        iam.put_role_policy(
            RoleName="shared", PolicyName="inline", PolicyDocument=document(*statements)
        )
    return str(arn)


def test_trust_policy_and_identity_policy_must_both_allow(server: LiveServer) -> None:
    accounts = two_accounts(server)
    root = accounts.org.admin  # A's administrator, to manage alice
    alice = root.new_user("alice")
    arn = shared_role(accounts, {"AWS": f"arn:aws:iam::{accounts.a}:root"})

    # B's trust policy trusts account A, but alice's own policies allow nothing.
    message = denied(lambda: alice.assume(arn))
    assert message == (
        f"User: arn:aws:iam::{accounts.a}:user/alice is not authorized to perform: "
        f"sts:AssumeRole on resource: {arn}"
    )
    root.iam.put_user_policy(
        UserName="alice",
        PolicyName="assume",
        PolicyDocument=document(allow("sts:AssumeRole", resource=arn)),
    )
    session = alice.assume(arn, name="alice")
    identity = session.sts.get_caller_identity()
    assert identity["Arn"] == f"arn:aws:sts::{accounts.b}:assumed-role/shared/alice"
    assert identity["Account"] == accounts.b

    # B's trust policy no longer names A: alice's identity policy alone is not enough.
    accounts.b_admin.iam.update_assume_role_policy(
        RoleName="shared", PolicyDocument=trust({"AWS": accounts.b})
    )
    denied(lambda: alice.assume(arn))

    # Trusting alice herself (not the account) works again, still with her policy.
    accounts.b_admin.iam.update_assume_role_policy(
        RoleName="shared", PolicyDocument=trust({"AWS": f"arn:aws:iam::{accounts.a}:user/alice"})
    )
    alice.assume(arn)
    root.iam.delete_user_policy(UserName="alice", PolicyName="assume")
    denied(lambda: alice.assume(arn))

    # A's root user, trusted through the account, may not assume roles at all.
    accounts.b_admin.iam.update_assume_role_policy(
        RoleName="shared", PolicyDocument=trust({"AWS": accounts.a})
    )
    refused = error_of(lambda: root_caller(server).assume(arn))
    assert (refused["Code"], refused["Message"]) == (
        "AccessDenied",
        "Roles may not be assumed by root accounts.",
    )


def test_the_session_has_the_roles_permissions_only(server: LiveServer) -> None:
    accounts = two_accounts(server)
    accounts.b_admin.iam.create_user(UserName="bob-in-b")
    arn = shared_role(
        accounts,
        {"AWS": accounts.a},
        allow("iam:ListUsers", "iam:GetUser", "iam:ListRoles"),
    )
    # alice may do anything in A.
    alice = accounts.org.admin.new_user("alice", allow("*"))
    session = alice.assume(arn)

    # The session lists B's users, not A's.
    assert [u["UserName"] for u in session.iam.list_users()["Users"]] == ["bob-in-b"]
    assert session.iam.get_user(UserName="bob-in-b")["User"]["Arn"] == (
        f"arn:aws:iam::{accounts.b}:user/bob-in-b"
    )
    # What the role does not allow, the session cannot do, whatever alice may do in A.
    message = denied(lambda: session.iam.create_user(UserName="x"))
    assert message == (
        f"User: arn:aws:sts::{accounts.b}:assumed-role/shared/session is not authorized to "
        f"perform: iam:CreateUser on resource: arn:aws:iam::{accounts.b}:user/x because no "
        "identity-based policy allows the iam:CreateUser action"
    )
    alice.iam.create_user(UserName="x")  # in A
    assert sorted(u["UserName"] for u in alice.iam.list_users()["Users"]) == [
        "alice",
        "org-admin",
        "x",
    ]


def test_credentials_act_in_their_own_account_only(server: LiveServer) -> None:
    accounts = two_accounts(server)
    alice = accounts.org.admin.new_user("alice", allow("*"))
    assert alice.iam.get_user()["User"]["Arn"] == f"arn:aws:iam::{accounts.a}:user/alice"
    arn = shared_role(accounts, {"AWS": accounts.a}, allow("iam:*"))

    # A's user names B's roles by name: IAM looks them up in A, which has neither.
    for name in ("shared", "OrganizationAccountAccessRole"):
        missing = error_of(partial(alice.iam.get_role, RoleName=name))
        assert missing["Code"] == "NoSuchEntity", name
        assert f"The role with name {name} cannot be found." == missing["Message"]

    # B's session (allowed iam:* in B) cannot see A's users.
    session = alice.assume(arn)
    gone = error_of(lambda: session.iam.get_user(UserName="alice"))
    assert gone["Code"] == "NoSuchEntity"
    assert all(u["Arn"].split(":")[4] == accounts.b for u in session.iam.list_users()["Users"])

    # A user made in B by that session, with its own keys, acts in B.
    carol = session.new_user("carol", allow("iam:GetUser", "iam:ListUsers"))
    assert carol.iam.get_user()["User"]["Arn"] == f"arn:aws:iam::{accounts.b}:user/carol"
    assert carol.account == accounts.b
    assert [u["UserName"] for u in carol.iam.list_users()["Users"]] == ["carol"]
    err = error_of(lambda: carol.iam.get_user(UserName="alice"))
    assert err["Code"] == "NoSuchEntity"


def test_scp_on_bs_ou_limits_bs_admins_and_not_a(server: LiveServer) -> None:
    accounts = two_accounts(server)
    org = accounts.org
    scp = org.policy("no-roles", deny("iam:CreateRole"))
    org.attach(scp, accounts.ou)

    admin = accounts.b_admin
    message = denied(
        lambda: admin.iam.create_role(RoleName="blocked", AssumeRolePolicyDocument=trust("*"))
    )
    assert "with an explicit deny in a service control policy" in message
    # A, the management account, is not limited by SCPs.
    org.admin.iam.create_role(RoleName="in-a", AssumeRolePolicyDocument=trust({"AWS": accounts.b}))

    org.detach(scp, accounts.ou)
    admin.iam.create_role(RoleName="allowed", AssumeRolePolicyDocument=trust("*"))
    assert admin.iam.get_role(RoleName="allowed")["Role"]["Arn"] == role_arn(accounts.b, "allowed")


def test_scps_follow_the_principals_account_not_the_resources(server: LiveServer) -> None:
    """B's SCP limits B's user assuming a role in A; the session it gets is A's, beyond B's
    SCPs."""
    accounts = two_accounts(server)
    org = accounts.org
    in_a = org.admin.iam.create_role(
        RoleName="for-b", AssumeRolePolicyDocument=trust({"AWS": accounts.b})
    )["Role"]["Arn"]
    org.admin.iam.put_role_policy(
        RoleName="for-b", PolicyName="inline", PolicyDocument=document(allow("iam:CreateUser"))
    )
    dev = accounts.b_admin.new_user("dev", allow("sts:AssumeRole", "iam:CreateUser"))
    scp = org.policy("no-users", deny("iam:CreateUser"))
    org.attach(scp, accounts.ou)

    assert "service control policy" in denied(lambda: dev.iam.create_user(UserName="x"))
    session = dev.assume(in_a)
    assert session.account == accounts.a
    session.iam.create_user(UserName="made-in-a")

    # An SCP denying sts:AssumeRole stops B's user before it reaches A.
    blocker = org.policy("no-assume", deny("sts:AssumeRole"))
    org.attach(blocker, accounts.ou)
    denied(lambda: dev.assume(in_a))
    # The session already made is A's: B's SCPs do not reach it.
    session.iam.create_user(UserName="still-in-a")
