"""`EC2.map`: the `ec2`-protocol request decoded, and the action, resources and condition keys
AWS authorizes each EC2 request with, from requests botocore itself serializes
(https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html,
https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ExamplePolicies_EC2.html#iam-example-runinstances),
and EC2's UnauthorizedOperation document."""

from __future__ import annotations

import base64
import functools
import json
import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import urlsplit

import botocore.session
import pytest
from botocore import xform_name
from botocore.awsrequest import AWSPreparedRequest

from localiam.auth import HttpRequestView
from localiam.authz import Decision, DecisionKind, PolicyType
from localiam.gateway._ec2 import EC2, decode_ec2
from localiam.gateway._model import Check, GatewayRequest, Mapped, Unmappable
from localiam.gateway._moto_ec2 import Ec2Resource
from localiam.protocol import ServiceError, load_service_model

ACCOUNT = "123456789012"
R = "us-east-1"
BASE = f"arn:aws:ec2:{R}:{ACCOUNT}"
AMI = "ami-0123456789abcdef0"


class _Sent(Exception):
    def __init__(self, request: AWSPreparedRequest) -> None:
        super().__init__("sent")
        self.request = request


def _stop(request: AWSPreparedRequest, **_: Any) -> None:
    raise _Sent(request)


@functools.cache
def _client(region: str) -> Any:
    client = botocore.session.get_session().create_client(
        "ec2",
        region_name=region,
        endpoint_url="http://127.0.0.1:1",
        aws_access_key_id="AKIAEXAMPLE",
        aws_secret_access_key="x",
    )
    client.meta.events.register("before-send.*", _stop)
    return client


def view_of(operation: str, region: str = R, **params: Any) -> HttpRequestView:
    """The request botocore sends for `operation`, as the server receives it."""
    with pytest.raises(_Sent) as sent:
        getattr(_client(region), xform_name(operation))(**params)
    request = sent.value.request
    parts = urlsplit(request.url)
    headers = [
        (k, v.decode("latin-1") if isinstance(v, bytes) else v) for k, v in request.headers.items()
    ]
    body = request.body or b""
    return HttpRequestView(
        request.method,
        parts.path or "/",
        parts.query,
        headers,
        body.encode() if isinstance(body, str) else body,
    )


#: Existing resources: (type, id) -> what moto would tell.
RESOURCES = {
    ("instance", "i-red"): Ec2Resource(
        "i-red", {"team": "red"}, {"ec2:InstanceType": "t3.micro", "ec2:InstanceID": "i-red"}
    ),
    ("instance", "i-blue"): Ec2Resource("i-blue", {"team": "blue"}, {}),
    ("image", AMI): Ec2Resource(
        AMI,
        {},
        {
            "ec2:ImageID": AMI,
            "ec2:ImageType": "machine",
            "ec2:Owner": "amazon",
            "ec2:Public": "true",
            "ec2:RootDeviceType": "ebs",
        },
    ),
    ("subnet", "subnet-1"): Ec2Resource(
        "subnet-1",
        {},
        {"ec2:SubnetID": "subnet-1", "ec2:Vpc": f"{BASE}:vpc/vpc-1", "ec2:AvailabilityZone": "x"},
    ),
    ("security-group", "sg-web"): Ec2Resource("sg-web", {"tier": "web"}, {}),
    ("key-pair", "deploy"): Ec2Resource(
        "key-0abc", {"owner": "ops"}, {"ec2:KeyPairName": "deploy"}
    ),
    ("vpc", "vpc-1"): Ec2Resource("vpc-1", {"env": "prod"}, {"ec2:VpcID": "vpc-1"}),
}


class FakeEc2:
    def resource(self, account: str, region: str, kind: str, ident: str) -> Ec2Resource | None:
        assert account == ACCOUNT
        return RESOURCES.get((kind, ident))

    def security_group_id(
        self, account: str, region: str, name: str | None, vpc_id: str | None
    ) -> str | None:
        if name is None:
            return "sg-default1" if vpc_id in (None, "vpc-1") else None
        return {"web": "sg-web"}.get(name)

    def subnet_vpc(self, account: str, region: str, subnet_id: str) -> str | None:
        return "vpc-1" if subnet_id == "subnet-1" else None

    def key_pair_name(self, account: str, region: str, key_pair_id: str) -> str | None:
        return "deploy" if key_pair_id == "key-0abc" else None


