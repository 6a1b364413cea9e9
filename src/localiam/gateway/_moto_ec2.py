"""What EC2 authorization reads from moto's state: an existing resource's tags and the EC2
condition keys it carries, the default security group, names and ids of groups and key pairs.

Everything is read from the backend of the caller's account in the request's Region (moto
creates that backend, with its default VPC, subnets, security group and AMIs, on first use —
as it would when the request reaches it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Ec2Resource:
    """An existing EC2 resource: the id its tags are kept under, its tags, and the EC2
    condition keys that describe it (ec2:InstanceType, ec2:Vpc, ec2:Owner, ...)."""

    tag_id: str
    tags: dict[str, str] = field(default_factory=dict)
    keys: dict[str, object] = field(default_factory=dict)


def _backend(account: str, region: str) -> Any:
    from moto.ec2.models import ec2_backends

    try:
        return ec2_backends[account][region]
    except KeyError:  # a Region moto does not serve
        return None


def _flag(value: object) -> str:
    return "true" if value else "false"


class MotoEc2:
    """EC2 resources as moto keeps them (see `_ec2.Ec2State`)."""

    def resource(self, account: str, region: str, kind: str, ident: str) -> Ec2Resource | None:
        """The resource of type `kind` (the SAR's name: instance, image, key-pair, ...) named
        `ident` (its id; a key pair's name), None when moto has none."""
        backend = _backend(account, region)
        if backend is None:
            return None
        vpc_arn = f"arn:aws:ec2:{region}:{account}:vpc/"
        try:
            keys = _KEYS[kind](backend, ident, vpc_arn) if kind in _KEYS else {}
        except Exception:  # moto's "not found" errors
            return None
        if keys is None:
            return None
        # A key pair's tags are kept under its id, its ARN names it by its name.
        tag_id = str(backend.key_pairs[ident].id) if kind == "key-pair" else ident
        tags = {str(k): str(v) for k, v in dict.get(backend.tags, tag_id, {}).items()}
        return Ec2Resource(tag_id, tags, keys)

    def security_group_id(
        self, account: str, region: str, name: str | None, vpc_id: str | None
    ) -> str | None:
        """The id of the group called `name` (the default group when None) in `vpc_id` (the
        default VPC when None)."""
        backend = _backend(account, region)
        if backend is None:
            return None
        try:
            if name is None:
                group = backend.get_default_security_group(vpc_id)
            else:
                vpc = vpc_id or getattr(backend.get_default_vpc(), "id", None)
                group = backend.get_security_group_from_name(name, vpc)
        except Exception:
            return None
        return None if group is None else str(group.id)

    def subnet_vpc(self, account: str, region: str, subnet_id: str) -> str | None:
        backend = _backend(account, region)
        try:
            return None if backend is None else str(backend.get_subnet(subnet_id).vpc_id)
        except Exception:
            return None

    def key_pair_name(self, account: str, region: str, key_pair_id: str) -> str | None:
        backend = _backend(account, region)
        if backend is None:
            return None
        found = next((k for k in backend.key_pairs.values() if k.id == key_pair_id), None)
        return None if found is None else str(found.key_name)


def _instance(backend: Any, ident: str, vpc_arn: str) -> dict[str, object]:
    instance = backend.get_instance(ident)
    keys: dict[str, object] = {
        "ec2:InstanceID": instance.id,
        "ec2:InstanceType": instance.instance_type,
        "ec2:Tenancy": instance.placement.tenancy,
        "ec2:RootDeviceType": instance.root_device_type,
        "ec2:EbsOptimized": _flag(instance.ebs_optimized),
    }
    if instance.availability_zone:
        keys["ec2:AvailabilityZone"] = instance.availability_zone
    return keys


def _image(backend: Any, ident: str, vpc_arn: str) -> dict[str, object] | None:
    image = backend.amis.get(ident)
    if image is None:
        return None
    owner = image.owner_alias if image.owner_alias in ("amazon", "aws-marketplace") else None
    return {
        "ec2:ImageID": image.id,
        "ec2:ImageType": image.image_type,
        "ec2:Owner": owner or str(image.owner_id),
        "ec2:Public": _flag(image.is_public),
        "ec2:RootDeviceType": image.root_device_type,
    }


def _subnet(backend: Any, ident: str, vpc_arn: str) -> dict[str, object]:
    subnet = backend.get_subnet(ident)
    return {
        "ec2:SubnetID": subnet.id,
        "ec2:Vpc": vpc_arn + subnet.vpc_id,
        "ec2:AvailabilityZone": subnet.availability_zone,
    }


def _security_group(backend: Any, ident: str, vpc_arn: str) -> dict[str, object] | None:
    group = backend.get_security_group_from_id(ident)
    if group is None:
        return None
    keys: dict[str, object] = {"ec2:SecurityGroupID": group.id}
    if group.vpc_id:
        keys["ec2:Vpc"] = vpc_arn + group.vpc_id
    return keys


def _vpc(backend: Any, ident: str, vpc_arn: str) -> dict[str, object]:
    vpc = backend.get_vpc(ident)
    return {"ec2:VpcID": vpc.id, "ec2:Tenancy": vpc.instance_tenancy}


def _volume(backend: Any, ident: str, vpc_arn: str) -> dict[str, object]:
    volume = backend.get_volume(ident)
    return {
        "ec2:VolumeID": volume.id,
        "ec2:VolumeType": volume.volume_type,
        "ec2:VolumeSize": str(volume.size),
        "ec2:Encrypted": _flag(volume.encrypted),
        "ec2:AvailabilityZone": getattr(volume.zone, "name", str(volume.zone)),
    }


def _key_pair(backend: Any, ident: str, vpc_arn: str) -> dict[str, object] | None:
    pair = backend.key_pairs.get(ident)
    if pair is None:
        return None
    return {"ec2:KeyPairName": pair.key_name, "ec2:KeyPairType": pair.key_type}


_KEYS: dict[str, Any] = {
    "instance": _instance,
    "image": _image,
    "subnet": _subnet,
    "security-group": _security_group,
    "vpc": _vpc,
    "volume": _volume,
    "key-pair": _key_pair,
}
