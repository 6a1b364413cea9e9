"""The pure rules of STS: who may call which operation, how session tags pass along a role
chain, and how STS words its refusals. No store, no clock.

https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_request.html#stsapi_comparison
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from localiam.policy import CallerKind
from localiam.protocol import ServiceError
from localiam.services._principals import SessionFacts

#: Operations a GetSessionToken session may call; a federated-user session may call only
#: GetCallerIdentity (API_GetSessionToken.html, API_GetFederationToken.html).
#: GetScopedCredentials is the exception: it exists to scope down any temporary credentials
#: (API_GetScopedCredentials.html, "Credential requirements").
SESSION_TOKEN_OPERATIONS = frozenset({"GetCallerIdentity", "AssumeRole", "GetScopedCredentials"})
FEDERATED_USER_OPERATIONS = frozenset({"GetCallerIdentity", "GetScopedCredentials"})
#: Operations no temporary credentials may call.
LONG_TERM_ONLY = frozenset({"GetSessionToken", "GetFederationToken"})


def check_caller(kind: CallerKind, session: SessionFacts | None, operation: str) -> None:
    """Refuse an operation the caller's kind of credential may not call.

    Root may not assume roles ("Roles may not be assumed by root accounts.", id_roles_use.html);
    GetSessionToken and GetFederationToken need long-term credentials ("Cannot call
    GetSessionToken with session credentials"); GetSessionToken sessions call only AssumeRole
    and GetCallerIdentity, federated users only GetCallerIdentity (localiam words these refusals
    as AWS words the first).
    """
    if kind is CallerKind.ROOT and operation == "AssumeRole":
        raise ServiceError("AccessDenied", "Roles may not be assumed by root accounts.", 403)
    if session is None:
        return
    allowed = {
        "session-token": SESSION_TOKEN_OPERATIONS,
        "federated-user": FEDERATED_USER_OPERATIONS,
    }.get(session.kind)
    if operation in LONG_TERM_ONLY or (allowed is not None and operation not in allowed):
        raise ServiceError("AccessDenied", f"Cannot call {operation} with session credentials", 403)


def not_authorized(caller: str, action: str, resource: str) -> str:
    """STS's denial sentence: unlike IAM's, it does not say which policy type refused
    ("User: P is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::A:role/R")."""
    where = "" if resource == "*" else f" on resource: {resource}"
    return f"User: {caller} is not authorized to perform: {action}{where}"


def session_tags(
    requested: Sequence[Mapping[str, str]],
    transitive_keys: Sequence[str],
    calling: SessionFacts | None,
) -> tuple[list[dict[str, str]], list[str]]:
    """The tags and transitive tag keys of a new role session: those requested, plus the
    transitive tags of the calling session (role chaining).

    A transitive key must name a requested tag, and a requested tag may not reuse the key of an
    inherited transitive tag (keys compare without case); both are InvalidParameterValue
    (id_session-tags.html#id_session-tags_role-chaining).
    """
    keys = {str(t["Key"]).lower() for t in requested}
    if any(k.lower() not in keys for k in transitive_keys):
        raise _invalid("The specified transitive tag key must be included in the requested tags.")
    tags = [{"Key": str(t["Key"]), "Value": str(t["Value"])} for t in requested]
    transitive = list(transitive_keys)
    inherited = calling.transitive_tags() if calling is not None else []
    if any(key.lower() in keys for key, _ in inherited):
        raise _invalid(
            "One of the specified transitive tag keys can't be set because it conflicts with a "
            "transitive tag key from the calling session."
        )
    for key, value in inherited:
        tags.append({"Key": key, "Value": value})
        transitive.append(key)
    return tags, transitive


def _invalid(message: str) -> ServiceError:
    return ServiceError("InvalidParameterValue", message, 400)


def mfa_missing_half() -> ServiceError:
    """SerialNumber without TokenCode, or the reverse."""
    return ServiceError(
        "AccessDenied",
        "MultiFactorAuthentication failed, must provide both MFA serial number and one time "
        "pass code.",
        403,
    )


def mfa_unknown_device() -> ServiceError:
    """A serial number that names no enabled device of the caller."""
    return ServiceError(
        "AccessDenied",
        "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA "
        "serial number is valid and associated with this user.",
        403,
    )


def mfa_invalid_code() -> ServiceError:
    """A wrong code, one outside the time window, or one already used."""
    return ServiceError(
        "AccessDenied",
        "MultiFactorAuthentication failed with invalid MFA one time pass code. ",
        403,
    )