@functools.cache
def _adapter() -> EC2:
    return EC2(FakeEc2())


def mapped(operation: str, region: str = R, **params: Any) -> Mapped:
    view = view_of(operation, region, **params)
    return _adapter().map(GatewayRequest(view, "ec2", region, ACCOUNT, "req-1"))


def pairs(m: Mapped) -> list[tuple[str, str]]:
    return [(c.action, c.resource) for c in m.checks]


def check(m: Mapped, action: str, resource: str) -> Check:
    return next(c for c in m.checks if (c.action, c.resource) == (action, resource))


# -- the ec2 protocol ------------------------------------------------------------------------


def test_the_ec2_protocol_is_decoded_with_its_own_names() -> None:
    view = view_of(
        "DescribeInstances",
        InstanceIds=["i-1", "i-2"],
        Filters=[{"Name": "tag:team", "Values": ["red", "blue"]}],
        DryRun=True,
        MaxResults=5,
    )
    body = view.body.decode()
    assert "InstanceId.1=i-1" in body and "Filter.1.Value.2=blue" in body
    form = dict(p.split("=", 1) for p in body.split("&"))
    form["Filter.1.Name"] = "tag:team"
    operation, params = decode_ec2(load_service_model("ec2"), form)
    assert operation == "DescribeInstances"
    assert params == {
        "InstanceIds": ["i-1", "i-2"],
        "Filters": [{"Name": "tag:team", "Values": ["red", "blue"]}],
        "DryRun": True,
        "MaxResults": 5,
    }


def test_malformed_names_and_tags_without_keys_are_ignored() -> None:
    operation, params = decode_ec2(
        load_service_model("ec2"),
        {"Action": "CreateTags", "Resources.": "x", "ResourceId.1": "i-red", "Tag.1.Value": "v"},
    )
    assert (operation, params) == ("CreateTags", {"Resources": ["i-red"], "Tags": [{"Value": "v"}]})
    view = HttpRequestView(
        "POST", "/", "", [], b"Action=CreateTags&ResourceId.1=i-red&Tag.1.Value=v&Tag.2.Key=k"
    )
    m = _adapter().map(GatewayRequest(view, "ec2", R, ACCOUNT, "r"))
    assert m.checks[0].context["aws:TagKeys"] == ["k"]


def test_an_unknown_action_is_invalid_action() -> None:
    with pytest.raises(ServiceError) as info:
        decode_ec2(load_service_model("ec2"), {"Action": "LaunchRocket"})
    assert (info.value.code, info.value.message) == (
        "InvalidAction",
        "The action LaunchRocket is not valid for this web service.",
    )


def test_an_operation_without_an_iam_action_is_refused() -> None:
    view = HttpRequestView("POST", "/", "", [], b"Action=GetImageFindings&Version=2016-11-15")
    with pytest.raises(Unmappable):
        _adapter().map(GatewayRequest(view, "ec2", R, ACCOUNT, "r"))


# -- describe and the instance lifecycle ----------------------------------------------------


@pytest.mark.parametrize(
    ("operation", "params"),
    [
        ("DescribeInstances", {"InstanceIds": ["i-red"]}),
        ("DescribeImages", {"Owners": ["amazon"]}),
        ("DescribeSecurityGroups", {}),
        ("DescribeVpcs", {}),
        ("DescribeSubnets", {}),
        ("DescribeKeyPairs", {}),
        ("DescribeRegions", {}),
        ("DescribeAvailabilityZones", {}),
    ],
)
def test_describe_actions_are_on_star(operation: str, params: dict[str, Any]) -> None:
    m = mapped(operation, "ap-southeast-2", **params)
    assert pairs(m) == [(f"ec2:{operation}", "*")]
    assert m.checks[0].context == {"ec2:Region": "ap-southeast-2"}
    assert m.backend_account == ACCOUNT
    assert ("host", "ec2.ap-southeast-2.amazonaws.com") in m.forward.headers


