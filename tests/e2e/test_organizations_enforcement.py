"""SCPs and RCPs enforced on IAM and STS calls, together with identity policies, permissions
boundaries and the organization's condition keys, against a live server
(https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html,
https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html and
the aws:PrincipalOrgID / aws:PrincipalOrgPaths entries of
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html)."""

from __future__ import annotations

import time
from functools import partial

from e2e.org_helpers import (
    ACCESS_ROLE,
    FULL_AWS_ACCESS,
    RCP,
    Caller,
    Org,
    allow,
    create_org,
    denied,
    deny,
    document,
    role_arn,
    trust,
)
from live_server import LiveServer
from localiam.events import EventFilter, read_events
from localiam.store import Database


def member_in_ou(org: Org) -> tuple[str, str, Caller]:
    """A member account moved into a new OU `workloads`, and its administrator's session."""
    account = org.account("workload")
    ou = org.ou("workloads")
    org.move(account, org.root_id, ou)
    return account, ou, org.member(account)


def logged_reason(server: LiveServer, principal: str, action: str) -> str:
    """Why the last denied `action` of `principal` was denied, from the audit log (STS's own
    message does not say which policy refused, as in AWS). The server writes the log in
    batches, so look for a little while."""
    db = Database(f"sqlite:///{(server.data_dir / 'localiam.db').resolve()}")
    try:
        deadline = time.monotonic() + 5
        while True:
            found = read_events(db, EventFilter(denied_only=True, principal=principal))
            reasons = [str(e["reason"]) for e in found if e["action"] == action]
            if reasons or time.monotonic() > deadline:
                break
            time.sleep(0.05)
    finally:
        db.close()
    assert reasons, f"no denied {action} of {principal} in the audit log"
    return reasons[-1]


def scp_arn(org: Org, policy_id: str) -> str:
    summary = org.client.describe_policy(PolicyId=policy_id)["Policy"]["PolicySummary"]
    return str(summary["Arn"])


def test_deny_scp_on_the_ou_stops_the_member_accounts_admins(server: LiveServer) -> None:
    org = create_org(server)
    account, ou, admin = member_in_ou(org)
    user = admin.new_user("local-admin", allow("*"))  # the account's own administrator
    scp = org.policy("no-new-users", deny("iam:CreateUser"))
    org.attach(scp, ou)

    for caller in (admin, user):
        message = denied(partial(caller.iam.create_user, UserName="blocked"))
        assert "is not authorized to perform: iam:CreateUser" in message
        assert message.endswith(
            f"with an explicit deny in a service control policy: {scp_arn(org, scp)}"
        )
        # Only what the SCP denies is denied.
        assert [u["UserName"] for u in caller.iam.list_users()["Users"]] == ["local-admin"]

    org.detach(scp, ou)
    admin.iam.create_user(UserName="after-detach")

    org.attach(scp, ou)
    denied(lambda: user.iam.create_user(UserName="blocked"))
    # Out of the OU, the account no longer inherits the OU's SCP.
    org.move(account, ou, org.root_id)
    user.iam.create_user(UserName="after-move")
    names = {u["UserName"] for u in admin.iam.list_users()["Users"]}
    assert names == {"local-admin", "after-detach", "after-move"}


def test_scp_on_the_root_reaches_every_member_but_not_the_management(
    server: LiveServer,
) -> None:
    org = create_org(server)
    account, _, admin = member_in_ou(org)
    nothing = org.policy("nothing", deny("*"))
    org.attach(nothing, org.root_id)
    denied(admin.iam.list_users)
    denied(lambda: admin.iam.create_role(RoleName="r", AssumeRolePolicyDocument=trust("*")))
    # GetCallerIdentity needs no permission: no policy can deny it.
    assert admin.account == account
    # The management account's principals are exempt from SCPs, even attached to it.
    org.attach(nothing, org.management)
    org.admin.iam.create_user(UserName="still-allowed")
    # SCPs limit the member's principals, not who may reach its resources: the management
    # account still assumes the access role.
    assert org.member(account).account == account


