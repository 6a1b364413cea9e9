"""AWS Regions and their Availability Zones, as AWS published them on 2026-11-28.

Sources, as of that date:

- the Regions of each partition: botocore's `data/partitions.json` (botocore 1.44.8), the table
  every AWS SDK resolves Region names against;
- the AZ IDs of the commercial (`aws`) partition: "AWS Availability Zones" in the AWS Regions and
  Availability Zones guide
  (https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-availability-zones.html);
- the AZ IDs of China and AWS GovCloud (US), which that page leaves out: `cnn1-az1`, `cnn1-az2`,
  `cnn1-az4` (Beijing), `cnnw1-az1..3` (Ningxia), `usgw1-az1..3` and `usge1-az1..3`, as
  `ec2 describe-availability-zones` reports them (the Amazon MemoryDB guide lists the same ids,
  spelling Ningxia's `cnw1-`; the API's spelling is kept).

Middle East (Saudi Arabia), `me-west-1`, and South America (Chile), `sa-west-1`, appear in
botocore but not yet on the Availability Zones page: they are Regions here, with no zones until
AWS publishes them.

An Availability Zone has an *AZ ID* (`use1-az1`), the same physical place in every account, and a
*name* (`us-east-1a`). AWS maps names to ids per account in its oldest Regions ("AZ IDs", same
guide); localiam gives every account the mapping the newer Regions use for all: the zone with id
`...-azN` is named with the N-th letter (`ca-central-1d` is `cac1-az4`, `cn-north-1d` is
`cnn1-az4`).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

#: The partitions localiam knows, in the order their Regions are listed.
PARTITIONS: Final = ("aws", "aws-cn", "aws-us-gov")

# region -> (description, AZ ID prefix, AZ numbers), per partition, as published (see above).
_TABLE: Final[dict[str, dict[str, tuple[str, str, tuple[int, ...]]]]] = {
    "aws": {
        "af-south-1": ("Africa (Cape Town)", "afs1", (1, 2, 3)),
        "ap-east-1": ("Asia Pacific (Hong Kong)", "ape1", (1, 2, 3)),
        "ap-east-2": ("Asia Pacific (Taipei)", "ape2", (1, 2, 3)),
        "ap-northeast-1": ("Asia Pacific (Tokyo)", "apne1", (1, 2, 3, 4)),
        "ap-northeast-2": ("Asia Pacific (Seoul)", "apne2", (1, 2, 3, 4)),
        "ap-northeast-3": ("Asia Pacific (Osaka)", "apne3", (1, 2, 3)),
        "ap-south-1": ("Asia Pacific (Mumbai)", "aps1", (1, 2, 3)),
        "ap-south-2": ("Asia Pacific (Hyderabad)", "aps2", (1, 2, 3)),
        "ap-southeast-1": ("Asia Pacific (Singapore)", "apse1", (1, 2, 3)),
        "ap-southeast-2": ("Asia Pacific (Sydney)", "apse2", (1, 2, 3)),
        "ap-southeast-3": ("Asia Pacific (Jakarta)", "apse3", (1, 2, 3)),
        "ap-southeast-4": ("Asia Pacific (Melbourne)", "apse4", (1, 2, 3)),
        "ap-southeast-5": ("Asia Pacific (Malaysia)", "apse5", (1, 2, 3)),
        "ap-southeast-6": ("Asia Pacific (New Zealand)", "apse6", (1, 2, 3)),
        "ap-southeast-7": ("Asia Pacific (Thailand)", "apse7", (1, 2, 3)),
        "ca-central-1": ("Canada (Central)", "cac1", (1, 2, 4)),
        "ca-west-1": ("Canada West (Calgary)", "caw1", (1, 2, 3)),
        "eu-central-1": ("Europe (Frankfurt)", "euc1", (1, 2, 3)),
        "eu-central-2": ("Europe (Zurich)", "euc2", (1, 2, 3)),
        "eu-north-1": ("Europe (Stockholm)", "eun1", (1, 2, 3)),
        "eu-south-1": ("Europe (Milan)", "eus1", (1, 2, 3)),
        "eu-south-2": ("Europe (Spain)", "eus2", (1, 2, 3)),
        "eu-west-1": ("Europe (Ireland)", "euw1", (1, 2, 3)),
        "eu-west-2": ("Europe (London)", "euw2", (1, 2, 3, 4)),
        "eu-west-3": ("Europe (Paris)", "euw3", (1, 2, 3)),
        "il-central-1": ("Israel (Tel Aviv)", "ilc1", (1, 2, 3)),
        "me-central-1": ("Middle East (UAE)", "mec1", (1, 2, 3)),
        "me-south-1": ("Middle East (Bahrain)", "mes1", (1, 2, 3)),
        "me-west-1": ("Middle East (Saudi Arabia)", "", ()),
        "mx-central-1": ("Mexico (Central)", "mxc1", (1, 2, 3)),
        "sa-east-1": ("South America (Sao Paulo)", "sae1", (1, 2, 3)),
        "sa-west-1": ("South America (Chile)", "", ()),
        "us-east-1": ("US East (N. Virginia)", "use1", (1, 2, 3, 4, 5, 6)),
        "us-east-2": ("US East (Ohio)", "use2", (1, 2, 3)),
        "us-west-1": ("US West (N. California)", "usw1", (1, 2, 3)),
        "us-west-2": ("US West (Oregon)", "usw2", (1, 2, 3, 4)),
    },
    "aws-cn": {
        "cn-north-1": ("China (Beijing)", "cnn1", (1, 2, 4)),
        "cn-northwest-1": ("China (Ningxia)", "cnnw1", (1, 2, 3)),
    },
    "aws-us-gov": {
        "us-gov-east-1": ("AWS GovCloud (US-East)", "usge1", (1, 2, 3)),
        "us-gov-west-1": ("AWS GovCloud (US-West)", "usgw1", (1, 2, 3)),
    },
}

#: Where each partition's global IAM endpoint is, which is the Region IAM requests are made in:
#: `iam.amazonaws.com` is in us-east-1, so "IAM calls are always made to the us-east-1 Region"
#: (IAM User Guide, AWS global condition context keys, aws:RequestedRegion); the China and
#: GovCloud endpoints sign for cn-north-1 and us-gov-west-1 (botocore's endpoint rules).
_GLOBAL_SERVICE_REGIONS: Final = MappingProxyType(
    {
        "aws": {"iam": "us-east-1"},
        "aws-cn": {"iam": "cn-north-1"},
        "aws-us-gov": {"iam": "us-gov-west-1"},
    }
)


@dataclass(frozen=True, slots=True)
class AvailabilityZone:
    """One Availability Zone: `name` like `us-east-1a`, `zone_id` like `use1-az1`."""

    name: str
    zone_id: str
    region: str


@dataclass(frozen=True, slots=True)
class Region:
    """One AWS Region: its code (`eu-west-1`), AWS's description, partition and zones."""

    name: str
    description: str
    partition: str
    zones: tuple[AvailabilityZone, ...]