@pytest.mark.parametrize(
    "operation", ["StartInstances", "StopInstances", "TerminateInstances", "RebootInstances"]
)
def test_instance_operations_check_each_instance_with_its_tags(operation: str) -> None:
    m = mapped(operation, InstanceIds=["i-red", "i-blue"])
    assert pairs(m) == [
        (f"ec2:{operation}", f"{BASE}:instance/i-red"),
        (f"ec2:{operation}", f"{BASE}:instance/i-blue"),
    ]
    red = m.checks[0].context
    assert red["aws:ResourceTag/team"] == red["ec2:ResourceTag/team"] == "red"
    assert red["ec2:InstanceType"] == "t3.micro" and red["ec2:Region"] == R
    assert m.checks[1].context["aws:ResourceTag/team"] == "blue"
    assert all(c.resource_account == ACCOUNT and c.policy_resource is None for c in m.checks)


# -- RunInstances ----------------------------------------------------------------------------


def test_run_instances_checks_every_resource_aws_checks() -> None:
    m = mapped(
        "RunInstances",
        ImageId=AMI,
        MinCount=1,
        MaxCount=1,
        InstanceType="t3.micro",
        KeyName="deploy",
        SubnetId="subnet-1",
        SecurityGroupIds=["sg-web"],
        Placement={"AvailabilityZone": "us-east-1a"},
        TagSpecifications=[
            {"ResourceType": "instance", "Tags": [{"Key": "team", "Value": "red"}]},
            {"ResourceType": "volume", "Tags": [{"Key": "backup", "Value": "daily"}]},
        ],
    )
    run = "ec2:RunInstances"
    assert pairs(m) == [
        (run, f"{BASE}:instance/*"),
        (run, f"arn:aws:ec2:{R}::image/{AMI}"),
        (run, f"{BASE}:subnet/subnet-1"),
        (run, f"{BASE}:security-group/sg-web"),
        (run, f"{BASE}:network-interface/*"),
        (run, f"{BASE}:volume/*"),
        (run, f"{BASE}:key-pair/deploy"),
        ("ec2:CreateTags", f"{BASE}:instance/*"),
        ("ec2:CreateTags", f"{BASE}:volume/*"),
    ]
    assert check(m, run, f"{BASE}:instance/*").context == {
        "ec2:Region": R,
        "ec2:InstanceType": "t3.micro",
        "ec2:Tenancy": "default",
        "ec2:EbsOptimized": "false",
        "ec2:InstanceMarketType": "on-demand",
        "ec2:AvailabilityZone": "us-east-1a",
        "ec2:RootDeviceType": "ebs",
        "aws:RequestTag/team": "red",
        "aws:TagKeys": ["team"],
    }
    image = check(m, run, f"arn:aws:ec2:{R}::image/{AMI}").context
    assert (image["ec2:Owner"], image["ec2:ImageType"], image["ec2:Public"]) == (
        "amazon",
        "machine",
        "true",
    )
    assert "ec2:InstanceType" not in image  # the instance's key, not the AMI's
    assert check(m, run, f"{BASE}:security-group/sg-web").context["aws:ResourceTag/tier"] == "web"
    assert check(m, run, f"{BASE}:network-interface/*").context == {
        "ec2:Region": R,
        "ec2:Subnet": f"{BASE}:subnet/subnet-1",
        "ec2:Vpc": f"{BASE}:vpc/vpc-1",
    }
    assert check(m, run, f"{BASE}:volume/*").context["aws:RequestTag/backup"] == "daily"
    key = check(m, run, f"{BASE}:key-pair/deploy").context
    assert (key["ec2:KeyPairName"], key["aws:ResourceTag/owner"]) == ("deploy", "ops")
    tagging = check(m, "ec2:CreateTags", f"{BASE}:instance/*").context
    assert tagging["ec2:CreateAction"] == "RunInstances"
    assert tagging["aws:RequestTag/team"] == "red"


def test_run_instances_without_groups_uses_the_default_group() -> None:
    m = mapped("RunInstances", ImageId=AMI, MinCount=1, MaxCount=1)
    assert pairs(m) == [
        ("ec2:RunInstances", f"{BASE}:instance/*"),
        ("ec2:RunInstances", f"arn:aws:ec2:{R}::image/{AMI}"),
        ("ec2:RunInstances", f"{BASE}:security-group/sg-default1"),
        ("ec2:RunInstances", f"{BASE}:network-interface/*"),
        ("ec2:RunInstances", f"{BASE}:volume/*"),
    ]
    # AWS's default instance type when none is named.
    assert m.checks[0].context["ec2:InstanceType"] == "m1.small"