def test_scp_on_the_account_itself(server: LiveServer) -> None:
    org = create_org(server)
    account, _, admin = member_in_ou(org)
    scp = org.policy("no-roles", deny("iam:CreateRole", "iam:DeleteRole"))
    org.attach(scp, account)
    message = denied(
        lambda: admin.iam.create_role(RoleName="r", AssumeRolePolicyDocument=trust("*"))
    )
    assert "service control policy" in message
    # Another member, under the root, is not affected.
    other = org.member(org.account("other"))
    other.iam.create_role(RoleName="r", AssumeRolePolicyDocument=trust({"AWS": account}))


def test_updating_an_attached_scp_takes_effect_at_once(server: LiveServer) -> None:
    org = create_org(server)
    _, ou, admin = member_in_ou(org)
    scp = org.policy("guard", deny("iam:CreateUser"))
    org.attach(scp, ou)
    denied(lambda: admin.iam.create_user(UserName="u"))
    org.client.update_policy(PolicyId=scp, Content=document(deny("iam:CreateGroup")))
    admin.iam.create_user(UserName="u")
    assert "service control policy" in denied(lambda: admin.iam.create_group(GroupName="g"))
    # Deleting the OU's policy needs it detached first; then nothing denies.
    org.detach(scp, ou)
    org.client.delete_policy(PolicyId=scp)
    admin.iam.create_group(GroupName="g")


def test_scps_are_inherited_through_nested_ous(server: LiveServer) -> None:
    org = create_org(server)
    outer = org.ou("outer")
    inner = org.ou("inner", outer)
    account = org.account("deep")
    org.move(account, org.root_id, inner)
    admin = org.member(account)
    scp = org.policy("no-users", deny("iam:CreateUser"))
    org.attach(scp, outer)
    assert "service control policy" in denied(lambda: admin.iam.create_user(UserName="x"))
    # A sibling OU under the root is not below `outer`.
    sibling = org.ou("sibling")
    org.move(account, inner, sibling)
    admin.iam.create_user(UserName="x")


def test_removed_account_leaves_the_organizations_scps(server: LiveServer) -> None:
    org = create_org(server)
    account, ou, admin = member_in_ou(org)
    org.attach(org.policy("no-users", deny("iam:CreateUser")), ou)
    denied(lambda: admin.iam.create_user(UserName="x"))
    org.client.remove_account_from_organization(AccountId=account)
    admin.iam.create_user(UserName="x")  # the same session, now of a standalone account


def test_allow_list_scp_implicitly_denies_the_rest(server: LiveServer) -> None:
    org = create_org(server)
    _, ou, admin = member_in_ou(org)
    only = org.policy("read-only", allow("iam:Get*", "iam:List*", "sts:*"))
    org.attach(only, ou)
    org.detach(FULL_AWS_ACCESS, ou)
    admin.iam.list_users()
    admin.iam.get_role(RoleName=ACCESS_ROLE)
    message = denied(lambda: admin.iam.create_user(UserName="x"))
    assert message.endswith("because no service control policy allows the iam:CreateUser action")


def test_boundary_limits_even_when_the_scp_allows(server: LiveServer) -> None:
    org = create_org(server)
    _, ou, admin = member_in_ou(org)
    boundary = admin.iam.create_policy(
        PolicyName="list-only", PolicyDocument=document(allow("iam:List*", "iam:Get*"))
    )["Policy"]["Arn"]
    dev = admin.new_user("dev", allow("iam:*"))
    admin.iam.put_user_permissions_boundary(UserName="dev", PermissionsBoundary=boundary)

    # SCPs (FullAWSAccess) and the identity policy allow; the boundary does not.
    message = denied(lambda: dev.iam.create_user(UserName="x"))
    assert message.endswith("because no permissions boundary allows the iam:CreateUser action")
    assert [u["UserName"] for u in dev.iam.list_users()["Users"]] == ["dev"]

    # All three allow ListUsers; an SCP denying it wins over both.
    org.attach(org.policy("no-listing", deny("iam:ListUsers")), ou)
    assert "service control policy" in denied(dev.iam.list_users)
    dev.iam.get_user()

    # Without the boundary the identity policy alone decides (the SCP still denies ListUsers).
    admin.iam.delete_user_permissions_boundary(UserName="dev")
    dev.iam.create_user(UserName="now-allowed")


