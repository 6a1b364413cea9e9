"""Reading a get-account-authorization-details file: the rows of every kind of entity, both
forms of policy documents, account-id rewriting, and every problem reported at its place."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import pytest
from import_samples import (
    ACCOUNT,
    ARN,
    GROUP_INLINE,
    MINE_V1,
    MINE_V2,
    NOW,
    OTHER,
    ROLE_INLINE,
    TRUST,
    USER_INLINE,
    account_file,
    doc,
    encoded,
    read,
)

from localiam.importer import DEFAULT_ACCOUNT, InvalidImport, source_account
from localiam.importer._source import load_json
from localiam.store.models import (
    Base,
    Group,
    GroupMembership,
    InlinePolicy,
    InstanceProfile,
    InstanceProfileRole,
    ManagedPolicy,
    PolicyAttachment,
    PolicyVersion,
    PrincipalType,
    Role,
    Tag,
    User,
)

CREATED = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)


T = TypeVar("T", bound=Base)


def rows_of(rows: tuple[Base, ...], model: type[T]) -> list[T]:
    return [r for r in rows if isinstance(r, model)]


def test_every_kind_of_entity() -> None:
    imported = read(account_file())
    rows = imported.rows
    assert imported.account_id == ACCOUNT
    (user,) = rows_of(rows, User)
    assert (user.user_id, user.name, user.path, user.arn, user.created_at) == (
        "AIDAALICE00000000001",
        "alice",
        "/people/",
        f"{ARN}:user/people/alice",
        CREATED,
    )
    assert user.permissions_boundary_arn == "arn:aws:iam::aws:policy/PowerUserAccess"
    (group,) = rows_of(rows, Group)
    assert (group.group_id, group.arn) == ("AGPADEVS000000000001", f"{ARN}:group/devs")
    (membership,) = rows_of(rows, GroupMembership)
    assert (membership.group_id, membership.user_id) == (group.group_id, user.user_id)
    (role,) = rows_of(rows, Role)
    assert (role.role_id, role.max_session_duration, role.description) == (
        "AROAAPP0000000000001",
        3600,
        None,
    )
    assert json.loads(role.assume_role_policy) == TRUST
    assert role.role_last_used_at == datetime(2025, 1, 1, tzinfo=UTC)
    assert role.role_last_used_region == "eu-west-1"
    (profile,) = rows_of(rows, InstanceProfile)
    assert (profile.instance_profile_id, profile.arn) == (
        "AIPAWEB0000000000001",
        f"{ARN}:instance-profile/web",
    )
    (link,) = rows_of(rows, InstanceProfileRole)
    assert (link.instance_profile_id, link.role_id) == (profile.instance_profile_id, role.role_id)
    (policy,) = rows_of(rows, ManagedPolicy)  # the AWS managed entry is not stored
    assert (policy.policy_id, policy.path, policy.arn, policy.description) == (
        "ANPAMINE000000000001",
        "/team/",
        f"{ARN}:policy/team/mine",
        "my policy",
    )
    assert (policy.default_version_id, policy.last_version_number) == ("v2", 2)
    assert policy.updated_at == datetime(2024, 6, 1, tzinfo=UTC)
    versions = {v.version_id: v for v in rows_of(rows, PolicyVersion)}
    assert {k: (json.loads(v.document), v.is_default) for k, v in versions.items()} == {
        "v1": (MINE_V1, False),
        "v2": (MINE_V2, True),
    }
    inline = {
        (p.principal_type, p.name): json.loads(p.document) for p in rows_of(rows, InlinePolicy)
    }
    assert inline == {
        (PrincipalType.USER, "jobs"): USER_INLINE,
        (PrincipalType.GROUP, "notify"): GROUP_INLINE,
        (PrincipalType.ROLE, "bucket"): ROLE_INLINE,
    }
    attached = {
        (a.principal_type, a.principal_id, a.policy_arn) for a in rows_of(rows, PolicyAttachment)
    }
    assert attached == {
        (PrincipalType.USER, user.user_id, "arn:aws:iam::aws:policy/ReadOnlyAccess"),
        (PrincipalType.GROUP, group.group_id, policy.arn),
        (PrincipalType.ROLE, role.role_id, policy.arn),
    }
    tags = [(t.resource_arn, t.key, t.value, t.position) for t in rows_of(rows, Tag)]
    assert sorted(tags) == sorted(
        [
            (user.arn, "team", "blue", 0),
            (user.arn, "level", "3", 1),
            (role.arn, "team", "blue", 0),
            (profile.arn, "tier", "web", 0),
        ]
    )
    assert {(e.kind, e.name) for e in imported.entities} == {
        ("user", "alice"),
        ("group", "devs"),
        ("role", "app"),
        ("instance-profile", "web"),
        ("policy", "mine"),
    }


def test_documents_are_stored_as_plain_json_text_whatever_their_form() -> None:
    raw = account_file()
    raw["UserDetailList"][0]["UserPolicyList"] = [
        {"PolicyName": "encoded", "PolicyDocument": encoded(USER_INLINE)},
        {"PolicyName": "object", "PolicyDocument": USER_INLINE},
        {"PolicyName": "text", "PolicyDocument": json.dumps(USER_INLINE)},
    ]
    stored = {p.name: p.document for p in rows_of(read(raw).rows, InlinePolicy)}
    assert stored["encoded"] == json.dumps(USER_INLINE)  # URL-decoded, as the service stores it
    assert stored["text"] == json.dumps(USER_INLINE)
    assert json.loads(stored["object"]) == USER_INLINE
    assert not stored["object"].startswith("%7B")


def test_account_ids_are_rewritten_in_arns_and_documents() -> None:
    imported = read(account_file(), account_id=OTHER)
    assert imported.account_id == OTHER
    text = " ".join(
        str(value)
        for row in imported.rows
        for value in vars(row).values()
        if isinstance(value, str)
    )
    assert ACCOUNT not in text
    (role,) = rows_of(imported.rows, Role)
    assert role.arn == f"arn:aws:iam::{OTHER}:role/app"
    assert json.loads(role.assume_role_policy)["Statement"][0]["Principal"]["AWS"] == (
        f"arn:aws:iam::{OTHER}:root"
    )
    attached = {a.policy_arn for a in rows_of(imported.rows, PolicyAttachment)}
    assert f"arn:aws:iam::{OTHER}:policy/team/mine" in attached
    assert all(t.account_id == OTHER for t in rows_of(imported.rows, Tag))


def test_a_longer_number_holding_the_account_id_is_left_alone() -> None:
    raw = account_file()
    ids = f"{ACCOUNT}9"
    raw["GroupDetailList"][0]["GroupPolicyList"][0]["PolicyDocument"] = doc(
        {
            "Effect": "Allow",
            "Action": "sns:Publish",
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:SourceAccount": [ACCOUNT, ids]}},
        }
    )
    inline = [
        p for p in rows_of(read(raw, account_id=OTHER).rows, InlinePolicy) if p.name == "notify"
    ]
    values = json.loads(inline[0].document)["Statement"][0]["Condition"]["StringEquals"]
    assert values["aws:SourceAccount"] == [OTHER, ids]


def test_the_account_defaults_to_the_files_then_to_the_servers() -> None:
    assert source_account(account_file()) == ACCOUNT
    empty = read({"UserDetailList": [], "IsTruncated": False})
    assert empty.account_id == DEFAULT_ACCOUNT and empty.rows == ()


def test_missing_ids_and_dates_are_made() -> None:
    raw = {"GroupDetailList": [{"GroupName": "g", "Arn": f"{ARN}:group/g"}]}
    (group,) = rows_of(read(raw).rows, Group)
    assert group.group_id.startswith("AGPA") and len(group.group_id) == 21
    assert (group.path, group.created_at) == ("/", NOW)


def test_a_role_may_carry_max_session_duration_and_description() -> None:
    raw = account_file()
    raw["RoleDetailList"][0].update(MaxSessionDuration=43200, Description="the app")
    (role,) = rows_of(read(raw).rows, Role)
    assert (role.max_session_duration, role.description) == (43200, "the app")


def test_a_profile_listed_under_two_roles_is_one_profile_with_both() -> None:
    raw = account_file()
    second = json.loads(json.dumps(raw["RoleDetailList"][0]))
    second.update(RoleName="app2", RoleId="AROAAPP0000000000002", Arn=f"{ARN}:role/app2")
    second["RolePolicyList"] = []
    raw["RoleDetailList"].append(second)
    rows = read(raw).rows
    assert len(rows_of(rows, InstanceProfile)) == 1
    assert {link.role_id for link in rows_of(rows, InstanceProfileRole)} == {
        "AROAAPP0000000000001",
        "AROAAPP0000000000002",
    }


# --- problems, each at its place ----------------------------------------------------------------

Change = Callable[[dict[str, Any]], object]


def _set(path: str, value: object) -> Change:
    """A change setting (or, with `...`, deleting) the member at `path` (`a.0.b`)."""

    def change(raw: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = raw
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        if value is ...:
            del node[last]
        elif last.isdigit():
            node[int(last)] = value
        else:
            node[last] = value

    return change


BAD_EFFECT = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Permit", "Action": "*", "Resource": "*"}],
}

PROBLEMS: list[tuple[str, Change, str]] = [
    ("truncated", _set("IsTruncated", True), "IsTruncated: the file is one page"),
    ("not a list", _set("UserDetailList", {}), "UserDetailList: must be a list, not an object"),
    ("not an object", _set("RoleDetailList.0", "app"), "RoleDetailList[0]: must be a JSON object, not a string"),
    ("no name", _set("UserDetailList.0.UserName", ...), "UserDetailList[0].UserName: missing; it is required"),
    ("no ARN", _set("RoleDetailList.0.Arn", ...), "RoleDetailList[0].Arn: missing; it is required"),
    ("name type", _set("GroupDetailList.0.GroupName", 7), "GroupDetailList[0].GroupName: must be a string, not a number"),
    ("bad name", _set("UserDetailList.0.UserName", "al ice"), "UserDetailList[0].UserName: `al ice` is not a valid name"),
    ("bad path", _set("UserDetailList.0.Path", "people"), "UserDetailList[0].Path: `people` is not a path"),
    (
        "ARN of another path",
        _set("UserDetailList.0.Arn", f"{ARN}:user/alice"),
        f"UserDetailList[0].Arn: `{ARN}:user/alice` is not the ARN of user `alice` with path `/people/`",
    ),
    (
        "two accounts",
        _set("GroupDetailList.0.Arn", f"arn:aws:iam::{OTHER}:group/devs"),
        f"GroupDetailList[0].Arn: names account {OTHER}, but the file's first ARN names {ACCOUNT}",
    ),
    ("bad date", _set("RoleDetailList.0.CreateDate", "yesterday"), "RoleDetailList[0].CreateDate: `yesterday` is not an ISO 8601 date"),
    (
        "unknown group",
        _set("UserDetailList.0.GroupList", ["devs", "ops"]),
        "UserDetailList[0].GroupList[1]: group `ops` is not in the file's GroupDetailList",
    ),
    (
        "customer policy not in the file",
        _set("RoleDetailList.0.AttachedManagedPolicies.0.PolicyArn", f"{ARN}:policy/gone"),
        f"RoleDetailList[0].AttachedManagedPolicies[0].PolicyArn: customer managed policy `{ARN}:policy/gone` is not in the file's Policies",
    ),
    (
        "AWS managed policy unknown",
        _set("UserDetailList.0.AttachedManagedPolicies.0.PolicyArn", "arn:aws:iam::aws:policy/Nope"),
        "UserDetailList[0].AttachedManagedPolicies[0].PolicyArn: AWS managed policy `arn:aws:iam::aws:policy/Nope` is not in localiam's catalog",
    ),
    (
        "boundary not in the file",
        _set("UserDetailList.0.PermissionsBoundary.PermissionsBoundaryArn", f"{ARN}:policy/b"),
        "UserDetailList[0].PermissionsBoundary.PermissionsBoundaryArn: customer managed policy",
    ),
    (
        "malformed inline policy",
        _set("RoleDetailList.0.RolePolicyList.0.PolicyDocument", BAD_EFFECT),
        "RoleDetailList[0].RolePolicyList[0].PolicyDocument: malformed policy document: Statement[0].Effect: Invalid effect: Permit",
    ),
    (
        "malformed URL-encoded policy",
        _set("UserDetailList.0.UserPolicyList.0.PolicyDocument", encoded(BAD_EFFECT)),
        "UserDetailList[0].UserPolicyList[0].PolicyDocument: malformed policy document: Statement[0].Effect",
    ),
    (
        "not JSON",
        _set("GroupDetailList.0.GroupPolicyList.0.PolicyDocument", "{not json"),
        "GroupDetailList[0].GroupPolicyList[0].PolicyDocument: malformed policy document",
    ),
    (
        "a number for a document",
        _set("GroupDetailList.0.GroupPolicyList.0.PolicyDocument", 3),
        "GroupDetailList[0].GroupPolicyList[0].PolicyDocument: must be a policy document",
    ),
    (
        "trust policy as an identity policy",
        _set("RoleDetailList.0.AssumeRolePolicyDocument", doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"})),
        "RoleDetailList[0].AssumeRolePolicyDocument: malformed policy document",
    ),
    ("no trust policy", _set("RoleDetailList.0.AssumeRolePolicyDocument", ...), "RoleDetailList[0].AssumeRolePolicyDocument: missing"),
    (
        "malformed version",
        _set("Policies.0.PolicyVersionList.1.Document", BAD_EFFECT),
        "Policies[0].PolicyVersionList[1].Document: malformed policy document",
    ),
    ("no versions", _set("Policies.0.PolicyVersionList", []), "Policies[0].PolicyVersionList: missing; a policy has versions"),
    ("no default", _set("Policies.0.PolicyVersionList.0.IsDefaultVersion", False), "Policies[0].PolicyVersionList: no version is the default"),
    (
        "two defaults",
        _set("Policies.0.PolicyVersionList.1.IsDefaultVersion", True),
        "Policies[0].PolicyVersionList[1].IsDefaultVersion: a second default version (`v2` is one)",
    ),
    ("default id differs", _set("Policies.0.DefaultVersionId", "v1"), "Policies[0].DefaultVersionId: `v1`, but the default version is `v2`"),
    ("bad version id", _set("Policies.0.PolicyVersionList.1.VersionId", "1"), "Policies[0].PolicyVersionList[1].VersionId: `1` is not a version id"),
    ("session too long", _set("RoleDetailList.0.MaxSessionDuration", 50000), "RoleDetailList[0].MaxSessionDuration: 50000 is not between 3600 and 43200"),
    (
        "tag twice",
        _set("UserDetailList.0.Tags.1", {"Key": "TEAM", "Value": "x"}),
        "UserDetailList[0].Tags[1].Key: tag key `TEAM` is given twice (keys ignore case)",
    ),
    (
        "profile of an unknown role",
        _set("RoleDetailList.0.InstanceProfileList.0.Roles", [{"RoleName": "ghost"}]),
        "RoleDetailList[0].InstanceProfileList[0].Roles[0].RoleName: role `ghost` is not in the file's RoleDetailList",
    ),
    (
        "inline policy twice",
        _set("UserDetailList.0.UserPolicyList", [{"PolicyName": "a", "PolicyDocument": USER_INLINE}] * 2),
        "UserDetailList[0].UserPolicyList[1].PolicyName: policy `a` is given twice",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("note", "change", "message"), PROBLEMS, ids=[p[0] for p in PROBLEMS])
def test_a_problem_is_reported_at_its_place(note: str, change: Change, message: str) -> None:
    raw = account_file()
    change(raw)
    with pytest.raises(InvalidImport) as caught:
        read(raw)
    assert str(caught.value).startswith(message), note


def test_the_same_name_twice_ignoring_case() -> None:
    raw = account_file()
    twin = json.loads(json.dumps(raw["UserDetailList"][0]))
    twin.update(UserName="Alice", UserId="AIDAALICE00000000002", Arn=f"{ARN}:user/people/Alice")
    raw["UserDetailList"].append(twin)
    with pytest.raises(
        InvalidImport,
        match=r"^UserDetailList\[1\]\.UserName: user `Alice` is already in the file, at UserDetailList\[0\]\.UserName$",
    ):
        read(raw)


def test_the_same_unique_id_twice() -> None:
    raw = account_file()
    raw["GroupDetailList"][0]["GroupId"] = "AIDAALICE00000000001"
    with pytest.raises(
        InvalidImport,
        match=r"^UserDetailList\[0\]\.UserId: unique id `AIDAALICE00000000001` is already in the file, at GroupDetailList\[0\]\.GroupId$",
    ):
        read(raw)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ([], "file: must be a JSON object, not a list"),
        ("text", "file: must be a JSON object, not a string"),
    ],
)
def test_the_file_must_be_an_object(raw: object, message: str) -> None:
    with pytest.raises(InvalidImport, match=f"^{message}$"):
        read(raw)


def test_invalid_json_names_line_and_column() -> None:
    with pytest.raises(InvalidImport, match=r"^not valid JSON: .*line 2 column"):
        load_json('{"UserDetailList": [\n  {"UserName": }]}')
    with pytest.raises(InvalidImport, match="nested too deeply"):
        load_json("[" * 100000)


def test_a_problem_names_its_file() -> None:
    error = InvalidImport("UserDetailList[0]", "bad").in_file("account.json")
    assert str(error) == "account.json: UserDetailList[0]: bad"
    assert (error.file, error.place, error.problem) == ("account.json", "UserDetailList[0]", "bad")