def test_run_instances_with_group_names() -> None:
    m = mapped("RunInstances", ImageId=AMI, MinCount=1, MaxCount=1, SecurityGroups=["web"])
    assert ("ec2:RunInstances", f"{BASE}:security-group/sg-web") in pairs(m)


# -- tags and creates ------------------------------------------------------------------------


def test_create_tags_checks_each_resource_by_its_prefix() -> None:
    m = mapped(
        "CreateTags",
        Resources=["i-red", AMI, "vpc-1", "key-0abc"],
        Tags=[{"Key": "cost", "Value": "42"}],
    )
    assert pairs(m) == [
        ("ec2:CreateTags", f"{BASE}:instance/i-red"),
        ("ec2:CreateTags", f"arn:aws:ec2:{R}::image/{AMI}"),
        ("ec2:CreateTags", f"{BASE}:vpc/vpc-1"),
        ("ec2:CreateTags", f"{BASE}:key-pair/deploy"),
    ]
    red = m.checks[0].context
    assert red["aws:RequestTag/cost"] == "42" and red["aws:TagKeys"] == ["cost"]
    assert red["aws:ResourceTag/team"] == "red"
    assert "ec2:CreateAction" not in red


def test_delete_tags_carries_the_keys() -> None:
    m = mapped("DeleteTags", Resources=["i-red"], Tags=[{"Key": "team"}])
    assert pairs(m) == [("ec2:DeleteTags", f"{BASE}:instance/i-red")]
    assert m.checks[0].context["aws:TagKeys"] == ["team"]


def test_tags_on_an_unknown_kind_of_id_are_refused() -> None:
    with pytest.raises(Unmappable):
        mapped("CreateTags", Resources=["zz-123"], Tags=[{"Key": "a", "Value": "b"}])


def test_tags_for_an_unknown_resource_type_are_refused() -> None:
    spec = [{"ResourceType": "starship", "Tags": [{"Key": "a", "Value": "b"}]}]
    with pytest.raises(ServiceError) as refused:
        mapped("CreateVpc", CidrBlock="10.0.0.0/16", TagSpecifications=spec)
    assert refused.value.code == "InvalidParameterValue"
    assert refused.value.message == (
        "Value (starship) for parameter TagSpecifications.1.ResourceType is invalid."
    )


def _form_request(body: str) -> GatewayRequest:
    headers = [("content-type", "application/x-www-form-urlencoded"), ("host", "ec2.test")]
    view = HttpRequestView("POST", "/", "", headers, body.encode())
    return GatewayRequest(view, "ec2", R, ACCOUNT, "req-1")


def test_bad_input_is_refused_before_the_backend_sees_it() -> None:
    with pytest.raises(ServiceError) as missing:
        _adapter().map(_form_request("Action=RunInstances&Version=2016-11-15&MaxCount=1"))
    assert (missing.value.code, missing.value.message) == (
        "MissingParameter",
        "The request must contain the parameter MinCount",
    )
    with pytest.raises(ServiceError) as typed:
        _adapter().map(
            _form_request("Action=RunInstances&Version=2016-11-15&MinCount=a&MaxCount=1")
        )
    assert (typed.value.code, typed.value.message) == (
        "InvalidParameterValue",
        "Value (a) for parameter MinCount is invalid.",
    )


def test_create_security_group_in_a_vpc() -> None:
    m = mapped(
        "CreateSecurityGroup",
        GroupName="db",
        Description="d",
        VpcId="vpc-1",
        TagSpecifications=[
            {"ResourceType": "security-group", "Tags": [{"Key": "a", "Value": "b"}]}
        ],
    )
    assert pairs(m) == [
        ("ec2:CreateSecurityGroup", f"{BASE}:vpc/vpc-1"),
        ("ec2:CreateSecurityGroup", f"{BASE}:security-group/*"),
        ("ec2:CreateTags", f"{BASE}:security-group/*"),
    ]
    assert m.checks[0].context["aws:ResourceTag/env"] == "prod"
    assert m.checks[1].context["aws:RequestTag/a"] == "b"


