"""EC2 through the gateway against a live server, with boto3: aws:RequestedRegion limiting EC2 to
two Regions, RunInstances authorized on each resource it touches with ec2:InstanceType, tag-on-
create with ec2:CreateTags, StopInstances limited by aws:ResourceTag, VPC/subnet/security-group/
key-pair operations on exact ARNs, EC2's UnauthorizedOperation with its encoded message
(https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ExamplePolicies_EC2.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_aws_deny-requested-region.html)."""

from __future__ import annotations

import functools
import json
from typing import Any

import boto3

from e2e.org_helpers import Caller, allow, error_of, root_caller
from live_server import LiveServer

ACCOUNT = "123456789012"
REGION = "us-east-1"
BASE = f"arn:aws:ec2:{REGION}:{ACCOUNT}"
ENCODED = " Encoded authorization failure message: "


@functools.cache
def _boto(region: str) -> boto3.session.Session:
    return boto3.session.Session(region_name=region)


def ec2(caller: Caller, region: str = REGION) -> Any:
    return _boto(region).client(
        "ec2",
        endpoint_url=caller.server.endpoint,
        aws_access_key_id=caller.creds["AccessKeyId"],
        aws_secret_access_key=caller.creds["SecretAccessKey"],
        aws_session_token=caller.creds.get("SessionToken"),
    )


def unauthorized(call: Any) -> str:
    """The message of the UnauthorizedOperation (403) `call` met."""
    err = error_of(call)
    assert (err["Code"], err["Status"]) == ("UnauthorizedOperation", 403), err
    return str(err["Message"])


def sentence(user: str, action: str, resource: str | None) -> str:
    on = "" if resource is None else f" on resource: {resource}"
    return (
        f"You are not authorized to perform this operation. User: arn:aws:iam::{ACCOUNT}:user/"
        f"{user} is not authorized to perform: {action}{on} because no identity-based policy "
        f"allows the {action} action."
    )


def allow_on(*actions: str, resources: list[str], **extra: Any) -> dict[str, Any]:
    """An Allow statement on several resources."""
    return {**allow(*actions, **extra), "Resource": resources}


def an_ami(server: LiveServer) -> str:
    """One of moto's default AMIs, as its root user sees them."""
    images = ec2(root_caller(server)).describe_images(Owners=["amazon"])["Images"]
    return str(sorted(i["ImageId"] for i in images)[0])


