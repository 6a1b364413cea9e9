"""The AWS Organizations API through boto3 and the AWS CLI against a live server, answered as
AWS answers it (https://docs.aws.amazon.com/organizations/latest/APIReference/Welcome.html,
the quotas of https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html
and the reasons of https://docs.aws.amazon.com/organizations/latest/APIReference/API_ConstraintViolationException.html
and API_InvalidInputException.html)."""

from __future__ import annotations

import json
import re
from typing import Any

from e2e.org_helpers import (
    FULL_AWS_ACCESS,
    RCP,
    RCP_FULL_AWS_ACCESS,
    SCP,
    Org,
    allow,
    create_org,
    deny,
    document,
    error_of,
    root_caller,
)
from live_server import LiveServer

ACCOUNT = "123456789012"


def policy_ids(org: Org, target: str, kind: str = SCP) -> list[str]:
    listed = org.client.list_policies_for_target(TargetId=target, Filter=kind)["Policies"]
    return [p["Id"] for p in listed]


def ids_of(items: list[dict[str, Any]]) -> list[str]:
    return [str(item["Id"]) for item in items]


# --- The organization -----------------------------------------------------------------------


def test_create_organization_enables_scps_with_full_aws_access(server: LiveServer) -> None:
    client = root_caller(server).org
    made = client.create_organization(FeatureSet="ALL")["Organization"]
    assert re.fullmatch(r"o-[a-z0-9]{10}", made["Id"])
    assert made["Arn"] == f"arn:aws:organizations::{ACCOUNT}:organization/{made['Id']}"
    assert made["FeatureSet"] == "ALL"
    assert made["MasterAccountId"] == ACCOUNT
    assert made["MasterAccountArn"] == (
        f"arn:aws:organizations::{ACCOUNT}:account/{made['Id']}/{ACCOUNT}"
    )
    roots = client.list_roots()["Roots"]
    assert len(roots) == 1 and re.fullmatch(r"r-[0-9a-z]{4}", roots[0]["Id"])
    assert roots[0]["Arn"] == (
        f"arn:aws:organizations::{ACCOUNT}:root/{made['Id']}/{roots[0]['Id']}"
    )
    assert roots[0]["PolicyTypes"] == [{"Type": SCP, "Status": "ENABLED"}]
    for target in (roots[0]["Id"], ACCOUNT):
        listed = client.list_policies_for_target(TargetId=target, Filter=SCP)["Policies"]
        assert [(p["Id"], p["Name"], p["AwsManaged"]) for p in listed] == [
            (FULL_AWS_ACCESS, "FullAWSAccess", True)
        ]

    again = error_of(lambda: client.create_organization(FeatureSet="ALL"))
    assert again["Code"] == "AlreadyInOrganizationException"


def test_describe_organization_and_the_cli(server: LiveServer) -> None:
    run = server.cli("organizations", "describe-organization")
    assert run.code != 0 and "AWSOrganizationsNotInUseException" in run.stderr

    client = root_caller(server).org
    made = client.create_organization()["Organization"]  # FeatureSet defaults to ALL
    described = client.describe_organization()["Organization"]
    assert described["Id"] == made["Id"] and described["FeatureSet"] == "ALL"
    assert described["Arn"] == f"arn:aws:organizations::{ACCOUNT}:organization/{made['Id']}"

    run = server.cli("organizations", "list-accounts")
    assert run.code == 0, run.stderr
    accounts = run.json()["Accounts"]
    assert [(a["Id"], a["Arn"]) for a in accounts] == [
        (ACCOUNT, f"arn:aws:organizations::{ACCOUNT}:account/{made['Id']}/{ACCOUNT}")
    ]


def test_account_outside_any_organization(server: LiveServer) -> None:
    client = root_caller(server).org
    err = error_of(client.describe_organization)
    assert err["Code"] == "AWSOrganizationsNotInUseException"
    assert err["Message"] == "Your account is not a member of an organization."
    assert error_of(client.list_accounts)["Code"] == "AWSOrganizationsNotInUseException"


