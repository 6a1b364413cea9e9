"""The policies a simulation evaluates: given as text, or read from a user, group or role.

How AWS names them in `MatchedStatements` (observed in responses of the real service, which
differ from the `PolicySourceType` enum of the API model): `SourcePolicyType` is `IAM Policy` for
every identity-based policy and `Resource Policy` for the `ResourcePolicy`; `SourcePolicyId` is
`PolicyInputList.<n>` (from 1), `ResourcePolicy`, a managed policy's name, or
`<user|group|role>_<entity name>_<policy name>` for an inline policy.
"""

from __future__ import annotations

from dataclasses import dataclass

from localiam.policy import MalformedPolicyDocument, PolicyDocument, PolicyKind, parse_policy
from localiam.services.iam._errors import invalid_input, malformed_policy
from localiam.services.iam._policies_of import decode_document
from localiam.services.iam._sim_positions import Span, statement_spans
from localiam.services.organizations._names import SCP
from localiam.services.organizations._tree import level_texts, placement
from localiam.store import Session

IDENTITY_SOURCE = "IAM Policy"
RESOURCE_SOURCE = "Resource Policy"


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a stored policy comes from, for `PolicyExclusionList` (None for input policies).

    `kind` is `inline`, `aws-managed`, `user-managed` or `permission-boundary`; `owner_type` and
    `owner_name` name the user, group or role holding it.
    """

    kind: str
    name: str
    arn: str | None
    owner_type: str
    owner_name: str


@dataclass(frozen=True, slots=True)
class SimPolicy:
    """A policy of the simulation: its engine id, how AWS names it, its text and statements."""

    uid: str
    source_id: str
    source_type: str
    text: str
    document: PolicyDocument
    spans: tuple[Span, ...]
    origin: Origin | None = None

    def statement_shape(self, index: int) -> dict[str, object]:
        """The `Statement` result shape for this policy's statement `index`."""
        shape: dict[str, object] = {
            "SourcePolicyId": self.source_id,
            "SourcePolicyType": self.source_type,
        }
        if index < len(self.spans):
            span = self.spans[index]
            shape["StartPosition"] = span.start.to_shape()
            shape["EndPosition"] = span.end.to_shape()
        return shape


def make_policy(
    uid: str,
    source_id: str,
    text: str,
    kind: PolicyKind,
    *,
    source_type: str = IDENTITY_SOURCE,
    origin: Origin | None = None,
) -> SimPolicy:
    """Parse `text` (plain or URL-encoded JSON); raises MalformedPolicyDocument."""
    plain = decode_document(text)
    document = parse_policy(plain, kind)
    return SimPolicy(uid, source_id, source_type, plain, document, statement_spans(plain), origin)


def input_policies(
    texts: list[str] | None, kind: PolicyKind, label: str, uid_prefix: str
) -> tuple[SimPolicy, ...]:
    """Policies given in a request list such as `PolicyInputList`, named `<label>.<n>`.

    A malformed one is refused with `MalformedPolicyDocument` and AWS's wording of its first
    problem.
    """
    out: list[SimPolicy] = []
    for number, text in enumerate(texts or (), start=1):
        try:
            out.append(make_policy(f"{uid_prefix}{number}", f"{label}.{number}", text, kind))
        except MalformedPolicyDocument as exc:
            raise malformed_policy(exc.message) from None
    return tuple(out)


def resource_policy(text: str | None) -> SimPolicy | None:
    """The request's `ResourcePolicy`, named `ResourcePolicy`."""
    if text is None:
        return None
    try:
        return make_policy(
            "resource",
            "ResourcePolicy",
            text,
            PolicyKind.RESOURCE,
            source_type=RESOURCE_SOURCE,
        )
    except MalformedPolicyDocument as exc:
        raise malformed_policy(exc.message) from None


def boundary_input(texts: list[str] | None) -> SimPolicy | None:
    """`PermissionsBoundaryPolicyInputList`: at most one boundary, as an entity has."""
    policies = input_policies(
        texts, PolicyKind.BOUNDARY, "PermissionsBoundaryPolicyInputList", "boundary."
    )
    if len(policies) > 1:
        raise invalid_input("Only one permissions boundary policy can be simulated at a time.")
    return policies[0] if policies else None


def scp_levels(session: Session, account_id: str) -> list[list[SimPolicy]] | None:
    """The SCPs of every level above `account_id` (root, OUs, the account), when the account is
    a member of an organization with SCPs enabled; None otherwise (the management account too,
    which SCPs do not affect). SimulatePrincipalPolicy reports their outcome as
    `OrganizationsDecisionDetail`
    (https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html)."""
    where = placement(session, account_id)
    if where is None or where.is_management:
        return None
    levels = level_texts(session, where, SCP)
    if levels is None:
        return None
    out: list[list[SimPolicy]] = []
    for depth, level in enumerate(levels):
        policies: list[SimPolicy] = []
        for name, text in level:
            try:
                policies.append(
                    make_policy(
                        f"scp.{depth}.{name}", name, text, PolicyKind.SCP, source_type="none"
                    )
                )
            except MalformedPolicyDocument:
                continue  # validated when stored; a text that no longer parses allows nothing
        out.append(policies)
    return out