def launch(server: LiveServer, image: str, **tags: str) -> str:
    """An instance started by the root user, tagged `tags`; its id."""
    spec = [{"ResourceType": "instance", "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}]
    made = ec2(root_caller(server)).run_instances(
        ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.micro", TagSpecifications=spec
    )
    return str(made["Instances"][0]["InstanceId"])


def state(server: LiveServer, instance: str) -> str:
    found = ec2(root_caller(server)).describe_instances(InstanceIds=[instance])
    return str(found["Reservations"][0]["Instances"][0]["State"]["Name"])


# -- Regions ---------------------------------------------------------------------------------


def test_ec2_allowed_only_in_two_regions(server: LiveServer) -> None:
    user = root_caller(server).new_user(
        "regional",
        allow(
            "ec2:*",
            Condition={"StringEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}},
        ),
    )
    assert ec2(user, "us-east-1").describe_instances()["Reservations"] == []
    assert ec2(user, "eu-west-1").describe_availability_zones()["AvailabilityZones"]
    assert unauthorized(lambda: ec2(user, "ap-southeast-2").describe_instances()) == sentence(
        "regional", "ec2:DescribeInstances", None
    )
    message = unauthorized(lambda: ec2(user, "ap-southeast-2").describe_regions())
    assert ENCODED not in message  # Describe denials carry no encoded message
    # The root user is not limited.
    assert ec2(root_caller(server), "ap-southeast-2").describe_instances()["Reservations"] == []


# -- RunInstances ----------------------------------------------------------------------------


def run_instances_policy(*instance_types: str) -> list[dict[str, Any]]:
    """AWS's example: the instance type on `instance/*`, the other resources unconditioned."""
    return [
        allow(
            "ec2:RunInstances",
            resource=f"{BASE}:instance/*",
            Condition={"StringEquals": {"ec2:InstanceType": list(instance_types)}},
        ),
        allow_on(
            "ec2:RunInstances",
            resources=[
                f"arn:aws:ec2:{REGION}::image/ami-*",
                f"{BASE}:subnet/*",
                f"{BASE}:network-interface/*",
                f"{BASE}:volume/*",
                f"{BASE}:key-pair/*",
                f"{BASE}:security-group/*",
            ],
        ),
        allow("ec2:DescribeInstances"),
    ]


def test_run_instances_only_with_the_allowed_instance_type(server: LiveServer) -> None:
    image = an_ami(server)
    user = ec2(root_caller(server).new_user("launcher", *run_instances_policy("t3.micro")))

    made = user.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.micro")
    assert made["Instances"][0]["InstanceType"] == "t3.micro"

    message = unauthorized(
        lambda: user.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="m5.large")
    )
    head = sentence("launcher", "ec2:RunInstances", f"{BASE}:instance/*")
    assert message.startswith(head[:-1] + "." + ENCODED)
    # The encoded message is what STS DecodeAuthorizationMessage reads, as on AWS.
    encoded = message.split(ENCODED, 1)[1]
    sts = server.client("sts")
    decoded = json.loads(sts.decode_authorization_message(EncodedMessage=encoded)["DecodedMessage"])
    assert decoded["allowed"] is False
    assert decoded["context"]["action"] == "ec2:RunInstances"
    assert decoded["context"]["resource"] == f"{BASE}:instance/*"
    # Nothing was launched by the denied call.
    reservations = user.describe_instances()["Reservations"]
    assert [i["InstanceType"] for r in reservations for i in r["Instances"]] == ["t3.micro"]


def test_a_condition_on_star_fails_for_the_resources_without_the_key(server: LiveServer) -> None:
    # ec2:InstanceType describes the instance only: on `*`, the AMI's check lacks the key.
    image = an_ami(server)
    user = ec2(
        root_caller(server).new_user(
            "naive",
            allow("ec2:RunInstances", Condition={"StringEquals": {"ec2:InstanceType": "t3.micro"}}),
        )
    )
    message = unauthorized(
        lambda: user.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.micro")
    )
    assert message.startswith(
        sentence("naive", "ec2:RunInstances", f"arn:aws:ec2:{REGION}::image/{image}")[:-1]
    )


def test_run_instances_checks_the_ami_and_the_key_pair(server: LiveServer) -> None:
    image = an_ami(server)
    root = ec2(root_caller(server))
    root.create_key_pair(KeyName="ops")
    statements = run_instances_policy("t3.micro")
    statements[1]["Resource"] = [r for r in statements[1]["Resource"] if "key-pair" not in r]
    statements.append(allow("ec2:RunInstances", resource=f"{BASE}:key-pair/dev"))
    user = ec2(root_caller(server).new_user("picky", *statements))

    assert unauthorized(
        lambda: user.run_instances(
            ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.micro", KeyName="ops"
        )
    ).startswith(sentence("picky", "ec2:RunInstances", f"{BASE}:key-pair/ops")[:-1])
    user.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.micro")


def test_tagging_on_launch_needs_create_tags_with_the_create_action(server: LiveServer) -> None:
    image = an_ami(server)
    tags = [{"ResourceType": "instance", "Tags": [{"Key": "team", "Value": "red"}]}]
    user = ec2(root_caller(server).new_user("tagger", *run_instances_policy("t3.micro")))

    message = unauthorized(
        lambda: user.run_instances(
            ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.micro", TagSpecifications=tags
        )
    )
    assert message.startswith(sentence("tagger", "ec2:CreateTags", f"{BASE}:instance/*")[:-1])

    root_caller(server).iam.put_user_policy(
        UserName="tagger",
        PolicyName="tag-on-launch",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    allow(
                        "ec2:CreateTags",
                        resource=f"{BASE}:instance/*",
                        Condition={"StringEquals": {"ec2:CreateAction": "RunInstances"}},
                    )
                ],
            }
        ),
    )
    made = user.run_instances(
        ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.micro", TagSpecifications=tags
    )
    instance = made["Instances"][0]["InstanceId"]
    # ec2:CreateAction is only present on creation: CreateTags on its own stays denied.
    assert unauthorized(
        lambda: user.create_tags(Resources=[instance], Tags=[{"Key": "a", "Value": "b"}])
    ).startswith(sentence("tagger", "ec2:CreateTags", f"{BASE}:instance/{instance}")[:-1])


def test_dry_run_is_authorized_first(server: LiveServer) -> None:
    image = an_ami(server)
    allowed = ec2(root_caller(server).new_user("dry", *run_instances_policy("t3.micro")))
    err = error_of(
        lambda: allowed.run_instances(
            ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.micro", DryRun=True
        )
    )
    assert err["Code"] == "DryRunOperation"
    unauthorized(
        lambda: allowed.run_instances(
            ImageId=image, MinCount=1, MaxCount=1, InstanceType="m5.large", DryRun=True
        )
    )


# -- the instance lifecycle ------------------------------------------------------------------


