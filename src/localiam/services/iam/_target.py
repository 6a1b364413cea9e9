"""Which action, resource ARN and condition keys AWS authorizes an IAM operation with.

The action is `iam:<Operation>`; the resource type comes from the Service Authorization
Reference (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html),
its ARN filled from the request's parameters and, for existing entities, their stored path.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from localiam.catalog import Catalog
from localiam.policy import Caller, CallerKind
from localiam.services._context import tag_context

# The request parameter that names an entity of each resource type.
_NAME_PARAM = {
    "user": "UserName",
    "group": "GroupName",
    "role": "RoleName",
    "instance-profile": "InstanceProfileName",
    "server-certificate": "ServerCertificateName",
}
_ARN_PARAMS = {
    "policy": "PolicyArn",
    "mfa": "SerialNumber",
    "oidc-provider": "OpenIDConnectProviderArn",
    "saml-provider": "SAMLProviderArn",
}


class EntityLookup(Protocol):
    """What the authorizer needs from the store about existing entities."""

    def path_of(self, kind: str, name: str) -> str | None: ...

    def tags_of(self, arn: str) -> Mapping[str, str]: ...

    def boundary_of(self, kind: str, name: str) -> str | None: ...


@dataclass(frozen=True, slots=True)
class Target:
    """What a request is authorized as."""

    action: str
    resource: str
    context: dict[str, object] = field(default_factory=dict)


def iam_target(
    operation: str,
    params: Mapping[str, Any],
    caller: Caller,
    account: str,
    catalog: Catalog,
    lookup: EntityLookup,
) -> Target:
    """The action, resource and operation-specific context keys for one IAM request."""
    action = f"iam:{operation}"
    info = catalog.action(action)
    kinds = info.resource_types if info is not None else ()
    resource = _resource(kinds, params, caller, account, lookup)
    keys = info.condition_keys if info is not None else ()
    context: dict[str, object] = {}
    context.update(tag_context(params.get("Tags")))
    if "PermissionsBoundary" in params:
        context["iam:PermissionsBoundary"] = params["PermissionsBoundary"]
    elif "iam:PermissionsBoundary" in keys:
        # The boundary already set on the user or role the request acts on.
        for kind, param in (("user", "UserName"), ("role", "RoleName")):
            name = params.get(param)
            if isinstance(name, str):
                boundary = lookup.boundary_of(kind, name)
                if boundary is not None:
                    context["iam:PermissionsBoundary"] = boundary
                break
    if "PolicyArn" in params and "iam:PolicyARN" in keys:
        context["iam:PolicyARN"] = params["PolicyArn"]
    if "AWSServiceName" in params:
        context["iam:AWSServiceName"] = params["AWSServiceName"]
    if "ServiceName" in params and "iam:ServiceSpecificCredentialServiceName" in keys:
        context["iam:ServiceSpecificCredentialServiceName"] = params["ServiceName"]
    if resource != "*":
        for key, value in lookup.tags_of(resource).items():
            context[f"aws:ResourceTag/{key}"] = value
    return Target(action, resource, context)


def _resource(
    kinds: tuple[str, ...],
    params: Mapping[str, Any],
    caller: Caller,
    account: str,
    lookup: EntityLookup,
) -> str:
    prefix = f"arn:aws:iam::{account}"
    for kind in kinds:
        arn_param = _ARN_PARAMS.get(kind)
        if arn_param and isinstance(params.get(arn_param), str):
            return str(params[arn_param])
        if kind == "policy" and "PolicyName" in params:
            return f"{prefix}:policy{params.get('Path', '/')}{params['PolicyName']}"
        if kind == "mfa" and "VirtualMFADeviceName" in params:
            return f"{prefix}:mfa{params.get('Path', '/')}{params['VirtualMFADeviceName']}"
        name_param = _NAME_PARAM.get(kind)
        if name_param is None:
            continue
        name = params.get(name_param)
        if name is None and kind == "user":
            # Operations on "the caller's own user" when UserName is left out.
            if caller.kind is CallerKind.USER:
                name = caller.name
            elif caller.kind is CallerKind.ROOT:
                return f"{prefix}:root"
        if not isinstance(name, str):
            continue
        path = lookup.path_of(kind, name) or params.get("Path") or "/"
        return f"{prefix}:{kind}{path}{name}"
    source = params.get("PolicySourceArn")
    if isinstance(source, str):
        return source
    return "*"
