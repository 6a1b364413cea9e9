"""The output of `aws iam get-account-authorization-details` -> the rows of one account.

The file's members (https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html):
`UserDetailList`, `GroupDetailList`, `RoleDetailList` and `Policies`, every one optional. Rows
are what the IAM service would have written for the same entities: documents stored as JSON
text (URL-decoded; objects written out as JSON), the file's unique ids, ARNs and dates kept,
attachments to AWS managed policies stored by ARN only (the catalog knows their documents).

Checked on the way, each at its place in the file: required members and their types, names,
paths and ids in IAM's forms, every policy document valid for its kind, each customer managed
policy with exactly one default version, groups named in a user's `GroupList` and customer
policies attached or used as permissions boundary present in the file, AWS managed policies
known to the catalog, names and ids used once. IAM's default quotas (roles per account,
policies per role...) are not checked: a real account may have had them raised.

Account ids: the file's ARNs name one account (the source). Loading into another account
(`--account-id`) replaces the source id wherever it appears as a whole 12-digit number, in ARNs
and in policy documents alike, so that trust policies and resources naming the account keep
naming it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from localiam.catalog import ManagedPolicies
from localiam.importer._source import Documents, InvalidImport, Obj
from localiam.policy import PolicyKind
from localiam.store import IdGenerator
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

#: The server's default account, used when neither `--account-id` nor the file names one.
DEFAULT_ACCOUNT = "123456789012"

# The forms of the IAM API model (botocore's `iam` service model).
_NAME = re.compile(r"[\w+=,.@-]+", re.ASCII)
_PATH = re.compile(r"/|/[\x21-\x7e]+/")
_POLICY_PATH = re.compile(r"((/[A-Za-z0-9.,+@=_-]+)*)/")
_UNIQUE_ID = re.compile(r"\w{16,128}", re.ASCII)
_VERSION_ID = re.compile(r"v([1-9][0-9]*)(\.[A-Za-z0-9-]*)?")
_ACCOUNT = re.compile(r"\d{12}")
_ENTITY_ARN = re.compile(
    r"arn:aws:iam::(\d{12}|aws):(user|group|role|policy|instance-profile)(/.*)"
)

#: The lists of the file: member, name member, id member, id prefix, ARN kind, name length.
_SECTIONS = (
    ("UserDetailList", "UserName", "UserId", "AIDA", "user", 64),
    ("GroupDetailList", "GroupName", "GroupId", "AGPA", "group", 128),
    ("RoleDetailList", "RoleName", "RoleId", "AROA", "role", 64),
    ("Policies", "PolicyName", "PolicyId", "ANPA", "policy", 128),
)


@dataclass(frozen=True, slots=True)
class Entity:
    """An entity of the import, for the checks against the store: its kind (`user`, `group`,
    `role`, `instance-profile`, `policy`), name, unique id and place in the file."""

    kind: str
    name: str
    unique_id: str
    place: str
    id_place: str


@dataclass(frozen=True, slots=True)
class AccountImport:
    """One account's IAM entities, read and checked, as rows ready to add to a session."""

    account_id: str
    rows: tuple[Base, ...]
    entities: tuple[Entity, ...]

    def count(self, kind: str) -> int:
        return sum(1 for e in self.entities if e.kind == kind)


def source_account(raw: object) -> str | None:
    """The account the file's ARNs name (None when they name none); ARNs of two accounts are
    an error at the first ARN of the second."""
    if not isinstance(raw, dict):
        return None
    found: str | None = None
    for member, *_ in _SECTIONS:
        items = raw.get(member)
        if not isinstance(items, list):
            continue
        for i, item in enumerate(items):
            arn = item.get("Arn") if isinstance(item, dict) else None
            match = _ENTITY_ARN.fullmatch(arn) if isinstance(arn, str) else None
            if match is None or match.group(1) == "aws":
                continue
            if found is None:
                found = match.group(1)
            elif match.group(1) != found:
                raise InvalidImport(
                    f"{member}[{i}].Arn",
                    f"names account {match.group(1)}, but the file's first ARN names {found}; "
                    "a file holds one account",
                )
    return found


