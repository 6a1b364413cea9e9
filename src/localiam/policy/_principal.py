"""Principals: who makes a request (the caller) and how a Principal element names callers.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from functools import lru_cache

_ACCOUNT = re.compile(r"^\d{12}$")
#: A unique id of a user (AIDA), role (AROA) or other IAM entity: four letters, then letters and digits.
_UNIQUE_ID = re.compile(r"A[A-Z]{3}[A-Z0-9]{12,}")


def is_unique_id(value: str) -> bool:
    """Whether `value` is an IAM unique id (`AROA...`), as stored policies name deleted
    principals."""
    return _UNIQUE_ID.fullmatch(value) is not None


_IAM_ARN = re.compile(r"^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):iam::(\d{12}):(.+)$")
_STS_ARN = re.compile(r"^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):sts::(\d{12}):(.+)$")
_SERVICE = re.compile(r"^[a-z0-9][a-z0-9.-]*\.amazonaws\.com(\.cn)?$")
_PROVIDER_ARN = re.compile(
    r"^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):iam::(\d{12}):(saml-provider|oidc-provider)/.+$"
)
# Identity providers a trust policy names by host rather than by provider ARN
# (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-federated-web-identity).
WELL_KNOWN_PROVIDERS = frozenset(
    {
        "cognito-identity.amazonaws.com",
        "accounts.google.com",
        "graph.facebook.com",
        "www.amazon.com",
    }
)


class CallerKind(enum.Enum):
    USER = "User"
    ROLE_SESSION = "AssumedRole"
    FEDERATED_USER = "FederatedUser"
    ROOT = "Account"
    ANONYMOUS = "Anonymous"
    SERVICE = "Service"
    WEB_IDENTITY = "WebIdentity"  # a SAML or OIDC provider, for AssumeRoleWith* trust policies


@dataclass(frozen=True, slots=True)
class Caller:
    """The principal that makes a request, parsed from its ARN.

    `name` is the user name, the role name or the federated user's name; `session` the role
    session name when known; `path` the IAM path when the ARN shows it.
    """

    text: str
    kind: CallerKind
    account: str | None = None
    partition: str = "aws"
    name: str = ""
    path: str = "/"
    session: str | None = None

    @property
    def role_arn(self) -> str:
        return f"arn:{self.partition}:iam::{self.account}:role{self.path}{self.name}"

    @property
    def is_service_linked_role(self) -> bool:
        """Service-linked roles live under /aws-service-role/ and are named AWSServiceRoleFor*."""
        return self.kind is CallerKind.ROLE_SESSION and (
            self.path.startswith("/aws-service-role/") or self.name.startswith("AWSServiceRoleFor")
        )

    @property
    def is_iam_principal(self) -> bool:
        return self.kind in (
            CallerKind.USER,
            CallerKind.ROLE_SESSION,
            CallerKind.FEDERATED_USER,
            CallerKind.ROOT,
        )


def _split_path(rest: str) -> tuple[str, str]:
    """`path/to/name` -> (`/path/to/`, `name`)."""
    head, _, name = rest.rpartition("/")
    return (f"/{head}/" if head else "/"), name


@lru_cache(maxsize=4096)
def parse_caller(text: str) -> Caller:
    """Parse the principal of a request; raises ValueError naming what is wrong.

    Cached: the same ARN is parsed once per process (a pure function of its text).
    """
    if text == "anonymous":
        return Caller(text, CallerKind.ANONYMOUS)
    if text in WELL_KNOWN_PROVIDERS:
        return Caller(text, CallerKind.WEB_IDENTITY, name=text)
    m = _PROVIDER_ARN.match(text)
    if m:
        return Caller(text, CallerKind.WEB_IDENTITY, m.group(2), m.group(1), name=text)
    if _SERVICE.match(text):
        return Caller(text, CallerKind.SERVICE, name=text)
    m = _IAM_ARN.match(text)
    if m:
        partition, account, resource = m.groups()
        if resource == "root":
            return Caller(text, CallerKind.ROOT, account, partition)
        kind, _, rest = resource.partition("/")
        path, name = _split_path(rest)
        if name and kind == "user":
            return Caller(text, CallerKind.USER, account, partition, name, path)
        if name and kind == "role":
            return Caller(text, CallerKind.ROLE_SESSION, account, partition, name, path)
    m = _STS_ARN.match(text)
    if m:
        partition, account, resource = m.groups()
        parts = resource.split("/")
        if len(parts) == 3 and parts[0] == "assumed-role" and parts[1] and parts[2]:
            return Caller(
                text, CallerKind.ROLE_SESSION, account, partition, parts[1], "/", parts[2]
            )
        if len(parts) == 2 and parts[0] == "federated-user" and parts[1]:
            return Caller(text, CallerKind.FEDERATED_USER, account, partition, parts[1])
    raise ValueError(
        f"principal `{text}` is not an IAM user, role, role session, federated user or root "
        "ARN, a service principal, a SAML or OIDC provider, or `anonymous`"
    )


class Grant(enum.IntEnum):
    """How a resource-based policy's Principal named the caller (see docs/evaluation.md).

    DIRECT: the caller itself (user ARN, session ARN, federated-user ARN, `*`, a service).
    PARENT: the role of a role session, or the IAM user behind a federated-user session.
    ACCOUNT: the caller's account (account id or root ARN).
    """

    ACCOUNT = 1
    PARENT = 2
    DIRECT = 3


@dataclass(frozen=True, slots=True)
class PrincipalMatcher:
    """A compiled Principal or NotPrincipal element."""

    text: object  # the element as written, for explanations
    negated: bool
    everyone: bool
    accounts: frozenset[str]
    users: frozenset[tuple[str, str]]  # (account, name)
    roles: frozenset[tuple[str, str]]
    sessions: frozenset[tuple[str, str, str]]  # (account, role name, session name)
    federated_users: frozenset[tuple[str, str]]
    services: frozenset[str]
    federated: frozenset[str]
    canonical_users: frozenset[str]

    def grant(self, caller: Caller) -> Grant | None:
        """How this (non-negated) element names the caller, or None if it does not."""
        if self.everyone:
            return Grant.DIRECT
        kind = caller.kind
        if kind is CallerKind.SERVICE:
            return Grant.DIRECT if caller.name in self.services else None
        if kind is CallerKind.WEB_IDENTITY:
            return Grant.DIRECT if caller.name in self.federated else None
        if kind is CallerKind.ANONYMOUS or caller.account is None:
            return None
        account = caller.account
        if kind is CallerKind.USER and (account, caller.name) in self.users:
            return Grant.DIRECT
        if kind is CallerKind.ROLE_SESSION:
            if caller.session is not None and (
                (account, caller.name, caller.session) in self.sessions
            ):
                return Grant.DIRECT
            if (account, caller.name) in self.roles:
                return Grant.PARENT
        if kind is CallerKind.FEDERATED_USER:
            if (account, caller.name) in self.federated_users:
                return Grant.DIRECT
            if (account, caller.name) in self.users:
                return Grant.PARENT
        if account in self.accounts:
            return Grant.DIRECT if kind is CallerKind.ROOT else Grant.ACCOUNT
        return None

    def excludes(self, caller: Caller) -> bool:
        """For NotPrincipal: True when every identity of the caller is listed.

        A role session is the session, its role and its account; a user is the user and its
        account; so exempting a session needs all three listed
        (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html).
        """
        if self.everyone:
            return True
        kind = caller.kind
        if kind is CallerKind.SERVICE:
            return caller.name in self.services
        if kind is CallerKind.WEB_IDENTITY:
            return caller.name in self.federated
        if kind is CallerKind.ANONYMOUS or caller.account is None:
            return False
        account = caller.account
        if account not in self.accounts:
            return False
        if kind is CallerKind.ROOT:
            return True
        if kind is CallerKind.USER:
            return (account, caller.name) in self.users
        if kind is CallerKind.FEDERATED_USER:
            return (account, caller.name) in self.federated_users
        return (
            caller.session is not None
            and (account, caller.name, caller.session) in self.sessions
            and (account, caller.name) in self.roles
        )


def compile_principal(
    element: object, *, negated: bool, where: str
) -> tuple[PrincipalMatcher | None, list[tuple[str, str]]]:
    """Compile a Principal/NotPrincipal element; returns the matcher and (location, message)s."""
    problems: list[tuple[str, str]] = []
    accounts: set[str] = set()
    users: set[tuple[str, str]] = set()
    roles: set[tuple[str, str]] = set()
    sessions: set[tuple[str, str, str]] = set()
    fed_users: set[tuple[str, str]] = set()
    services: set[str] = set()
    federated: set[str] = set()
    canonical: set[str] = set()
    everyone = False

    def invalid(kind: str, value: object) -> None:
        problems.append((where, f'Invalid principal in policy: "{kind}":"{value}"'))

    if element == "*":
        everyone = True
    elif isinstance(element, dict) and element:
        for kind, raw in element.items():
            values = raw if isinstance(raw, list) else [raw]
            if not values or not all(isinstance(v, str) for v in values):
                invalid(kind, raw)
                continue
            for value in values:
                if kind == "AWS":
                    if value == "*":
                        everyone = True
                    elif not _add_aws(value, accounts, users, roles, sessions, fed_users):
                        invalid(kind, value)
                elif kind == "Service":
                    if "*" in value or not value:
                        invalid(kind, value)
                    services.add(value.lower())
                elif kind == "Federated":
                    if "*" in value or not value:
                        invalid(kind, value)
                    federated.add(value)
                elif kind == "CanonicalUser":
                    if "*" in value or not value:
                        invalid(kind, value)
                    canonical.add(value)
                else:
                    invalid(kind, value)
    else:
        problems.append((where, f"Invalid principal in policy: {element!r}"))
    matcher = PrincipalMatcher(
        element,
        negated,
        everyone,
        frozenset(accounts),
        frozenset(users),
        frozenset(roles),
        frozenset(sessions),
        frozenset(fed_users),
        frozenset(services),
        frozenset(federated),
        frozenset(canonical),
    )
    return (None if problems else matcher), problems


def _add_aws(
    value: str,
    accounts: set[str],
    users: set[tuple[str, str]],
    roles: set[tuple[str, str]],
    sessions: set[tuple[str, str, str]],
    fed_users: set[tuple[str, str]],
) -> bool:
    if "*" in value or "?" in value:
        return False  # AWS allows no partial wildcards in a principal
    if is_unique_id(value):
        # A stored policy names a deleted user or role by its unique id (AWS rewrites the ARN
        # so; https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html):
        # valid, and it matches no caller. (IAM refuses such ids in policies it is given.)
        return True
    if _ACCOUNT.match(value):
        accounts.add(value)
        return True
    m = _IAM_ARN.match(value)
    if m:
        _, account, resource = m.groups()
        if resource == "root":
            accounts.add(account)
            return True
        kind, _, rest = resource.partition("/")
        _, name = _split_path(rest)
        if name and kind == "user":
            users.add((account, name))
            return True
        if name and kind == "role":
            roles.add((account, name))
            return True
        return False
    m = _STS_ARN.match(value)
    if m:
        _, account, resource = m.groups()
        parts = resource.split("/")
        if len(parts) == 3 and parts[0] == "assumed-role" and parts[1] and parts[2]:
            sessions.add((account, parts[1], parts[2]))
            return True
        if len(parts) == 2 and parts[0] == "federated-user" and parts[1]:
            fed_users.add((account, parts[1]))
            return True
    return False