def test_scp_condition_exempts_the_access_role(server: LiveServer) -> None:
    """The usual guard: deny IAM changes to everyone but the organization's access role."""
    org = create_org(server)
    _, ou, admin = member_in_ou(org)
    guard = deny(
        "iam:CreateUser",
        Condition={"ArnNotLike": {"aws:PrincipalArn": f"arn:aws:iam::*:role/{ACCESS_ROLE}"}},
    )
    org.attach(org.policy("guard", guard), ou)
    user = admin.new_user("local-admin", allow("*"))
    assert "service control policy" in denied(lambda: user.iam.create_user(UserName="x"))
    admin.iam.create_user(UserName="by-the-role")


def test_trust_policy_with_principal_org_id(server: LiveServer) -> None:
    org = create_org(server)
    # A role in the management account any principal of the organization may assume.
    shared = org.admin.iam.create_role(
        RoleName="org-shared",
        AssumeRolePolicyDocument=trust(
            {"AWS": "*"}, Condition={"StringEquals": {"aws:PrincipalOrgID": org.id}}
        ),
    )["Role"]["Arn"]
    member = org.member(org.account("inside")).new_user("dev", allow("sts:AssumeRole"))
    assert member.assume(shared).account == org.management

    outside_account = org.account("outside")
    outsider = org.member(outside_account).new_user("dev", allow("sts:AssumeRole"))
    assert outsider.assume(shared).account == org.management  # still in the organization
    org.client.remove_account_from_organization(AccountId=outside_account)
    message = denied(lambda: outsider.assume(shared))
    assert "sts:AssumeRole" in message
    # The member still may.
    member.assume(shared)


def test_trust_policy_with_principal_org_paths(server: LiveServer) -> None:
    org = create_org(server)
    account, ou, _ = member_in_ou(org)
    path = f"{org.id}/{org.root_id}/{ou}/*"
    role = org.admin.iam.create_role(
        RoleName="ou-only",
        AssumeRolePolicyDocument=trust(
            {"AWS": "*"},
            Condition={"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": [path]}},
        ),
    )["Role"]["Arn"]
    inside = org.member(account).new_user("dev", allow("sts:AssumeRole"))
    in_root = org.member(org.account("in-root")).new_user("dev", allow("sts:AssumeRole"))
    assert inside.assume(role).account == org.management
    denied(lambda: in_root.assume(role))
    # The management account sits in the root too.
    denied(lambda: org.admin.assume(role))


def test_identity_policy_with_resource_org_id(server: LiveServer) -> None:
    org = create_org(server)
    role = org.admin.iam.create_role(RoleName="open", AssumeRolePolicyDocument=trust({"AWS": "*"}))[
        "Role"
    ]["Arn"]
    admin = org.member(org.account("member"))

    def assumer(name: str, org_id: str) -> Caller:
        condition = {"StringEquals": {"aws:ResourceOrgID": org_id}}
        return admin.new_user(name, allow("sts:AssumeRole", Condition=condition))

    # The role's account is in the organization: aws:ResourceOrgID is its id.
    assert assumer("ours", org.id).assume(role).account == org.management
    other = assumer("theirs", "o-aaaaaaaaaa")
    message = denied(lambda: other.assume(role))
    assert message.endswith(f"sts:AssumeRole on resource: {role}")


def enable_rcps(org: Org) -> None:
    org.client.enable_policy_type(RootId=org.root_id, PolicyType=RCP)


def test_rcp_blocks_assuming_a_role_in_the_member_account(server: LiveServer) -> None:
    org = create_org(server)
    account = org.account("guarded")
    admin = org.member(account)
    admin.iam.create_role(RoleName="worker", AssumeRolePolicyDocument=trust({"AWS": account}))
    local = admin.new_user("local", allow("sts:AssumeRole"))
    enable_rcps(org)
    only_own = deny(
        "sts:AssumeRole",
        Principal="*",
        Condition={"StringNotEquals": {"aws:PrincipalAccount": account}},
    )
    rcp = org.policy("own-principals-only", only_own, kind=RCP)
    org.attach(rcp, account)

    admin_arn = f"arn:aws:iam::{org.management}:user/org-admin"
    message = denied(lambda: org.admin.assume(role_arn(account)))
    assert message == (
        f"User: {admin_arn} is not authorized to perform: sts:AssumeRole on resource: "
        f"{role_arn(account)}"
    )
    reason = logged_reason(server, admin_arn, "sts:AssumeRole")
    assert "with an explicit deny in a resource control policy" in reason
    # The account's own principals still assume its roles.
    assert local.assume(role_arn(account, "worker")).account == account
    # Detaching the RCP lets the management account in again; so does disabling RCPs.
    org.detach(rcp, account)
    assert org.member(account).account == account
    org.attach(rcp, account)
    denied(lambda: org.admin.assume(role_arn(account)))
    org.client.disable_policy_type(RootId=org.root_id, PolicyType=RCP)
    assert org.member(account).account == account


