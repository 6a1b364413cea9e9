"""What the metadata service knows of an instance, read from the EC2 backend (moto): its ids,
type, addresses, placement, user data, tags, metadata options and the instance profile
associated with it. The only module of `imds` that reads moto's state."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class InstanceFacts:
    instance_id: str
    account_id: str
    region: str
    image_id: str
    instance_type: str
    private_ip: str
    hostname: str
    mac: str
    availability_zone: str
    launch_time: datetime | None
    reservation_id: str
    architecture: str
    http_tokens: str
    http_endpoint: str
    metadata_tags: bool
    user_data: bytes | None = None
    tags: dict[str, str] = field(default_factory=dict)
    security_groups: tuple[str, ...] = ()
    vpc_id: str | None = None
    subnet_id: str | None = None
    profile_arn: str | None = None

    @property
    def arn(self) -> str:
        return f"arn:aws:ec2:{self.region}:{self.account_id}:instance/{self.instance_id}"


def _ec2_backends() -> Any:
    from moto.ec2.models import ec2_backends

    return ec2_backends


def find_instance(instance_id: str) -> InstanceFacts | None:
    """The instance `instance_id` in whichever account and Region holds it (instance ids are
    unique), or None."""
    backends = _ec2_backends()
    for account_id in list(backends.keys()):
        by_region = backends[account_id]
        for region in list(by_region.keys()):
            backend = by_region[region]
            for reservation in list(getattr(backend, "reservations", {}).values()):
                for instance in reservation.instances:
                    if instance.id == instance_id and instance.state != "terminated":
                        return _facts(backend, reservation, instance, account_id, region)
    return None


def _user_data(instance: Any) -> bytes | None:
    """The user data as given at launch (moto keeps it base64-encoded)."""
    raw = instance.user_data
    if not raw:
        return None
    value = raw[0] if isinstance(raw, list) else raw
    if hasattr(value, "as_bytes"):  # moto's Base64EncodedString
        value = value.as_bytes()
    if isinstance(value, str):
        value = value.encode()
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return bytes(value)


def _facts(
    backend: Any, reservation: Any, instance: Any, account_id: str, region: str
) -> InstanceFacts:
    association = backend.iam_instance_profile_associations.get(instance.id)
    profile_arn = None
    if association is not None and getattr(association, "state", "associated") != "disassociated":
        profile_arn = str(association.iam_instance_profile.arn)
    nic = instance.nics.get(0) if hasattr(instance, "nics") else None
    mac = getattr(nic, "mac_address", None) or "0e:00:00:00:00:01"
    tags = {
        str(t["key"]): str(t["value"])
        for t in backend.describe_tags(filters={"resource-id": [instance.id]})
    }
    options = instance.metadata_options
    groups = tuple(
        str(getattr(g, "name", g)) for g in getattr(instance, "security_groups", ()) or ()
    )
    return InstanceFacts(
        instance_id=instance.id,
        account_id=account_id,
        region=region,
        image_id=str(instance.image_id),
        instance_type=str(instance.instance_type),
        private_ip=str(instance.private_ip or ""),
        hostname=str(instance.private_dns_name),
        mac=str(mac),
        availability_zone=str(instance.placement.zone or f"{region}a"),
        launch_time=getattr(instance, "launch_time", None)
        if not isinstance(getattr(instance, "launch_time", None), str)
        else None,
        reservation_id=str(reservation.id),
        architecture=str(getattr(instance, "architecture", "x86_64")),
        http_tokens=str(options.http_tokens),
        http_endpoint=str(options.http_endpoint),
        metadata_tags=str(options.instance_metadata_tags) == "enabled",
        user_data=_user_data(instance),
        tags=tags,
        security_groups=groups,
        vpc_id=getattr(instance, "vpc_id", None),
        subnet_id=getattr(instance, "subnet_id", None),
        profile_arn=profile_arn,
    )