def test_stop_instances_only_on_instances_tagged_team_red(server: LiveServer) -> None:
    image = an_ami(server)
    red = launch(server, image, team="red")
    blue = launch(server, image, team="blue")
    user = ec2(
        root_caller(server).new_user(
            "operator",
            allow(
                "ec2:StopInstances",
                "ec2:StartInstances",
                resource=f"{BASE}:instance/*",
                Condition={"StringEquals": {"aws:ResourceTag/team": "red"}},
            ),
        )
    )

    stopped = user.stop_instances(InstanceIds=[red])["StoppingInstances"]
    assert stopped[0]["InstanceId"] == red
    assert state(server, red) in ("stopping", "stopped")

    message = unauthorized(lambda: user.stop_instances(InstanceIds=[blue]))
    assert message.startswith(
        sentence("operator", "ec2:StopInstances", f"{BASE}:instance/{blue}")[:-1] + "." + ENCODED
    )
    assert state(server, blue) == "running"
    # One denied instance denies the whole request.
    unauthorized(lambda: user.stop_instances(InstanceIds=[red, blue]))
    assert state(server, blue) == "running"
    # Retagged, it may be stopped.
    ec2(root_caller(server)).create_tags(Resources=[blue], Tags=[{"Key": "team", "Value": "red"}])
    user.stop_instances(InstanceIds=[blue])
    user.start_instances(InstanceIds=[blue])
    assert unauthorized(lambda: user.terminate_instances(InstanceIds=[red])).startswith(
        sentence("operator", "ec2:TerminateInstances", f"{BASE}:instance/{red}")[:-1]
    )


# -- networks and key pairs ------------------------------------------------------------------


def test_network_and_key_pair_operations_on_exact_arns(server: LiveServer) -> None:
    root = ec2(root_caller(server))
    vpc = root.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    other_vpc = root.create_vpc(CidrBlock="10.2.0.0/16")["Vpc"]["VpcId"]
    user = ec2(
        root_caller(server).new_user(
            "netops",
            allow("ec2:Describe*"),
            allow_on(
                "ec2:CreateSubnet",
                "ec2:CreateSecurityGroup",
                resources=[f"{BASE}:vpc/{vpc}", f"{BASE}:subnet/*", f"{BASE}:security-group/*"],
            ),
            allow(
                "ec2:AuthorizeSecurityGroupIngress",
                resource=f"{BASE}:security-group/*",
                Condition={"StringEquals": {"ec2:Vpc": f"{BASE}:vpc/{vpc}"}},
            ),
            allow("ec2:CreateKeyPair", resource=f"{BASE}:key-pair/netops-*"),
        )
    )

    subnet = user.create_subnet(VpcId=vpc, CidrBlock="10.1.1.0/24")["Subnet"]["SubnetId"]
    assert [s["SubnetId"] for s in user.describe_subnets(SubnetIds=[subnet])["Subnets"]] == [subnet]
    group = user.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
    user.authorize_security_group_ingress(
        GroupId=group, IpProtocol="tcp", FromPort=443, ToPort=443, CidrIp="0.0.0.0/0"
    )
    rules = user.describe_security_groups(GroupIds=[group])["SecurityGroups"][0]["IpPermissions"]
    assert rules[0]["FromPort"] == 443
    assert user.create_key_pair(KeyName="netops-1")["KeyName"] == "netops-1"
    assert [k["KeyName"] for k in user.describe_key_pairs()["KeyPairs"]] == ["netops-1"]

    assert unauthorized(
        lambda: user.create_subnet(VpcId=other_vpc, CidrBlock="10.2.1.0/24")
    ).startswith(sentence("netops", "ec2:CreateSubnet", f"{BASE}:vpc/{other_vpc}")[:-1])
    foreign = root.create_security_group(GroupName="db", Description="db", VpcId=other_vpc)
    assert unauthorized(
        lambda: user.authorize_security_group_ingress(
            GroupId=foreign["GroupId"], IpProtocol="tcp", FromPort=5432, ToPort=5432,
            CidrIp="10.0.0.0/8",
        )
    ).startswith(
        sentence(
            "netops", "ec2:AuthorizeSecurityGroupIngress",
            f"{BASE}:security-group/{foreign['GroupId']}",
        )[:-1]
    )  # fmt: skip
    assert unauthorized(lambda: user.create_key_pair(KeyName="prod")).startswith(
        sentence("netops", "ec2:CreateKeyPair", f"{BASE}:key-pair/prod")[:-1]
    )
    assert unauthorized(lambda: user.create_vpc(CidrBlock="10.3.0.0/16")).startswith(
        sentence("netops", "ec2:CreateVpc", f"{BASE}:vpc/*")[:-1]
    )
