"""Role credentials for an instance: a real localiam role session
(`arn:aws:sts::<account>:assumed-role/<role>/<instance id>`) of the role in the instance's
profile, made when EC2 may assume the role (its trust policy allows `ec2.amazonaws.com`), and
replaced by a fresh one before it expires, as EC2 does: "we make new credentials available at
least five minutes before the expiration of the old credentials"
(https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/iam-roles-for-amazon-ec2.html).

Requests signed with these credentials carry ec2:SourceInstanceARN, ec2:RoleDelivery,
aws:EC2InstanceSourceVPC and aws:EC2InstanceSourcePrivateIPv4
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from localiam.authz import AuthorizationPolicies, PolicySet, Request, evaluate
from localiam.imds._instances import InstanceFacts
from localiam.policy import MalformedPolicyDocument, PolicyDocument, PolicyKind
from localiam.services.sts._credentials import issue
from localiam.store import Database, IdGenerator, Secrets, select
from localiam.store.models import InstanceProfile, Role

#: How long an instance's role credentials last (EC2's are valid for about six hours).
DEFAULT_SECONDS = 6 * 3600


@dataclass(frozen=True, slots=True)
class RoleAnswer:
    """What `iam/security-credentials/<role>` shows: success with keys, or a failure code."""

    role_name: str
    profile_arn: str
    profile_id: str
    code: str
    last_updated: datetime
    access_key_id: str = ""
    secret: str = ""
    token: str = ""
    expiration: datetime | None = None
    message: str = ""


@dataclass(frozen=True, slots=True)
class _Held:
    access_key_id: str
    secret: str
    token: str
    issued_at: datetime
    expires_at: datetime
    role_id: str
    delivery: str


class RoleSessions:
    """Hands each instance the current credentials of its profile's role."""

    def __init__(
        self,
        *,
        db: Database,
        ids: IdGenerator,
        secrets: Secrets,
        parse: Callable[[str, PolicyKind], PolicyDocument],
        session_seconds: int = DEFAULT_SECONDS,
    ) -> None:
        self._db = db
        self._ids = ids
        self._secrets = secrets
        self._parse = parse
        self.session_seconds = session_seconds
        self._held: dict[str, _Held] = {}

    def clear(self) -> None:
        self._held.clear()

    def role_of(self, facts: InstanceFacts) -> tuple[InstanceProfile, Role | None] | None:
        """The instance's profile and its role (None when the profile has none), read now:
        a role removed from the profile stops yielding credentials at once."""
        if facts.profile_arn is None:
            return None
        with self._db.read() as session:
            profile = session.scalars(
                select(InstanceProfile).where(InstanceProfile.arn == facts.profile_arn)
            ).first()
            if profile is None:
                return None
            roles = list(profile.roles)
            session.expunge_all()
            return profile, (roles[0] if roles else None)

    def last_updated(self, instance_id: str) -> datetime | None:
        """When the instance's current credentials were made, None when it holds none."""
        held = self._held.get(instance_id)
        return None if held is None else held.issued_at

    def answer(
        self,
        facts: InstanceFacts,
        profile: InstanceProfile,
        role: Role,
        now: datetime,
        delivery: str,
    ) -> RoleAnswer:
        """The credentials of `role` (in the instance's `profile`, as `role_of` read them)."""
        held = self._held.get(facts.instance_id)
        if not self._ec2_may_assume(role):
            return RoleAnswer(
                role.name,
                profile.arn,
                profile.instance_profile_id,
                "AssumeRoleUnauthorizedAccess",
                now,
                message=f"EC2 cannot assume the role {role.name}. Please see documentation at "
                "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-ec2.html#roles-usingrole-ec2instance-roles.",
            )
        if held is None or held.role_id != role.role_id or self._due(held, now):
            held = self._issue(facts, role, now, delivery)
            self._held[facts.instance_id] = held
        return RoleAnswer(
            role.name,
            profile.arn,
            profile.instance_profile_id,
            "Success",
            held.issued_at,
            held.access_key_id,
            held.secret,
            held.token,
            held.expires_at,
        )

    def _due(self, held: _Held, now: datetime) -> bool:
        """Replace credentials once a sixth of their life (an hour of six) is left, and at
        least five minutes before they end."""
        life = held.expires_at - held.issued_at
        margin = max(min(life / 6, timedelta(hours=1)), min(timedelta(minutes=5), life / 2))
        return now >= held.expires_at - margin

    def _ec2_may_assume(self, role: Role) -> bool:
        try:
            trust = self._parse(role.assume_role_policy, PolicyKind.TRUST)
        except MalformedPolicyDocument:
            return False
        request = Request.build(
            "ec2.amazonaws.com", "sts:AssumeRole", role.arn, resource_account=role.account_id
        )
        policies = AuthorizationPolicies(PolicySet([]), resource=PolicySet([(role.arn, trust)]))
        return evaluate(request, policies).allowed

    def _issue(self, facts: InstanceFacts, role: Role, now: datetime, delivery: str) -> _Held:
        context: dict[str, object] = {
            "ec2:SourceInstanceARN": facts.arn,
            "ec2:RoleDelivery": delivery,
        }
        if facts.vpc_id:
            context["aws:EC2InstanceSourceVPC"] = facts.vpc_id
        if facts.private_ip:
            context["aws:EC2InstanceSourcePrivateIPv4"] = facts.private_ip
        with self._db.transaction() as session:
            issued = issue(
                session,
                ids=self._ids,
                secrets=self._secrets,
                account_id=role.account_id,
                kind="assumed-role",
                principal_arn=(
                    f"arn:aws:sts::{role.account_id}:assumed-role/{role.name}/{facts.instance_id}"
                ),
                now=now,
                duration=self.session_seconds,
                role_id=role.role_id,
                session_name=facts.instance_id,
                request_context=context,
            )
            return _Held(
                issued.row.access_key_id,
                issued.secret,
                issued.token,
                issued.row.issued_at,
                issued.row.expires_at,
                role.role_id,
                delivery,
            )
