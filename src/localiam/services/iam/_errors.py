"""IAM's errors with the codes, statuses and sentences AWS uses
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateUser.html#API_CreateUser_Errors and
the Errors section of each operation)."""

from __future__ import annotations

from localiam.protocol import ServiceError

_ENTITY_WORDS = {
    "user": "user",
    "group": "group",
    "role": "role",
    "policy": "policy",
    "instance-profile": "Instance Profile",
    "mfa": "VirtualMFADevice",
}


def no_such_entity(kind: str, name: str) -> ServiceError:
    """`NoSuchEntity` (404): "The user with name bob cannot be found."."""
    word = _ENTITY_WORDS.get(kind, kind)
    return ServiceError("NoSuchEntity", f"The {word} with name {name} cannot be found.", 404)


def already_exists(kind: str, name: str) -> ServiceError:
    """`EntityAlreadyExists` (409): "User with name bob already exists."."""
    word = _ENTITY_WORDS.get(kind, kind)
    return ServiceError(
        "EntityAlreadyExists", f"{word[:1].upper()}{word[1:]} with name {name} already exists.", 409
    )


def delete_conflict(message: str) -> ServiceError:
    """`DeleteConflict` (409), e.g. "Cannot delete entity, must delete access keys first."."""
    return ServiceError("DeleteConflict", message, 409)


def limit_exceeded(message: str) -> ServiceError:
    """`LimitExceeded` (409), e.g. "Cannot exceed quota for AccessKeysPerUser: 2"."""
    return ServiceError("LimitExceeded", message, 409)


def invalid_input(message: str) -> ServiceError:
    return ServiceError("InvalidInput", message, 400)


def malformed_policy(message: str) -> ServiceError:
    return ServiceError("MalformedPolicyDocument", message, 400)


def access_denied(message: str) -> ServiceError:
    return ServiceError("AccessDenied", message, 403)
