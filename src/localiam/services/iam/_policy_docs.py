"""What the group and policy handlers share: policy documents as IAM checks, stores and returns
them; managed policies found by ARN (customer managed from the store, AWS managed from the
catalog); the principal a policy belongs to; and pages of short in-memory listings.

Quotas: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html ("IAM doesn't
count white space when calculating the size of a policy against these quotas").
"""

from __future__ import annotations

import base64
import hashlib
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import quote

from localiam.catalog import ManagedPolicy as AwsManagedPolicy
from localiam.policy import MalformedPolicyDocument, PolicyKind, parse_policy
from localiam.protocol import ServiceError
from localiam.services.iam._context import Handler, IamContext
from localiam.services.iam._errors import invalid_input, malformed_policy
from localiam.services.iam._lookup import get_group_row, get_role_row, get_user_row
from localiam.services.iam._policies_of import decode_document
from localiam.store import BASE32_ALPHABET, select
from localiam.store.models import ManagedPolicy, PrincipalType

_T = TypeVar("_T")

_WHITESPACE = str.maketrans("", "", " \t\n\r")


def checked_document(text: str) -> str:
    """The text to store for a submitted identity policy: URL-decoded when it came encoded, and
    valid, else `MalformedPolicyDocument` with the first finding's AWS wording."""
    plain = decode_document(text)
    try:
        parse_policy(plain, PolicyKind.IDENTITY)
    except MalformedPolicyDocument as exc:
        raise malformed_policy(exc.message) from None
    return plain


def policy_size(text: str) -> int:
    """A document's size as IAM counts it against its quotas: characters but white space."""
    return len(text.translate(_WHITESPACE))


def encoded_document(text: str) -> str:
    """A stored document as IAM returns it: URL-encoded (RFC 3986), which SDKs decode."""
    return quote(text)


# --- managed policies by ARN ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PolicyView:
    """A managed policy, customer managed (`row` set) or AWS managed (`aws` set)."""

    arn: str
    name: str
    path: str
    policy_id: str
    default_version_id: str
    created_at: datetime
    updated_at: datetime
    row: ManagedPolicy | None = None
    aws: AwsManagedPolicy | None = None

    @property
    def sort_key(self) -> str:
        """The order policies are listed in: by name ignoring case, then by id."""
        return f"{self.name.lower()} {self.policy_id}"


def aws_policy_id(arn: str) -> str:
    """A stable `ANPA…` id for an AWS managed policy (the shipped data carries none)."""
    digest = hashlib.sha256(arn.encode()).digest()
    return "ANPA" + "".join(BASE32_ALPHABET[b % 32] for b in digest[:17])


def aws_view(policy: AwsManagedPolicy) -> PolicyView:
    return PolicyView(
        arn=policy.arn,
        name=policy.name,
        path=policy.path,
        policy_id=aws_policy_id(policy.arn),
        default_version_id=policy.default_version_id,
        created_at=datetime.fromisoformat(policy.create_date),
        updated_at=datetime.fromisoformat(policy.update_date),
        aws=policy,
    )


def customer_view(row: ManagedPolicy) -> PolicyView:
    return PolicyView(
        arn=row.arn,
        name=row.name,
        path=row.path,
        policy_id=row.policy_id,
        default_version_id=row.default_version_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
        row=row,
    )