def read_authorization_details(
    raw: object,
    *,
    account_id: str | None,
    managed: ManagedPolicies,
    ids: IdGenerator,
    clock: Callable[[], datetime],
    tick: Callable[[int], None] = lambda n: None,
) -> AccountImport:
    """Check the file's JSON value and turn it into rows of `account_id` (by default the
    account the file names, else `DEFAULT_ACCOUNT`); `tick` is told of each entity read."""
    top = Obj(raw, "")
    if top.flag("IsTruncated"):
        raise InvalidImport(
            "IsTruncated",
            "the file is one page of a longer listing; save every page (the AWS CLI does unless "
            "told --no-paginate or --max-items) and import them as one",
        )
    source = source_account(raw)
    target = account_id or source or DEFAULT_ACCOUNT
    if not _ACCOUNT.fullmatch(target):
        raise InvalidImport("", f"account id `{target}` must be 12 digits")
    reader = _Reader(target, source or target, managed, ids, clock, tick)
    return reader.read(top)


def total_entities(raw: object) -> int:
    """How many users, groups, roles and policies the file lists (for a progress bar)."""
    if not isinstance(raw, dict):
        return 0
    return sum(len(v) for m, *_ in _SECTIONS if isinstance(v := raw.get(m), list))


@dataclass(frozen=True, slots=True)
class _Owner:
    kind: PrincipalType
    unique_id: str


