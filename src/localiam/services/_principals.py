"""Who holds a credential, and everything authorization needs about them: the caller, its
policies (identity, boundary, session), its principal tags and the context keys that come with
the credential (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html).

Long-term keys belong to a user or the root user; temporary credentials (STS) to a role session,
a federated-user session, a GetSessionToken session or a member account's root user
(AssumeRoot, limited by its task policy as a session policy). Memoized per generation of the
store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from localiam.authz import AuthorizationPolicies, PolicySet
from localiam.policy import (
    Caller,
    MalformedPolicyDocument,
    PolicyDocument,
    PolicyKind,
    parse_caller,
)
from localiam.protocol import ServiceError
from localiam.services._context import RequestFacts, global_context
from localiam.services._generation import GenerationCache
from localiam.services._orgscope import OrgScope
from localiam.services._owners import Owner, SessionOwner
from localiam.services._tags import tag_map
from localiam.store import Session, StateGeneration
from localiam.store.models import Role, StsSession, User

if TYPE_CHECKING:
    # Only a type here: importing the IAM package at run time would be circular (it imports this
    # module).
    from localiam.services.iam._policies_of import PolicyTexts


@dataclass(frozen=True, slots=True)
class SessionFacts:
    """What a temporary credential's STS session says about itself, copied out of the stored row
    so that a memoized `Principal` never touches a closed database session.

    `kind` is `assumed-role`, `federated-user`, `session-token` or `assumed-root`; `tags` the
    session tags (passed and inherited, in order); `transitive_tag_keys` those that pass on
    through role chaining (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html).
    """

    kind: str
    issued_at: datetime
    tags: tuple[tuple[str, str], ...] = ()
    transitive_tag_keys: tuple[str, ...] = ()
    source_identity: str | None = None
    mfa_at: datetime | None = None
    chained: bool = False

    @classmethod
    def of(cls, row: StsSession) -> SessionFacts:
        return cls(
            kind=row.kind,
            issued_at=row.issued_at,
            tags=tuple((str(t["Key"]), str(t["Value"])) for t in row.tags),
            transitive_tag_keys=tuple(str(k) for k in row.transitive_tag_keys),
            source_identity=row.source_identity,
            mfa_at=row.mfa_at,
            chained=row.chained,
        )

    def transitive_tags(self) -> list[tuple[str, str]]:
        """The tags a session assumed from this one inherits."""
        keys = {k.lower() for k in self.transitive_tag_keys}
        return [(k, v) for k, v in self.tags if k.lower() in keys]


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller as authorization sees it: detached from any database session, safe to memoize.

    `context` holds the keys that follow from the credential (aws:userid, aws:TokenIssueTime,
    aws:SourceIdentity, aws:PrincipalArn of a role with its path, aws:MultiFactorAuthPresent);
    `mfa_at` lets the caller compute aws:MultiFactorAuthAge at request time; `session` describes
    the STS session of temporary credentials (None for long-term keys).
    """

    caller: Caller
    account_id: str
    user_id: str | None
    policies: AuthorizationPolicies
    tags: dict[str, str]
    context: dict[str, object] = field(default_factory=dict)
    session: SessionFacts | None = None
    role_id: str | None = None
    mfa_at: datetime | None = None
    temporary: bool = False

    def context_for(self, facts: RequestFacts) -> dict[str, object]:
        """Every key a request of this principal starts with: the request's global keys
        (aws:SourceIp, aws:CurrentTime, ...), aws:PrincipalTag/*, and the credential's keys."""
        context = global_context(facts, self.tags)
        context.update(self.request_context(facts.now))
        return context

    def request_context(self, now: datetime) -> dict[str, object]:
        """The credential's keys for one request, including the age of its MFA check."""
        if not self.temporary:
            return self.context
        out = dict(self.context)
        if self.mfa_at is not None:
            out["aws:MultiFactorAuthAge"] = str(max(0, int((now - self.mfa_at).total_seconds())))
        return out


_DENY_ALL = (
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}'
)