def check_policy_arn(arn: str) -> None:
    """`InvalidInput` for text that is not an IAM policy ARN at all."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "iam" or "/" not in parts[5]:
        raise invalid_input(f"ARN {arn} is not valid.")


def find_policy(ctx: IamContext, arn: str) -> PolicyView | None:
    """The managed policy named by `arn`: AWS managed, or customer managed in this account."""
    check_policy_arn(arn)
    aws = ctx.managed.get(arn)
    if aws is not None:
        return aws_view(aws)
    row = ctx.session.scalars(
        select(ManagedPolicy).where(
            ManagedPolicy.account_id == ctx.account_id, ManagedPolicy.arn == arn
        )
    ).one_or_none()
    return None if row is None else customer_view(row)


def policy_not_found(arn: str) -> ServiceError:
    """`NoSuchEntity` as GetPolicy, DeletePolicy and the Detach operations answer it."""
    return ServiceError("NoSuchEntity", f"Policy {arn} was not found.", 404)


def get_policy_view(ctx: IamContext, arn: str) -> PolicyView:
    view = find_policy(ctx, arn)
    if view is None:
        raise policy_not_found(arn)
    return view


def get_customer_policy(ctx: IamContext, arn: str) -> ManagedPolicy:
    """A customer managed policy of this account; AWS managed ones cannot be changed."""
    view = get_policy_view(ctx, arn)
    if view.row is None:
        raise policy_not_found(arn)
    return view.row


def name_of_policy_arn(arn: str) -> tuple[str, str]:
    """(path, name) of a policy ARN: `arn:aws:iam::aws:policy/service-role/X` -> ("/service-role/",
    "X")."""
    resource = arn.split(":", 5)[-1]
    inner = resource.split("/", 1)[1] if "/" in resource else resource
    head, _, name = inner.rpartition("/")
    return (f"/{head}/" if head else "/"), name


# --- principals a policy belongs to -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Owner:
    """A user, group or role as the owner of inline policies and attachments."""

    kind: PrincipalType
    id: str
    name: str


#: The request parameter naming each kind of principal.
NAME_PARAM = {
    PrincipalType.USER: "UserName",
    PrincipalType.GROUP: "GroupName",
    PrincipalType.ROLE: "RoleName",
}


#: How operation names spell each kind: `PutUserPolicy`, `AttachGroupPolicy`, ...
KIND_WORDS = {
    PrincipalType.USER: "User",
    PrincipalType.GROUP: "Group",
    PrincipalType.ROLE: "Role",
}

KindHandler = Callable[[IamContext, PrincipalType, dict[str, Any]], dict[str, Any]]
"""An operation written once for users, groups and roles."""


def for_kind(operation: KindHandler, kind: PrincipalType) -> Handler:
    """`operation` bound to one kind of principal, as a handler."""

    def handler(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
        return operation(ctx, kind, params)

    handler.__name__ = f"{operation.__name__}_{kind.value}"
    return handler


def owner_of(ctx: IamContext, kind: PrincipalType, name: str) -> Owner:
    """The principal of `kind` named `name`, or `NoSuchEntity`."""
    if kind is PrincipalType.USER:
        user = get_user_row(ctx, name)
        return Owner(kind, user.user_id, user.name)
    if kind is PrincipalType.GROUP:
        group = get_group_row(ctx, name)
        return Owner(kind, group.group_id, group.name)
    role = get_role_row(ctx, name)
    return Owner(kind, role.role_id, role.name)


# --- pages of short listings ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Listing:
    """Items of one page and the marker that asks for the next (None: the last page)."""

    items: list[Any]
    marker: str | None

    def fields(self) -> dict[str, Any]:
        """`IsTruncated` and, when truncated, `Marker`, as every IAM listing returns them."""
        out: dict[str, Any] = {"IsTruncated": self.marker is not None}
        if self.marker is not None:
            out["Marker"] = self.marker
        return out


def page_of(items: Sequence[_T], key: Callable[[_T], str], params: dict[str, Any]) -> Listing:
    """The page of `items` after the request's `Marker`, at most `MaxItems` (default 100).

    Items are ordered by `key` (sorted here); a marker is the opaque encoding of the last key
    returned, so a page stays right when items before it come or go.
    """
    ordered = sorted(items, key=key)
    keys = [key(item) for item in ordered]
    start = 0
    marker = params.get("Marker")
    if isinstance(marker, str):
        start = bisect_right(keys, _decode_marker(marker))
    limit = int(params.get("MaxItems", 100))
    chunk = ordered[start : start + limit]
    more = start + limit < len(ordered)
    return Listing(list(chunk), _encode_marker(keys[start + limit - 1]) if more else None)


def _encode_marker(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode()).decode("ascii")


def _decode_marker(marker: str) -> str:
    try:
        return base64.urlsafe_b64decode(marker.encode("ascii")).decode()
    except (ValueError, UnicodeError):
        raise invalid_input("Invalid Marker.") from None