@dataclass
class _Reader:
    target: str
    source: str
    managed: ManagedPolicies
    ids: IdGenerator
    clock: Callable[[], datetime]
    tick: Callable[[int], None]
    rows: list[Base] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    #: (kind, lower name) -> place; unique id -> place.
    names: dict[tuple[str, str], str] = field(default_factory=dict)
    unique_ids: dict[str, str] = field(default_factory=dict)
    customer_policies: set[str] = field(default_factory=set)
    groups: dict[str, Group] = field(default_factory=dict)
    roles: dict[str, Role] = field(default_factory=dict)
    profiles: dict[str, tuple[InstanceProfile, str]] = field(default_factory=dict)
    profile_roles: dict[tuple[str, str], InstanceProfileRole] = field(default_factory=dict)
    #: Roles named inside instance profiles, checked once every role is known.
    profile_members: list[tuple[str, str, str]] = field(default_factory=list)
    documents: Documents = field(init=False)
    _source_id: re.Pattern[str] = field(init=False)

    def __post_init__(self) -> None:
        self._source_id = re.compile(rf"(?<!\d){self.source}(?!\d)")
        self.documents = Documents(self.rewrite)

    def rewrite(self, text: str) -> str:
        """`text` with the source account's id replaced by the target's."""
        if self.source == self.target:
            return text
        return self._source_id.sub(self.target, text)

    # -- the lists ------------------------------------------------------------------------------

    def read(self, top: Obj) -> AccountImport:
        # Policies first: attachments and boundaries refer to them; groups before users.
        for item in top.objects("Policies"):
            self.policy(item)
            self.tick(1)
        for item in top.objects("GroupDetailList"):
            self.group(item)
            self.tick(1)
        for item in top.objects("UserDetailList"):
            self.user(item)
            self.tick(1)
        for item in top.objects("RoleDetailList"):
            self.role(item)
            self.tick(1)
        for place, profile_id, name in self.profile_members:
            role = self.roles.get(name.lower())
            if role is None:
                raise InvalidImport(place, f"role `{name}` is not in the file's RoleDetailList")
            self.link_profile(profile_id, role.role_id)
        self.rows.extend(self.profile_roles.values())
        return AccountImport(self.target, tuple(self.rows), tuple(self.entities))

    # -- what every entity has ------------------------------------------------------------------

    def identity(
        self, obj: Obj, kind: str, name_key: str, id_key: str, prefix: str, max_name: int
    ) -> tuple[str, str, str, str, datetime]:
        """name, path, unique id, ARN and creation date, checked and registered."""
        name = obj.text(name_key, pattern=_NAME, max_length=max_name, what="a valid name")
        path_pattern = _POLICY_PATH if kind == "policy" else _PATH
        path = obj.optional_text("Path", pattern=path_pattern, max_length=512, what="a path")
        path = path or "/"
        unique_id = obj.optional_text(id_key, pattern=_UNIQUE_ID, what="a unique id")
        unique_id = unique_id or self.ids.new_unique_id(prefix)
        arn = self.entity_arn(obj, kind, path, name)
        self.register(kind, name, unique_id, obj.at(name_key), obj.at(id_key))
        return name, path, unique_id, arn, obj.date("CreateDate", self.clock)

    def entity_arn(self, obj: Obj, kind: str, path: str, name: str) -> str:
        arn = obj.text("Arn")
        match = _ENTITY_ARN.fullmatch(arn)
        if match is None or match.group(2) != kind or match.group(3) != f"{path}{name}":
            raise InvalidImport(
                obj.at("Arn"), f"`{arn}` is not the ARN of {kind} `{name}` with path `{path}`"
            )
        return f"arn:aws:iam::{self.target}:{kind}{path}{name}"

    def register(self, kind: str, name: str, unique_id: str, place: str, id_place: str) -> None:
        key = (kind, name.lower())
        if key in self.names:
            raise InvalidImport(
                place, f"{kind} `{name}` is already in the file, at {self.names[key]}"
            )
        if unique_id in self.unique_ids:
            raise InvalidImport(
                id_place,
                f"unique id `{unique_id}` is already in the file, at {self.unique_ids[unique_id]}",
            )
        self.names[key] = place
        self.unique_ids[unique_id] = id_place
        self.entities.append(Entity(kind, name, unique_id, place, id_place))

    def tags(self, obj: Obj, arn: str) -> None:
        seen: set[str] = set()
        items = list(obj.objects("Tags"))
        if len(items) > 50:
            raise InvalidImport(obj.at("Tags"), "more than 50 tags")
        for position, tag in enumerate(items):
            key = tag.text("Key", max_length=128)
            value = tag.raw.get("Value", "")
            if not isinstance(value, str) or len(value) > 256:
                raise InvalidImport(tag.at("Value"), "must be a string of at most 256 characters")
            if key.lower() in seen:
                raise InvalidImport(
                    tag.at("Key"), f"tag key `{key}` is given twice (keys ignore case)"
                )
            seen.add(key.lower())
            self.rows.append(
                Tag(
                    account_id=self.target,
                    resource_arn=arn,
                    key=key,
                    value=value,
                    position=position,
                )
            )

    def inline(self, obj: Obj, member: str, owner: _Owner) -> None:
        names: set[str] = set()
        for item in obj.objects(member):
            name = item.text("PolicyName", pattern=_NAME, max_length=128, what="a policy name")
            if name in names:
                raise InvalidImport(item.at("PolicyName"), f"policy `{name}` is given twice")
            names.add(name)
            document = self.documents.text(item, "PolicyDocument", PolicyKind.IDENTITY)
            self.rows.append(
                InlinePolicy(
                    account_id=self.target,
                    principal_type=owner.kind,
                    principal_id=owner.unique_id,
                    name=name,
                    document=document,
                )
            )

    def attached(self, obj: Obj, owner: _Owner) -> None:
        seen: set[str] = set()
        for item in obj.objects("AttachedManagedPolicies"):
            arn = self.policy_arn(item, "PolicyArn")
            if arn in seen:
                continue  # attaching an attached policy changes nothing
            seen.add(arn)
            self.rows.append(
                PolicyAttachment(
                    account_id=self.target,
                    policy_arn=arn,
                    principal_type=owner.kind,
                    principal_id=owner.unique_id,
                )
            )

    def boundary(self, obj: Obj) -> str | None:
        item = obj.child("PermissionsBoundary")
        if item is None or not item.has("PermissionsBoundaryArn"):
            return None
        return self.policy_arn(item, "PermissionsBoundaryArn")

    def policy_arn(self, item: Obj, key: str) -> str:
        """A managed policy's ARN (rewritten): a customer managed policy of the file, or an AWS
        managed policy of the catalog."""
        given = item.text(key)
        arn = self.rewrite(given)
        if arn.startswith("arn:aws:iam::aws:policy/"):
            if self.managed.get(arn) is None:
                raise InvalidImport(
                    item.at(key),
                    f"AWS managed policy `{arn}` is not in localiam's catalog "
                    f"(as of {self.managed.as_of})",
                )
            return arn
        if arn not in self.customer_policies:
            raise InvalidImport(
                item.at(key),
                f"customer managed policy `{given}` is not in the file's Policies",
            )
        return arn

    # -- entities -------------------------------------------------------------------------------

    def policy(self, obj: Obj) -> None:
        arn = obj.text("Arn")
        if arn.startswith("arn:aws:iam::aws:policy/"):
            return  # AWS managed: not stored, the catalog knows it
        name, path, policy_id, arn, created = self.identity(
            obj, "policy", "PolicyName", "PolicyId", "ANPA", 128
        )
        listed = list(obj.objects("PolicyVersionList"))
        if not listed:
            raise InvalidImport(obj.at("PolicyVersionList"), "missing; a policy has versions")
        default: str | None = None
        numbers: list[int] = []
        seen: set[str] = set()
        versions: list[PolicyVersion] = []
        for version in listed:
            version_id = version.text("VersionId", pattern=_VERSION_ID, what="a version id")
            if version_id in seen:
                raise InvalidImport(
                    version.at("VersionId"), f"version `{version_id}` is given twice"
                )
            seen.add(version_id)
            match = _VERSION_ID.fullmatch(version_id)
            assert match is not None
            numbers.append(int(match.group(1)))
            is_default = version.flag("IsDefaultVersion")
            if is_default:
                if default is not None:
                    raise InvalidImport(
                        version.at("IsDefaultVersion"),
                        f"a second default version (`{default}` is one)",
                    )
                default = version_id
            versions.append(
                PolicyVersion(
                    policy_id=policy_id,
                    version_id=version_id,
                    document=self.documents.text(version, "Document", PolicyKind.IDENTITY),
                    is_default=is_default,
                    created_at=version.date("CreateDate", lambda: created),
                )
            )
        if default is None:
            raise InvalidImport(obj.at("PolicyVersionList"), "no version is the default")
        stated = obj.optional_text("DefaultVersionId")
        if stated is not None and stated != default:
            raise InvalidImport(
                obj.at("DefaultVersionId"), f"`{stated}`, but the default version is `{default}`"
            )
        row = ManagedPolicy(
            policy_id=policy_id,
            account_id=self.target,
            name=name,
            path=path,
            arn=arn,
            created_at=created,
            updated_at=obj.date("UpdateDate", lambda: created),
            default_version_id=default,
            last_version_number=max(numbers),
            description=obj.optional_text("Description", max_length=1000) or None,
        )
        self.rows.append(row)
        self.rows.extend(versions)
        self.customer_policies.add(arn)
        self.tags(obj, arn)

    def group(self, obj: Obj) -> None:
        name, path, group_id, arn, created = self.identity(
            obj, "group", "GroupName", "GroupId", "AGPA", 128
        )
        row = Group(
            group_id=group_id,
            account_id=self.target,
            name=name,
            path=path,
            arn=arn,
            created_at=created,
        )
        self.rows.append(row)
        self.groups[name.lower()] = row
        owner = _Owner(PrincipalType.GROUP, group_id)
        self.inline(obj, "GroupPolicyList", owner)
        self.attached(obj, owner)

    def user(self, obj: Obj) -> None:
        name, path, user_id, arn, created = self.identity(
            obj, "user", "UserName", "UserId", "AIDA", 64
        )
        row = User(
            user_id=user_id,
            account_id=self.target,
            name=name,
            path=path,
            arn=arn,
            created_at=created,
            permissions_boundary_arn=self.boundary(obj),
        )
        self.rows.append(row)
        owner = _Owner(PrincipalType.USER, user_id)
        member_of: set[str] = set()
        for place, group_name in obj.strings("GroupList"):
            group = self.groups.get(group_name.lower())
            if group is None:
                raise InvalidImport(
                    place, f"group `{group_name}` is not in the file's GroupDetailList"
                )
            if group.group_id not in member_of:
                member_of.add(group.group_id)
                self.rows.append(GroupMembership(group_id=group.group_id, user_id=user_id))
        self.inline(obj, "UserPolicyList", owner)
        self.attached(obj, owner)
        self.tags(obj, arn)

    def role(self, obj: Obj) -> None:
        name, path, role_id, arn, created = self.identity(
            obj, "role", "RoleName", "RoleId", "AROA", 64
        )
        trust = self.documents.text(obj, "AssumeRolePolicyDocument", PolicyKind.TRUST)
        last_used = obj.child("RoleLastUsed")
        row = Role(
            role_id=role_id,
            account_id=self.target,
            name=name,
            path=path,
            arn=arn,
            created_at=created,
            assume_role_policy=trust,
            description=obj.optional_text("Description", max_length=1000) or None,
            max_session_duration=obj.integer("MaxSessionDuration", 3600, 3600, 43200),
            permissions_boundary_arn=self.boundary(obj),
            role_last_used_at=(
                last_used.optional_date("LastUsedDate") if last_used is not None else None
            ),
            role_last_used_region=(
                last_used.optional_text("Region", max_length=32) if last_used is not None else None
            ),
        )
        self.rows.append(row)
        self.roles[name.lower()] = row
        owner = _Owner(PrincipalType.ROLE, role_id)
        self.inline(obj, "RolePolicyList", owner)
        self.attached(obj, owner)
        self.tags(obj, arn)
        for item in obj.objects("InstanceProfileList"):
            profile_id = self.instance_profile(item)
            self.link_profile(profile_id, role_id)
            for member in item.objects("Roles"):
                member_name = member.text("RoleName")
                if member_name.lower() != name.lower():
                    self.profile_members.append((member.at("RoleName"), profile_id, member_name))

    def instance_profile(self, obj: Obj) -> str:
        """The profile's unique id; a profile listed under several roles is read once."""
        name = obj.text("InstanceProfileName", pattern=_NAME, max_length=128, what="a valid name")
        known = self.profiles.get(name.lower())
        if known is not None:
            profile, place = known
            given = obj.optional_text("InstanceProfileId")
            if given is not None and given != profile.instance_profile_id:
                raise InvalidImport(
                    obj.at("InstanceProfileId"),
                    f"instance profile `{name}` has the id `{profile.instance_profile_id}` at {place}",
                )
            return profile.instance_profile_id
        name, path, profile_id, arn, created = self.identity(
            obj, "instance-profile", "InstanceProfileName", "InstanceProfileId", "AIPA", 128
        )
        profile = InstanceProfile(
            instance_profile_id=profile_id,
            account_id=self.target,
            name=name,
            path=path,
            arn=arn,
            created_at=created,
        )
        self.rows.append(profile)
        self.profiles[name.lower()] = (profile, obj.at("InstanceProfileName"))
        self.tags(obj, arn)
        return profile_id

    def link_profile(self, profile_id: str, role_id: str) -> None:
        key = (profile_id, role_id)
        if key not in self.profile_roles:
            self.profile_roles[key] = InstanceProfileRole(
                instance_profile_id=profile_id, role_id=role_id
            )


def kinds(entities: Iterable[Entity]) -> dict[str, int]:
    """How many entities of each kind."""
    out: dict[str, int] = {}
    for entity in entities:
        out[entity.kind] = out.get(entity.kind, 0) + 1
    return out
