"""What an Organizations handler works with: the transaction, the caller, its organization,
and the shapes of the API's objects."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from localiam.services._principals import Principal
from localiam.services.organizations._errors import invalid_input, not_in_use
from localiam.services.organizations._names import OrgIds
from localiam.store import IdGenerator, Session, select
from localiam.store.models import (
    OrgAccount,
    Organization,
    OrgPolicy,
    OrgPolicyAttachment,
    OrgUnit,
)

_T = TypeVar("_T")


@dataclass(slots=True)
class OrgCall:
    """One Organizations request: `org` is the caller's organization (None when it is in
    none); `authorized` collects the decisions made for the audit log."""

    session: Session
    principal: Principal
    params: dict[str, Any]
    now: datetime
    ids: OrgIds
    iam_ids: IdGenerator
    org: Organization | None
    decisions: list[Any] = field(default_factory=list)

    @property
    def account_id(self) -> str:
        return self.principal.account_id

    def organization(self) -> Organization:
        if self.org is None:
            raise not_in_use()
        return self.org

    @property
    def management(self) -> str:
        return self.organization().management_account_id

    def root(self) -> OrgUnit:
        org = self.organization()
        row = self.session.scalars(
            select(OrgUnit).where(OrgUnit.org_id == org.id, OrgUnit.parent_id.is_(None))
        ).first()
        assert row is not None, "an organization always has its root"
        return row

    def unit(self, unit_id: str) -> OrgUnit | None:
        row = self.session.get(OrgUnit, unit_id)
        return row if row is not None and row.org_id == self.organization().id else None

    def member(self, account_id: str) -> OrgAccount | None:
        row = self.session.get(OrgAccount, account_id)
        return row if row is not None and row.org_id == self.organization().id else None

    def policy(self, policy_id: str) -> OrgPolicy | None:
        row = self.session.get(OrgPolicy, policy_id)
        return row if row is not None and row.org_id == self.organization().id else None

    def attachments_of(self, target_id: str) -> list[OrgPolicyAttachment]:
        return list(
            self.session.scalars(
                select(OrgPolicyAttachment)
                .where(OrgPolicyAttachment.target_id == target_id)
                .order_by(OrgPolicyAttachment.position)
            )
        )

    def enabled_types(self) -> set[str]:
        return {str(t["Type"]) for t in self.root().policy_types if t.get("Status") == "ENABLED"}


Handler = Callable[[OrgCall], dict[str, Any]]


def _anywhere(call: OrgCall) -> list[str]:
    return ["*"]


def _no_context(call: OrgCall) -> dict[str, object]:
    return {}


@dataclass(frozen=True, slots=True)
class Spec:
    """An operation: its handler, the resource ARNs its authorization names (AWS's resource
    types for the action, https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsorganizations.html),
    the condition keys it adds, and who may call it: `any` account (CreateOrganization), any
    `member` of the organization, or only the `management` account."""

    handler: Handler
    resources: Callable[[OrgCall], list[str]] = _anywhere
    context: Callable[[OrgCall], dict[str, object]] = _no_context
    scope: str = "management"


def page(
    items: Sequence[_T], params: dict[str, Any], render: Callable[[_T], dict[str, Any]], key: str
) -> dict[str, Any]:
    """One page of `items` as the List operations give them: at most `MaxResults` (default 20,
    the most AWS returns), and a `NextToken` while more remain."""
    limit = int(params.get("MaxResults") or 20)
    start = _offset(params.get("NextToken"))
    chunk = items[start : start + limit]
    out: dict[str, Any] = {key: [render(item) for item in chunk]}
    if start + limit < len(items):
        out["NextToken"] = base64.urlsafe_b64encode(f"localiam:{start + limit}".encode()).decode()
    return out


def _offset(token: object) -> int:
    if token is None:
        return 0
    try:
        text = base64.urlsafe_b64decode(str(token).encode()).decode()
        prefix, _, number = text.partition(":")
        if prefix == "localiam" and number.isdigit():
            return int(number)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise invalid_input(
        "INVALID_NEXT_TOKEN",
        "You specified an invalid value for nextToken. You must get the value from the "
        "response to a previous call to the API.",
    )