def test_delete_organization(server: LiveServer) -> None:
    org = create_org(server)
    member = org.account("member")
    err = error_of(org.client.delete_organization)
    assert err["Code"] == "OrganizationNotEmptyException"

    err = error_of(lambda: org.client.remove_account_from_organization(AccountId=ACCOUNT))
    assert err["Code"] == "MasterCannotLeaveOrganizationException"
    org.client.remove_account_from_organization(AccountId=member)
    assert ids_of(org.client.list_accounts()["Accounts"]) == [ACCOUNT]
    org.client.delete_organization()
    assert error_of(org.client.describe_organization)["Code"] == (
        "AWSOrganizationsNotInUseException"
    )
    # The account may make a new organization, with a new id.
    again = org.client.create_organization(FeatureSet="ALL")["Organization"]
    assert again["Id"] != org.id


# --- Accounts -------------------------------------------------------------------------------


def test_create_account_and_describe_it(server: LiveServer) -> None:
    org = create_org(server)
    asked = org.client.create_account(
        Email="dev@example.com", AccountName="dev", Tags=[{"Key": "team", "Value": "web"}]
    )["CreateAccountStatus"]
    assert asked["State"] == "IN_PROGRESS" and asked["AccountName"] == "dev"
    assert re.fullmatch(r"car-[0-9a-f]{32}", asked["Id"])
    status = org.client.describe_create_account_status(CreateAccountRequestId=asked["Id"])[
        "CreateAccountStatus"
    ]
    assert status["State"] == "SUCCEEDED"
    account = status["AccountId"]
    assert re.fullmatch(r"\d{12}", account) and account != ACCOUNT

    described = org.client.describe_account(AccountId=account)["Account"]
    assert described["Arn"] == f"arn:aws:organizations::{ACCOUNT}:account/{org.id}/{account}"
    assert (described["Email"], described["Name"]) == ("dev@example.com", "dev")
    assert (described["Status"], described["JoinedMethod"]) == ("ACTIVE", "CREATED")
    tags = org.client.list_tags_for_resource(ResourceId=account)["Tags"]
    assert tags == [{"Key": "team", "Value": "web"}]
    # New accounts get FullAWSAccess, as every target of an enabled SCP type does.
    assert policy_ids(org, account) == [FULL_AWS_ACCESS]

    listed = org.client.list_accounts()["Accounts"]
    assert ids_of(listed) == [ACCOUNT, account]
    under_root = org.client.list_accounts_for_parent(ParentId=org.root_id)["Accounts"]
    assert ids_of(under_root) == [ACCOUNT, account]
    statuses = org.client.list_create_account_status(States=["SUCCEEDED"])
    assert [s["AccountId"] for s in statuses["CreateAccountStatuses"]] == [account]

    missing = error_of(lambda: org.client.describe_account(AccountId="111122223333"))
    assert missing["Code"] == "AccountNotFoundException"