def _invalid_token() -> ServiceError:
    return ServiceError(
        "InvalidClientTokenId", "The security token included in the request is invalid.", 403
    )


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class PrincipalResolver:
    """Turns credential owners into `Principal`s (memoized for the current generation)."""

    def __init__(self, texts: PolicyTexts, generation: StateGeneration | None) -> None:
        self.texts = texts
        self._cache: GenerationCache[Principal] = GenerationCache(generation)
        #: The organizations' SCPs, RCPs and context keys, for every service that authorizes.
        self.orgs = OrgScope(texts.parse, generation)

    def resolve(self, session: Session, owner: Owner) -> Principal:
        return self._cache.get(owner, lambda: self._load(session, owner))

    def _load(self, session: Session, owner: Owner) -> Principal:
        if isinstance(owner, SessionOwner):
            return self._temporary(session, owner)
        if owner.user_id is None:
            root = parse_caller(f"arn:aws:iam::{owner.account_id}:root")
            return Principal(root, owner.account_id, None, AuthorizationPolicies.build(), {})
        user = session.get(User, owner.user_id)
        if user is None:
            raise _invalid_token()
        return Principal(
            parse_caller(user.arn),
            owner.account_id,
            user.user_id,
            self.texts.for_user(session, user),
            tag_map(session, user.arn),
        )

    def _temporary(self, session: Session, owner: SessionOwner) -> Principal:
        row = session.get(StsSession, owner.access_key_id)
        if row is None:
            raise _invalid_token()
        context: dict[str, object] = {
            "aws:TokenIssueTime": _iso(row.issued_at),
            "aws:MultiFactorAuthPresent": "true" if row.mfa_at is not None else "false",
        }
        if row.source_identity:
            context["aws:SourceIdentity"] = row.source_identity
        if row.request_context:
            context.update(row.request_context)
        session_set = self._session_policies(session, row)
        tags: dict[str, str] = {}
        role_id: str | None = None
        if row.kind == "assumed-role":
            role = None if row.role_id is None else session.get(Role, row.role_id)
            base = (
                AuthorizationPolicies.build()
                if role is None
                else self.texts.for_role(session, role)
            )
            if role is not None:
                tags.update(tag_map(session, role.arn))
                context["aws:PrincipalArn"] = role.arn
            role_id = row.role_id
            context["aws:userid"] = f"{row.role_id}:{row.session_name}"
        else:
            user = None if row.user_id is None else session.get(User, row.user_id)
            if row.user_id is not None and user is None:
                raise _invalid_token()
            base = (
                AuthorizationPolicies.build()
                if user is None
                else self.texts.for_user(session, user)
            )
            if user is not None:
                tags.update(tag_map(session, user.arn))
            if row.kind == "federated-user":
                # A federated user's id is the account and the name passed to GetFederationToken.
                context["aws:userid"] = f"{owner.account_id}:{row.session_name}"
            else:
                # A GetSessionToken session of the root user, or an AssumeRoot session
                # (`assumed-root`, the member account's root user), is the account itself.
                context["aws:userid"] = user.user_id if user is not None else owner.account_id
            if row.kind == "assumed-root":
                # Present only in AssumeRoot sessions, as in AWS's sample SCP that denies root
                # users unless they come from one (aws-samples/service-control-policy-examples).
                context["aws:AssumedRoot"] = "true"
        for tag in row.tags:
            # Session tags override the role's or user's tag of the same key, compared without
            # case (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html).
            key = str(tag["Key"])
            for same in [k for k in tags if k.lower() == key.lower()]:
                del tags[same]
            tags[key] = str(tag["Value"])
        policies = AuthorizationPolicies(
            base.identity,
            base.boundary,
            session_set,
            base.resource,
            base.scps,
            base.rcps,
            base.management_account,
        )
        caller = parse_caller(row.principal_arn)
        user_id = row.user_id if row.kind != "assumed-role" else None
        return Principal(
            caller,
            owner.account_id,
            user_id,
            policies,
            tags,
            context,
            SessionFacts.of(row),
            role_id,
            row.mfa_at,
            True,
        )

    def _session_policies(self, session: Session, row: StsSession) -> PolicySet | None:
        """The session policies passed when the session was made (inline and managed); None
        for a GetSessionToken session, which has none."""
        if row.kind == "session-token":
            return None
        named: list[tuple[str, PolicyDocument]] = []
        if row.session_policy:
            named.append(("SessionPolicy", self._parse(row.session_policy)))
        for arn in row.policy_arns:
            text = self.texts.managed_document(session, arn)
            if text is not None:
                named.append((arn, self._parse(text)))
            elif row.kind == "assumed-root":
                # A root session is limited only by its task policy's denies: one that cannot
                # be found must not leave the session unlimited.
                named.append((arn, self._parse(_DENY_ALL)))
        if row.kind == "federated-user" or named:
            # A federated user with no session policy has no permissions at all.
            return PolicySet(named)
        return None

    def _parse(self, text: str) -> PolicyDocument:
        try:
            return self.texts.parse(text, PolicyKind.SESSION)
        except MalformedPolicyDocument:
            # Stored texts were validated when the session was made; a text that no longer parses
            # grants nothing.
            return PolicyDocument(PolicyKind.SESSION, "2012-10-17", None, (), True)
