"""Service-specific credentials: CreateServiceSpecificCredential, ListServiceSpecificCredentials,
ResetServiceSpecificCredential, UpdateServiceSpecificCredential, DeleteServiceSpecificCredential
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateServiceSpecificCredential.html).

The store has no table for these credentials yet (a user name and password for CodeCommit or
Amazon Keyspaces, an API key for Amazon Bedrock, each bound to one service), and no existing table
fits them: a row of `access_keys` would be a working SigV4 key. So creating one answers
`NotImplemented`, after the checks AWS makes first (the user exists, the service supports such
credentials); and since none can exist, every user has none: listings are empty and a credential
id is never found.
"""

from __future__ import annotations

from typing import Any

from localiam.protocol import ServiceError
from localiam.services.iam._context import Handler, IamContext
from localiam.services.iam._lookup import get_user_row, target_user_name

#: The services that accept service-specific credentials
#: (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_service-specific-creds.html).
SUPPORTED_SERVICES = frozenset(
    {"codecommit.amazonaws.com", "cassandra.amazonaws.com", "bedrock.amazonaws.com"}
)


def _check_service(name: str) -> None:
    if name not in SUPPORTED_SERVICES:
        raise ServiceError(
            "NotSupportedService",
            f"The service {name} does not support service-specific credentials.",
            404,
        )


def _check_user(ctx: IamContext, params: dict[str, Any]) -> None:
    name = target_user_name(ctx, params.get("UserName"))
    if name is not None:
        get_user_row(ctx, name)


def _not_found(credential_id: str) -> ServiceError:
    return ServiceError(
        "NoSuchEntity",
        f"The Service Specific Credential with id {credential_id} cannot be found.",
        404,
    )


def create_service_specific_credential(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    get_user_row(ctx, params["UserName"])
    _check_service(params["ServiceName"])
    raise ServiceError(
        "NotImplemented",
        "localiam cannot store service-specific credentials yet: its store has no table for them.",
        501,
        sender=False,
    )


def list_service_specific_credentials(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    if not params.get("AllUsers"):
        _check_user(ctx, params)
    service = params.get("ServiceName")
    if service is not None:
        _check_service(service)
    return {"ServiceSpecificCredentials": [], "IsTruncated": False}


def _no_credential(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    _check_user(ctx, params)
    raise _not_found(params["ServiceSpecificCredentialId"])


HANDLERS: dict[str, Handler] = {
    "CreateServiceSpecificCredential": create_service_specific_credential,
    "ListServiceSpecificCredentials": list_service_specific_credentials,
    "ResetServiceSpecificCredential": _no_credential,
    "UpdateServiceSpecificCredential": _no_credential,
    "DeleteServiceSpecificCredential": _no_credential,
}