def test_new_account_has_the_access_role(server: LiveServer) -> None:
    org = create_org(server)
    account = org.account("dev")
    session = org.member(account)
    identity = session.sts.get_caller_identity()
    assert identity["Account"] == account
    assert identity["Arn"].startswith(
        f"arn:aws:sts::{account}:assumed-role/OrganizationAccountAccessRole/"
    )
    role = session.iam.get_role(RoleName="OrganizationAccountAccessRole")["Role"]
    statement = role["AssumeRolePolicyDocument"]["Statement"][0]
    assert statement["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    inline = session.iam.list_role_policies(RoleName="OrganizationAccountAccessRole")
    assert inline["PolicyNames"] == ["AdministratorAccess"]

    # RoleName names the role instead.
    asked = org.client.create_account(Email="ops@example.com", AccountName="ops", RoleName="Ops")
    other = org.client.describe_create_account_status(
        CreateAccountRequestId=asked["CreateAccountStatus"]["Id"]
    )["CreateAccountStatus"]["AccountId"]
    ops = org.admin.assume(f"arn:aws:iam::{other}:role/Ops")
    assert ops.account == other
    missing = error_of(lambda: org.member(other))
    assert missing["Code"] == "AccessDenied"
    unknown = error_of(
        lambda: org.client.describe_create_account_status(CreateAccountRequestId="car-" + "0" * 32)
    )
    assert unknown["Code"] == "CreateAccountStatusNotFoundException"


def test_duplicate_email_fails_the_request_not_the_call(server: LiveServer) -> None:
    org = create_org(server)
    org.account("dev")
    asked = org.client.create_account(Email="DEV@example.com", AccountName="dev2")
    assert asked["CreateAccountStatus"]["State"] == "IN_PROGRESS"
    status = org.client.describe_create_account_status(
        CreateAccountRequestId=asked["CreateAccountStatus"]["Id"]
    )["CreateAccountStatus"]
    assert (status["State"], status["FailureReason"]) == ("FAILED", "EMAIL_ALREADY_EXISTS")
    assert "AccountId" not in status
    assert len(org.client.list_accounts()["Accounts"]) == 2


def test_ten_accounts_an_organization(server: LiveServer) -> None:
    org = create_org(server)
    for n in range(9):  # the management account is the tenth
        org.account(f"acct{n}")
    err = error_of(lambda: org.client.create_account(Email="x@example.com", AccountName="x"))
    assert (err["Code"], err["Reason"]) == (
        "ConstraintViolationException",
        "ACCOUNT_NUMBER_LIMIT_EXCEEDED",
    )
    assert len(org.client.list_accounts(MaxResults=20)["Accounts"]) == 10


def test_paging_list_accounts(server: LiveServer) -> None:
    org = create_org(server)
    made = [org.account(name) for name in ("a", "b")]
    seen: list[str] = []
    token: str | None = None
    pages = 0
    while True:
        answer = (
            org.client.list_accounts(MaxResults=1, NextToken=token)
            if token
            else org.client.list_accounts(MaxResults=1)
        )
        pages += 1
        assert len(answer["Accounts"]) == 1
        seen += ids_of(answer["Accounts"])
        token = answer.get("NextToken")
        if token is None:
            break
    assert (pages, seen) == (3, [ACCOUNT, *made])
    paginated = org.client.get_paginator("list_accounts").paginate(PaginationConfig={"PageSize": 2})
    assert [a["Id"] for p in paginated for a in p["Accounts"]] == seen

    bad = error_of(lambda: org.client.list_accounts(NextToken="not-a-token"))
    assert (bad["Code"], bad["Reason"]) == ("InvalidInputException", "INVALID_NEXT_TOKEN")


def test_invalid_input_names_the_reason(server: LiveServer) -> None:
    org = create_org(server)
    err = error_of(lambda: org.client.list_accounts_for_parent(ParentId="bad"))
    assert (err["Code"], err["Reason"], err["Status"]) == (
        "InvalidInputException",
        "INVALID_PATTERN",
        400,
    )
    err = error_of(lambda: org.client.describe_account(AccountId="12345"))
    assert (err["Code"], err["Reason"]) == ("InvalidInputException", "INVALID_PATTERN")
    missing = error_of(lambda: org.client.list_accounts_for_parent(ParentId="ou-abcd-12345678"))
    assert missing["Code"] == "ParentNotFoundException"


def test_member_account_may_describe_its_organization(server: LiveServer) -> None:
    org = create_org(server)
    session = org.member(org.account("dev"))
    described = session.org.describe_organization()["Organization"]
    assert (described["Id"], described["MasterAccountId"]) == (org.id, ACCOUNT)


def test_member_account_may_not_manage_the_organization(server: LiveServer) -> None:
    org = create_org(server)
    session = org.member(org.account("dev"))
    for call in (
        session.org.list_accounts,
        lambda: session.org.create_organizational_unit(ParentId=org.root_id, Name="x"),
    ):
        err = error_of(call)
        assert err["Code"] == "AccessDeniedException"
        assert err["Message"] == "You don't have permissions to access this resource."


def test_member_account_is_already_in_an_organization(server: LiveServer) -> None:
    org = create_org(server)
    session = org.member(org.account("dev"))
    again = error_of(lambda: session.org.create_organization(FeatureSet="ALL"))
    assert again["Code"] == "AlreadyInOrganizationException"


def test_member_account_may_leave(server: LiveServer) -> None:
    org = create_org(server)
    account = org.account("dev")
    org.member(account).org.leave_organization()
    assert ids_of(org.client.list_accounts()["Accounts"]) == [ACCOUNT]


def test_identity_policy_governs_organizations_calls(server: LiveServer) -> None:
    org = create_org(server)
    reader = org.admin.new_user("reader", allow("organizations:Describe*"))
    assert reader.org.describe_organization()["Organization"]["Id"] == org.id
    err = error_of(reader.org.list_accounts)
    assert err["Code"] == "AccessDeniedException"
    assert "organizations:ListAccounts" in err["Message"]


def test_organizations_condition_keys(server: LiveServer) -> None:
    org = create_org(server)
    scps_only = org.admin.new_user(
        "scps-only",
        allow(
            "organizations:CreatePolicy",
            Condition={"StringEquals": {"organizations:PolicyType": SCP}},
        ),
    )
    scps_only.org.create_policy(Name="s", Description="", Type=SCP, Content=DENY_USERS)
    err = error_of(
        lambda: scps_only.org.create_policy(
            Name="t", Description="", Type="TAG_POLICY", Content="{}"
        )
    )
    assert err["Code"] == "AccessDeniedException"
    assert f"policy/{org.id}/tag_policy/*" in err["Message"]

    dev_ou, prod_ou = org.ou("dev"), org.ou("prod")
    org.client.tag_resource(ResourceId=dev_ou, Tags=[{"Key": "env", "Value": "dev"}])
    cleaner = org.admin.new_user(
        "cleaner",
        allow(
            "organizations:DeleteOrganizationalUnit",
            Condition={"StringEquals": {"aws:ResourceTag/env": "dev"}},
        ),
    )
    err = error_of(lambda: cleaner.org.delete_organizational_unit(OrganizationalUnitId=prod_ou))
    assert err["Code"] == "AccessDeniedException"
    assert (
        f"on resource: arn:aws:organizations::{ACCOUNT}:ou/{org.id}/{prod_ou}" in (err["Message"])
    )
    cleaner.org.delete_organizational_unit(OrganizationalUnitId=dev_ou)
    remaining = org.client.list_organizational_units_for_parent(ParentId=org.root_id)
    assert ids_of(remaining["OrganizationalUnits"]) == [prod_ou]


def test_remove_account_makes_it_standalone(server: LiveServer) -> None:
    org = create_org(server)
    account = org.account("leaver")
    session = org.member(account)
    org.client.remove_account_from_organization(AccountId=account)
    assert ids_of(org.client.list_accounts()["Accounts"]) == [ACCOUNT]
    err = error_of(session.org.describe_organization)
    assert err["Code"] == "AWSOrganizationsNotInUseException"
    gone = error_of(lambda: org.client.describe_account(AccountId=account))
    assert gone["Code"] == "AccountNotFoundException"
    # The account itself lives on, its users and roles with it.
    assert session.iam.get_role(RoleName="OrganizationAccountAccessRole")["Role"]


# --- Organizational units -------------------------------------------------------------------


def test_organizational_units(server: LiveServer) -> None:
    org = create_org(server)
    client = org.client
    made = client.create_organizational_unit(ParentId=org.root_id, Name="prod")[
        "OrganizationalUnit"
    ]
    ou = made["Id"]
    assert re.fullmatch(rf"ou-{org.root_id.removeprefix('r-')}-[a-z0-9]{{8}}", ou)
    assert made["Arn"] == f"arn:aws:organizations::{ACCOUNT}:ou/{org.id}/{ou}"
    assert made["Name"] == "prod"
    # New OUs get FullAWSAccess.
    assert policy_ids(org, ou) == [FULL_AWS_ACCESS]

    dup = error_of(lambda: client.create_organizational_unit(ParentId=org.root_id, Name="prod"))
    assert dup["Code"] == "DuplicateOrganizationalUnitException"

    renamed = client.update_organizational_unit(OrganizationalUnitId=ou, Name="production")
    assert renamed["OrganizationalUnit"]["Name"] == "production"
    described = client.describe_organizational_unit(OrganizationalUnitId=ou)
    assert described["OrganizationalUnit"]["Name"] == "production"

    child = org.ou("web", ou)
    listed = client.list_organizational_units_for_parent(ParentId=org.root_id)
    assert [(u["Id"], u["Name"]) for u in listed["OrganizationalUnits"]] == [(ou, "production")]
    children = client.list_children(ParentId=ou, ChildType="ORGANIZATIONAL_UNIT")["Children"]
    assert children == [{"Id": child, "Type": "ORGANIZATIONAL_UNIT"}]
    parents = client.list_parents(ChildId=child)["Parents"]
    assert parents == [{"Id": ou, "Type": "ORGANIZATIONAL_UNIT"}]
    assert client.list_parents(ChildId=ou)["Parents"] == [{"Id": org.root_id, "Type": "ROOT"}]

    not_empty = error_of(lambda: client.delete_organizational_unit(OrganizationalUnitId=ou))
    assert not_empty["Code"] == "OrganizationalUnitNotEmptyException"
    client.delete_organizational_unit(OrganizationalUnitId=child)
    # Deleting an OU detaches its policies.
    scp = org.policy("on-the-ou", deny("iam:CreateUser"))
    org.attach(scp, ou)
    client.delete_organizational_unit(OrganizationalUnitId=ou)
    assert client.list_targets_for_policy(PolicyId=scp)["Targets"] == []
    client.delete_policy(PolicyId=scp)
    assert (
        client.list_organizational_units_for_parent(ParentId=org.root_id)["OrganizationalUnits"]
        == []
    )
    gone = error_of(lambda: client.describe_organizational_unit(OrganizationalUnitId=ou))
    assert gone["Code"] == "OrganizationalUnitNotFoundException"


def test_ous_nest_five_levels_under_the_root(server: LiveServer) -> None:
    org = create_org(server)
    parent = org.root_id
    for level in range(5):
        parent = org.ou(f"level{level + 1}", parent)
    err = error_of(lambda: org.client.create_organizational_unit(ParentId=parent, Name="six"))
    assert (err["Code"], err["Reason"]) == (
        "ConstraintViolationException",
        "OU_DEPTH_LIMIT_EXCEEDED",
    )


def test_move_account_between_parents(server: LiveServer) -> None:
    org = create_org(server)
    account = org.account("dev")
    ou = org.ou("prod")
    org.move(account, org.root_id, ou)
    assert org.client.list_parents(ChildId=account)["Parents"] == [
        {"Id": ou, "Type": "ORGANIZATIONAL_UNIT"}
    ]
    children = org.client.list_children(ParentId=ou, ChildType="ACCOUNT")["Children"]
    assert children == [{"Id": account, "Type": "ACCOUNT"}]
    assert ids_of(org.client.list_accounts_for_parent(ParentId=ou)["Accounts"]) == [account]
    assert ids_of(org.client.list_accounts_for_parent(ParentId=org.root_id)["Accounts"]) == [
        ACCOUNT
    ]
    paths = org.client.describe_account(AccountId=account)["Account"]["Paths"]
    assert paths == [f"{org.id}/{org.root_id}/{ou}/{account}/"]

    # The account is no longer under the root.
    wrong = error_of(lambda: org.move(account, org.root_id, ou))
    assert wrong["Code"] == "AccountNotFoundException"
    missing = error_of(lambda: org.move(account, "ou-abcd-12345678", org.root_id))
    assert missing["Code"] == "SourceParentNotFoundException"
    missing = error_of(lambda: org.move(account, ou, "ou-abcd-12345678"))
    assert missing["Code"] == "DestinationParentNotFoundException"
    not_empty = error_of(lambda: org.client.delete_organizational_unit(OrganizationalUnitId=ou))
    assert not_empty["Code"] == "OrganizationalUnitNotEmptyException"


# --- Policies -------------------------------------------------------------------------------

DENY_USERS = document(deny("iam:CreateUser"))


def test_policy_lifecycle(server: LiveServer) -> None:
    org = create_org(server)
    client = org.client
    made = client.create_policy(
        Name="no-users",
        Description="no new users",
        Type=SCP,
        Content=DENY_USERS,
        Tags=[{"Key": "owner", "Value": "sec"}],
    )["Policy"]
    summary = made["PolicySummary"]
    policy_id = summary["Id"]
    assert re.fullmatch(r"p-[0-9a-z]{8}", policy_id)
    assert summary["Arn"] == (
        f"arn:aws:organizations::{ACCOUNT}:policy/{org.id}/service_control_policy/{policy_id}"
    )
    assert (summary["Name"], summary["Type"], summary["AwsManaged"]) == ("no-users", SCP, False)
    assert json.loads(made["Content"]) == json.loads(DENY_USERS)

    described = client.describe_policy(PolicyId=policy_id)["Policy"]
    assert described["PolicySummary"]["Description"] == "no new users"
    updated = client.update_policy(
        PolicyId=policy_id, Name="no-new-users", Content=document(deny("iam:CreateRole"))
    )["Policy"]
    assert updated["PolicySummary"]["Name"] == "no-new-users"
    assert json.loads(updated["Content"])["Statement"][0]["Action"] == ["iam:CreateRole"]
    assert client.list_tags_for_resource(ResourceId=policy_id)["Tags"] == [
        {"Key": "owner", "Value": "sec"}
    ]

    listed = client.list_policies(Filter=SCP)["Policies"]
    assert [(p["Id"], p["AwsManaged"]) for p in listed] == [
        (FULL_AWS_ACCESS, True),
        (policy_id, False),
    ]

    org.attach(policy_id, org.root_id)
    in_use = error_of(lambda: client.delete_policy(PolicyId=policy_id))
    assert in_use["Code"] == "PolicyInUseException"
    targets = client.list_targets_for_policy(PolicyId=policy_id)["Targets"]
    assert [(t["TargetId"], t["Type"], t["Name"]) for t in targets] == [
        (org.root_id, "ROOT", "Root")
    ]
    org.detach(policy_id, org.root_id)
    client.delete_policy(PolicyId=policy_id)
    gone = error_of(lambda: client.describe_policy(PolicyId=policy_id))
    assert gone["Code"] == "PolicyNotFoundException"


def test_policy_documents_are_checked(server: LiveServer) -> None:
    org = create_org(server)
    client = org.client

    def create(content: str, name: str = "p", kind: str = SCP) -> Any:
        return lambda: client.create_policy(Name=name, Description="", Type=kind, Content=content)

    malformed = error_of(create("{not json"))
    assert malformed["Code"] == "MalformedPolicyDocumentException"
    no_effect = error_of(create(json.dumps({"Statement": [{"Action": "*", "Resource": "*"}]})))
    assert no_effect["Code"] == "MalformedPolicyDocumentException"
    # SCPs name no principal.
    principal = error_of(create(document(deny("iam:*", Principal="*"))))
    assert principal["Code"] == "MalformedPolicyDocumentException"

    big = document(*(deny(f"iam:Action{n:04d}") for n in range(200)))
    assert len(big) > 5120
    too_big = error_of(create(big))
    assert (too_big["Code"], too_big["Reason"]) == (
        "ConstraintViolationException",
        "POLICY_CONTENT_LIMIT_EXCEEDED",
    )

    org.policy("taken", deny("iam:CreateUser"))
    duplicate = error_of(create(DENY_USERS, name="taken"))
    assert duplicate["Code"] == "DuplicatePolicyException"
    aws_name = error_of(create(DENY_USERS, name="FullAWSAccess"))
    assert aws_name["Code"] == "DuplicatePolicyException"


def test_describe_full_aws_access(server: LiveServer) -> None:
    org = create_org(server)
    full = org.client.describe_policy(PolicyId=FULL_AWS_ACCESS)["Policy"]
    assert full["PolicySummary"]["Arn"] == (
        "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess"
    )
    assert full["PolicySummary"]["AwsManaged"] is True
    assert json.loads(full["Content"])["Statement"] == [
        {"Effect": "Allow", "Action": "*", "Resource": "*"}
    ]
    targets = org.client.list_targets_for_policy(PolicyId=FULL_AWS_ACCESS)["Targets"]
    assert {t["TargetId"] for t in targets} == {org.root_id, ACCOUNT}


def test_aws_managed_policies_are_immutable(server: LiveServer) -> None:
    org = create_org(server)
    for call in (
        lambda: org.client.update_policy(PolicyId=FULL_AWS_ACCESS, Name="mine"),
        lambda: org.client.delete_policy(PolicyId=FULL_AWS_ACCESS),
    ):
        err = error_of(call)
        assert (err["Code"], err["Reason"]) == ("InvalidInputException", "IMMUTABLE_POLICY")


def test_attach_and_detach_quotas(server: LiveServer) -> None:
    org = create_org(server)
    ou = org.ou("prod")
    made = [org.policy(f"scp{n}", deny(f"iam:CreateUser{n}")) for n in range(5)]
    for policy_id in made[:4]:
        org.attach(policy_id, ou)
    assert policy_ids(org, ou) == [FULL_AWS_ACCESS, *made[:4]]
    dup = error_of(lambda: org.attach(made[0], ou))
    assert dup["Code"] == "DuplicatePolicyAttachmentException"
    sixth = error_of(lambda: org.attach(made[4], ou))
    assert (sixth["Code"], sixth["Reason"]) == (
        "ConstraintViolationException",
        "MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
    )

    for policy_id in made[:3]:
        org.detach(policy_id, ou)
    assert policy_ids(org, ou) == [FULL_AWS_ACCESS, made[3]]
    not_attached = error_of(lambda: org.detach(made[0], ou))
    assert not_attached["Code"] == "PolicyNotAttachedException"
    missing = error_of(lambda: org.attach(made[0], "ou-abcd-12345678"))
    assert missing["Code"] == "TargetNotFoundException"
    no_policy = error_of(lambda: org.attach("p-12345678", ou))
    assert no_policy["Code"] == "PolicyNotFoundException"


def test_detaching_the_last_scp_is_refused(server: LiveServer) -> None:
    org = create_org(server)
    ou = org.ou("prod")
    scp = org.policy("only", allow("iam:*"))
    org.attach(scp, ou)
    org.detach(FULL_AWS_ACCESS, ou)  # replaced by `only`
    assert policy_ids(org, ou) == [scp]
    last = error_of(lambda: org.detach(scp, ou))
    assert (last["Code"], last["Reason"]) == (
        "ConstraintViolationException",
        "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
    )


def test_rcp_full_aws_access_cannot_be_detached(server: LiveServer) -> None:
    org = create_org(server)
    ou = org.ou("prod")
    org.client.enable_policy_type(RootId=org.root_id, PolicyType=RCP)
    fixed = error_of(lambda: org.detach(RCP_FULL_AWS_ACCESS, ou))
    assert (fixed["Code"], fixed["Reason"]) == ("InvalidInputException", "NON_DETACHABLE_POLICY")


def test_resource_control_policies(server: LiveServer) -> None:
    org = create_org(server)
    account = org.account("dev")
    ou = org.ou("prod")
    rcp = org.policy("no-assume", deny("sts:AssumeRole", Principal="*"), kind=RCP)
    not_enabled = error_of(lambda: org.attach(rcp, ou))
    assert not_enabled["Code"] == "PolicyTypeNotEnabledException"

    root = org.client.enable_policy_type(RootId=org.root_id, PolicyType=RCP)["Root"]
    assert {"Type": RCP, "Status": "ENABLED"} in root["PolicyTypes"]
    already = error_of(lambda: org.client.enable_policy_type(RootId=org.root_id, PolicyType=RCP))
    assert already["Code"] == "PolicyTypeAlreadyEnabledException"
    # RCPFullAWSAccess is attached to the root, every OU and every account.
    for target in (org.root_id, ou, ACCOUNT, account):
        assert policy_ids(org, target, RCP) == [RCP_FULL_AWS_ACCESS]
    listed = org.client.list_policies(Filter=RCP)["Policies"]
    assert (listed[0]["Id"], listed[0]["Name"], listed[0]["AwsManaged"]) == (
        RCP_FULL_AWS_ACCESS,
        "RCPFullAWSAccess",
        True,
    )

    # Accounts and OUs made later get it too.
    later = org.account("later")
    assert policy_ids(org, later, RCP) == [RCP_FULL_AWS_ACCESS]
    assert policy_ids(org, later) == [FULL_AWS_ACCESS]

    # An RCP may only deny.
    allowing = error_of(
        lambda: org.client.create_policy(
            Name="allow",
            Description="",
            Type=RCP,
            Content=document(allow("sts:AssumeRole", Principal="*")),
        )
    )
    assert allowing["Code"] == "MalformedPolicyDocumentException"
    # ... and must name its principal.
    no_principal = error_of(
        lambda: org.client.create_policy(
            Name="np", Description="", Type=RCP, Content=document(deny("sts:AssumeRole"))
        )
    )
    assert no_principal["Code"] == "MalformedPolicyDocumentException"
    org.attach(rcp, ou)
    assert policy_ids(org, ou, RCP) == [RCP_FULL_AWS_ACCESS, rcp]
    # Unlike SCPs, a target may be left with RCPFullAWSAccess alone.
    org.detach(rcp, ou)
    assert policy_ids(org, ou, RCP) == [RCP_FULL_AWS_ACCESS]


def test_disable_policy_type_detaches_its_policies(server: LiveServer) -> None:
    org = create_org(server)
    ou = org.ou("prod")
    scp = org.policy("deny", deny("iam:CreateUser"))
    org.attach(scp, ou)
    root = org.client.disable_policy_type(RootId=org.root_id, PolicyType=SCP)["Root"]
    assert root["PolicyTypes"] == []
    assert org.client.list_targets_for_policy(PolicyId=scp)["Targets"] == []
    off = error_of(lambda: org.attach(scp, ou))
    assert off["Code"] == "PolicyTypeNotEnabledException"
    again = error_of(lambda: org.client.disable_policy_type(RootId=org.root_id, PolicyType=SCP))
    assert again["Code"] == "PolicyTypeNotEnabledException"
    # Enabling it again attaches FullAWSAccess everywhere once more.
    org.client.enable_policy_type(RootId=org.root_id, PolicyType=SCP)
    assert policy_ids(org, ou) == [FULL_AWS_ACCESS]
    wrong_root = error_of(lambda: org.client.enable_policy_type(RootId="r-zzzz", PolicyType=RCP))
    assert wrong_root["Code"] == "RootNotFoundException"


# --- Tags -----------------------------------------------------------------------------------


def test_tag_untag_and_list(server: LiveServer) -> None:
    org = create_org(server)
    ou = org.ou("prod")
    account = org.account("dev")
    for resource in (ou, account, org.root_id):
        org.client.tag_resource(
            ResourceId=resource,
            Tags=[{"Key": "env", "Value": "prod"}, {"Key": "team", "Value": "core"}],
        )
        org.client.tag_resource(ResourceId=resource, Tags=[{"Key": "env", "Value": "dev"}])
        org.client.untag_resource(ResourceId=resource, TagKeys=["team"])
        tags = org.client.list_tags_for_resource(ResourceId=resource)["Tags"]
        assert tags == [{"Key": "env", "Value": "dev"}], resource
    missing = error_of(lambda: org.client.list_tags_for_resource(ResourceId="ou-abcd-12345678"))
    assert missing["Code"] == "TargetNotFoundException"
    too_many = error_of(
        lambda: org.client.tag_resource(
            ResourceId=ou, Tags=[{"Key": f"k{n}", "Value": "v"} for n in range(50)]
        )
    )
    assert (too_many["Code"], too_many["Reason"]) == (
        "ConstraintViolationException",
        "MAX_TAG_LIMIT_EXCEEDED",
    )


def test_close_account_suspends_it_and_its_credentials_stop_working(server: LiveServer) -> None:
    """CloseAccount suspends a member account; its principals can no longer sign requests
    (https://docs.aws.amazon.com/organizations/latest/APIReference/API_CloseAccount.html)."""
    org = create_org(server)
    account = org.account("doomed")
    admin = org.member(account)
    assert admin.iam.list_roles()["Roles"]  # works while the account is open

    org.client.close_account(AccountId=account)
    described = org.client.describe_account(AccountId=account)["Account"]
    assert described["Status"] == "SUSPENDED"
    refused = error_of(lambda: admin.iam.list_roles())
    assert refused["Code"] == "InvalidClientTokenId"

    again = error_of(lambda: org.client.close_account(AccountId=account))
    assert again["Code"] == "AccountAlreadyClosedException"
    management = error_of(lambda: org.client.close_account(AccountId=org.management))
    assert management["Code"] == "ConstraintViolationException"
    assert management["Reason"] == "CANNOT_CLOSE_MANAGEMENT_ACCOUNT"