def _build() -> dict[str, Region]:
    out: dict[str, Region] = {}
    for partition in PARTITIONS:
        for name, (description, prefix, numbers) in _TABLE[partition].items():
            zones = tuple(
                AvailabilityZone(f"{name}{chr(ord('a') + n - 1)}", f"{prefix}-az{n}", name)
                for n in numbers
            )
            out[name] = Region(name, description, partition, zones)
    return out


_REGIONS: Final = MappingProxyType(_build())


def is_region(name: str, partition: str | None = None) -> bool:
    """Whether `name` is a Region code AWS publishes (in `partition`, when given)."""
    found = _REGIONS.get(name)
    return found is not None and (partition is None or found.partition == partition)


def region(name: str) -> Region:
    """The Region named `name`; ValueError for a name that is not a Region."""
    found = _REGIONS.get(name)
    if found is None:
        raise ValueError(f"`{name}` is not an AWS Region")
    return found


def regions(partition: str | None = None) -> tuple[str, ...]:
    """Every Region code (of `partition`, when given), sorted."""
    if partition is not None and partition not in PARTITIONS:
        raise ValueError(f"`{partition}` is not an AWS partition")
    return tuple(sorted(r.name for r in _REGIONS.values() if partition in (None, r.partition)))


def zones(region_name: str) -> tuple[AvailabilityZone, ...]:
    """The Availability Zones of a Region, by AZ number; ValueError for an unknown Region."""
    return region(region_name).zones


def zone(name_or_id: str) -> AvailabilityZone | None:
    """The Availability Zone with this name (`eu-west-1b`) or AZ ID (`euw1-az2`), or None."""
    for r in _REGIONS.values():
        for z in r.zones:
            if name_or_id in (z.name, z.zone_id):
                return z
    return None


def partition_of(region_name: str) -> str | None:
    """The partition (`aws`, `aws-cn`, `aws-us-gov`) of a Region, or None when unknown."""
    found = _REGIONS.get(region_name)
    return None if found is None else found.partition


def requested_region(service: str, signing_region: str) -> str:
    """The Region a request is made in (`aws:RequestedRegion`): the signing Region, except for a
    global service, whose single endpoint sits in one Region of the partition (IAM: us-east-1)."""
    partition = partition_of(signing_region) or "aws"
    return _GLOBAL_SERVICE_REGIONS[partition].get(service, signing_region)


__all__ = [
    "PARTITIONS",
    "AvailabilityZone",
    "Region",
    "is_region",
    "partition_of",
    "region",
    "regions",
    "requested_region",
    "zone",
    "zones",
]
