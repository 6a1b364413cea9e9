"""Organizations' errors, with the codes and sentences of the API reference
(https://docs.aws.amazon.com/organizations/latest/APIReference/CommonErrors.html and each
operation's Errors section)."""

from __future__ import annotations

from localiam.protocol import ServiceError


def _error(code: str, message: str, status: int = 400, reason: str | None = None) -> ServiceError:
    return ServiceError(code, message, status, fields={"Reason": reason} if reason else None)


def not_in_use() -> ServiceError:
    return _error(
        "AWSOrganizationsNotInUseException",
        "Your account is not a member of an organization.",
    )


def already_in_organization() -> ServiceError:
    return _error(
        "AlreadyInOrganizationException",
        "The AWS account is already a member of an organization.",
        409,
    )


def member_denied() -> ServiceError:
    """What a member account hears when it calls an operation only the management account may
    call."""
    return _error("AccessDeniedException", "You don't have permissions to access this resource.")


def access_denied(message: str) -> ServiceError:
    return _error("AccessDeniedException", message)


def invalid_input(reason: str, message: str) -> ServiceError:
    return _error("InvalidInputException", message, reason=reason)


def constraint(reason: str, message: str) -> ServiceError:
    return _error("ConstraintViolationException", message, 409, reason=reason)


def not_found(code: str, message: str) -> ServiceError:
    return _error(code, message)


def account_not_found() -> ServiceError:
    return _error(
        "AccountNotFoundException",
        "You specified an account that doesn't exist.",
    )


def parent_not_found() -> ServiceError:
    return _error(
        "ParentNotFoundException",
        "We can't find a root or OU with the ParentId that you specified.",
    )


def ou_not_found() -> ServiceError:
    return _error(
        "OrganizationalUnitNotFoundException",
        "We can't find an OU with the OrganizationalUnitId that you specified.",
    )


def policy_not_found() -> ServiceError:
    return _error(
        "PolicyNotFoundException", "We can't find a policy with the PolicyId that you specified."
    )


def target_not_found() -> ServiceError:
    return _error(
        "TargetNotFoundException",
        "We can't find a root, OU, account, or email target that you specified.",
    )


def root_not_found() -> ServiceError:
    return _error(
        "RootNotFoundException", "We can't find a root with the RootId that you specified."
    )


def child_not_found() -> ServiceError:
    return _error(
        "ChildNotFoundException",
        "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified.",
    )


def policy_type_not_enabled() -> ServiceError:
    return _error(
        "PolicyTypeNotEnabledException",
        "The specified policy type isn't currently enabled in this root. You can't attach "
        "policies of the specified type to entities in a root until you enable that type in "
        "the root.",
    )


def malformed_policy(message: str) -> ServiceError:
    return _error("MalformedPolicyDocumentException", message)


def unsupported(operation: str, why: str) -> ServiceError:
    return ServiceError(
        "UnsupportedAPIEndpointException",
        f"localiam does not implement organizations:{operation} ({why}).",
        400,
    )