def test_authorize_ingress_by_group_name_resolves_the_group() -> None:
    m = mapped(
        "AuthorizeSecurityGroupIngress", GroupName="web", IpProtocol="tcp", FromPort=1, ToPort=2
    )
    assert pairs(m) == [("ec2:AuthorizeSecurityGroupIngress", f"{BASE}:security-group/sg-web")]


@pytest.mark.parametrize(
    ("operation", "params", "expected"),
    [
        ("CreateVpc", {"CidrBlock": "10.0.0.0/16"}, [f"{BASE}:vpc/*"]),
        (
            "CreateSubnet",
            {"VpcId": "vpc-1", "CidrBlock": "10.0.1.0/24"},
            [f"{BASE}:vpc/vpc-1", f"{BASE}:subnet/*"],
        ),
        ("CreateKeyPair", {"KeyName": "new"}, [f"{BASE}:key-pair/new"]),
        ("DeleteKeyPair", {"KeyPairId": "key-0abc"}, [f"{BASE}:key-pair/deploy"]),
        ("DeleteVpc", {"VpcId": "vpc-1"}, [f"{BASE}:vpc/vpc-1"]),
        (
            "AttachVolume",
            {"VolumeId": "vol-1", "InstanceId": "i-red", "Device": "/dev/sdf"},
            [f"{BASE}:volume/vol-1", f"{BASE}:instance/i-red"],
        ),
    ],
)
def test_resources_named_and_created(
    operation: str, params: dict[str, Any], expected: list[str]
) -> None:
    assert sorted(c.resource for c in mapped(operation, **params).checks) == sorted(expected)


# -- denial ------------------------------------------------------------------------------------


def _decision(action: str, resource: str) -> Decision:
    return Decision(
        DecisionKind.IMPLICIT_DENY,
        f"arn:aws:iam::{ACCOUNT}:user/alice",
        action,
        resource,
        (),
        PolicyType.IDENTITY,
        (),
    )


def test_denial_is_unauthorized_operation_with_an_encoded_message() -> None:
    code, message, status = _adapter().denied(
        _decision("ec2:RunInstances", f"{BASE}:instance/*"), True
    )
    assert (code, status) == ("UnauthorizedOperation", 403)
    head = (
        f"You are not authorized to perform this operation. User: arn:aws:iam::{ACCOUNT}:user/"
        f"alice is not authorized to perform: ec2:RunInstances on resource: {BASE}:instance/* "
        "because no identity-based policy allows the ec2:RunInstances action. "
        "Encoded authorization failure message: "
    )
    assert message.startswith(head)
    decoded = json.loads(base64.urlsafe_b64decode(message[len(head) :]))
    assert decoded["allowed"] is False and decoded["explicitDeny"] is False
    assert decoded["context"]["action"] == "ec2:RunInstances"
    assert decoded["context"]["resource"] == f"{BASE}:instance/*"


def test_describe_denials_carry_no_encoded_message() -> None:
    _, message, _ = _adapter().denied(_decision("ec2:DescribeInstances", "*"), True)
    assert message == (
        f"You are not authorized to perform this operation. User: arn:aws:iam::{ACCOUNT}:user/"
        "alice is not authorized to perform: ec2:DescribeInstances because no identity-based "
        "policy allows the ec2:DescribeInstances action."
    )


def test_the_encoding_is_injected() -> None:
    adapter = EC2(FakeEc2(), encode=lambda text: "SEALED")
    _, message, _ = adapter.denied(_decision("ec2:StopInstances", f"{BASE}:instance/i-1"), True)
    assert message.endswith("Encoded authorization failure message: SEALED")


def test_error_document_is_ec2s() -> None:
    headers, body = _adapter().error("UnauthorizedOperation", "no <way>", 403, "req-7")
    assert ("content-type", "text/xml") in headers
    root = ET.fromstring(body)
    assert root.tag == "Response"
    assert root.findtext("Errors/Error/Code") == "UnauthorizedOperation"
    assert root.findtext("Errors/Error/Message") == "no <way>"
    assert root.findtext("RequestID") == "req-7"