def test_rcps_do_not_apply_to_the_management_accounts_resources(server: LiveServer) -> None:
    org = create_org(server)
    account = org.account("member")
    own = org.admin.iam.create_role(
        RoleName="home", AssumeRolePolicyDocument=trust({"AWS": org.management})
    )["Role"]["Arn"]
    enable_rcps(org)
    nobody = deny("sts:AssumeRole", Principal="*")
    org.attach(org.policy("no-assume", nobody, kind=RCP), org.root_id)
    assert org.admin.assume(own).account == org.management
    denied(lambda: org.admin.assume(role_arn(account)))


def test_rcp_data_perimeter_keeps_outsiders_out(server: LiveServer) -> None:
    """The data-perimeter RCP: only principals of the organization may assume its roles."""
    org = create_org(server)
    inside_account = org.account("inside")
    outside_account = org.account("outside")
    outsider = org.member(outside_account).new_user("dev", allow("sts:AssumeRole"))
    org.client.remove_account_from_organization(AccountId=outside_account)
    admin = org.member(inside_account)
    # The role trusts the outside account: only the RCP stands in the way.
    partner = admin.iam.create_role(
        RoleName="partner", AssumeRolePolicyDocument=trust({"AWS": outside_account})
    )["Role"]["Arn"]
    assert outsider.assume(partner).account == inside_account

    enable_rcps(org)
    perimeter = deny(
        "sts:AssumeRole",
        Principal="*",
        Condition={
            "StringNotEqualsIfExists": {"aws:PrincipalOrgID": org.id},
            "BoolIfExists": {"aws:PrincipalIsAWSService": "false"},
        },
    )
    org.attach(org.policy("perimeter", perimeter, kind=RCP), org.root_id)
    denied(lambda: outsider.assume(partner))
    outsider_arn = f"arn:aws:iam::{outside_account}:user/dev"
    reason = logged_reason(server, outsider_arn, "sts:AssumeRole")
    assert "with an explicit deny in a resource control policy" in reason
    # Principals of the organization are inside the perimeter.
    assert org.member(inside_account).account == inside_account


def test_simulate_principal_policy_reports_the_scp_outcome(server: LiveServer) -> None:
    """SimulatePrincipalPolicy gives OrganizationsDecisionDetail for a member account's
    principal (https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html),
    and none for the management account's, which SCPs do not affect."""
    org = create_org(server)
    account, ou, admin = member_in_ou(org)
    admin.new_user("analyst", allow("*"))
    org.attach(org.policy("no-new-users", deny("iam:CreateUser")), ou)

    results = admin.iam.simulate_principal_policy(
        PolicySourceArn=f"arn:aws:iam::{account}:user/analyst",
        ActionNames=["iam:CreateUser", "iam:ListUsers"],
    )["EvaluationResults"]
    by_action = {r["EvalActionName"]: r for r in results}
    assert by_action["iam:CreateUser"]["EvalDecision"] == "explicitDeny"
    assert by_action["iam:CreateUser"]["OrganizationsDecisionDetail"] == {
        "AllowedByOrganizations": False
    }
    assert by_action["iam:ListUsers"]["EvalDecision"] == "allowed"
    assert by_action["iam:ListUsers"]["OrganizationsDecisionDetail"] == {
        "AllowedByOrganizations": True
    }

    management = org.admin.iam.simulate_principal_policy(
        PolicySourceArn=f"arn:aws:iam::{org.management}:user/org-admin",
        ActionNames=["iam:CreateUser"],
    )["EvaluationResults"][0]
    assert management["EvalDecision"] == "allowed"
    assert "OrganizationsDecisionDetail" not in management
