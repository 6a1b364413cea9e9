"""localiam.regions: the published Regions and Availability Zones, and the Region a request is
made in."""

from __future__ import annotations

import json
import re
from pathlib import Path

import botocore
import pytest

from localiam.regions import (
    PARTITIONS,
    AvailabilityZone,
    is_region,
    partition_of,
    region,
    regions,
    requested_region,
    zone,
    zones,
)


def test_is_region() -> None:
    assert is_region("us-east-1")
    assert is_region("eu-west-1", "aws")
    assert is_region("cn-north-1", "aws-cn")
    assert is_region("us-gov-west-1", "aws-us-gov")
    assert not is_region("cn-north-1", "aws")
    assert not is_region("us-east-7")
    assert not is_region("aws-global")  # botocore's pseudo-Region, never signed for
    assert not is_region("US-EAST-1")
    assert not is_region("")


def test_zones_of_us_east_1_are_a_to_f() -> None:
    assert [(z.name, z.zone_id) for z in zones("us-east-1")] == [
        ("us-east-1a", "use1-az1"),
        ("us-east-1b", "use1-az2"),
        ("us-east-1c", "use1-az3"),
        ("us-east-1d", "use1-az4"),
        ("us-east-1e", "use1-az5"),
        ("us-east-1f", "use1-az6"),
    ]


@pytest.mark.parametrize(
    ("region_name", "ids"),
    [
        ("eu-west-1", ["euw1-az1", "euw1-az2", "euw1-az3"]),
        ("ca-central-1", ["cac1-az1", "cac1-az2", "cac1-az4"]),
        ("ap-northeast-1", ["apne1-az1", "apne1-az2", "apne1-az3", "apne1-az4"]),
        ("cn-north-1", ["cnn1-az1", "cnn1-az2", "cnn1-az4"]),
        ("cn-northwest-1", ["cnnw1-az1", "cnnw1-az2", "cnnw1-az3"]),
        ("us-gov-west-1", ["usgw1-az1", "usgw1-az2", "usgw1-az3"]),
    ],
)
def test_zone_ids_as_published(region_name: str, ids: list[str]) -> None:
    assert [z.zone_id for z in zones(region_name)] == ids


def test_a_zone_is_named_by_its_az_number() -> None:
    assert zone("ca-central-1d") == AvailabilityZone("ca-central-1d", "cac1-az4", "ca-central-1")
    assert zone("cac1-az4") == zone("ca-central-1d")
    assert zone("ca-central-1c") is None  # cac1-az3 is not published
    assert zone("nowhere-1a") is None


def test_every_zone_belongs_to_its_region() -> None:
    for name in regions():
        for z in zones(name):
            assert z.region == name
            assert re.fullmatch(re.escape(name) + "[a-f]", z.name)
            assert re.fullmatch(r"[a-z]+\d-az\d", z.zone_id)
        assert len({z.zone_id for z in zones(name)}) == len(zones(name))


def test_regions_not_yet_on_the_zones_page_have_no_zones() -> None:
    assert zones("me-west-1") == ()
    assert zones("sa-west-1") == ()
    assert all(
        len(zones(name)) >= 3 for name in regions() if name not in {"me-west-1", "sa-west-1"}
    )


def test_unknown_region() -> None:
    with pytest.raises(ValueError, match="`mars-north-1` is not an AWS Region"):
        zones("mars-north-1")
    with pytest.raises(ValueError, match="`aws-mars` is not an AWS partition"):
        regions("aws-mars")


def test_regions_by_partition() -> None:
    assert regions("aws-cn") == ("cn-north-1", "cn-northwest-1")
    assert regions("aws-us-gov") == ("us-gov-east-1", "us-gov-west-1")
    assert set(regions()) == {r for p in PARTITIONS for r in regions(p)}
    assert partition_of("eu-central-2") == "aws"
    assert partition_of("nowhere") is None
    assert region("eu-west-1").description == "Europe (Ireland)"


def test_every_region_is_one_botocore_resolves() -> None:
    """The table is botocore's partitions.json (no Region is ever withdrawn from it)."""
    path = Path(botocore.__file__).parent / "data" / "partitions.json"
    data = json.loads(path.read_text())
    published = {
        p["id"]: {r for r in p["regions"] if not r.endswith("-global")} for p in data["partitions"]
    }
    for partition in PARTITIONS:
        assert set(regions(partition)) <= published[partition], partition


def test_iam_requests_are_made_in_the_global_endpoints_region() -> None:
    """IAM User Guide, aws:RequestedRegion: IAM calls are always made to us-east-1."""
    assert requested_region("iam", "eu-west-1") == "us-east-1"
    assert requested_region("iam", "us-east-1") == "us-east-1"
    assert requested_region("iam", "cn-northwest-1") == "cn-north-1"
    assert requested_region("iam", "us-gov-east-1") == "us-gov-west-1"
    assert requested_region("sts", "eu-west-1") == "eu-west-1"
