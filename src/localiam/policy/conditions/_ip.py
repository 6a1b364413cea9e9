"""IpAddress and NotIpAddress: IPv4 and IPv6 CIDR blocks; a bare address is a /32 or /128."""

from __future__ import annotations

import ipaddress
from typing import Any

from localiam.policy._wildcard import Segment
from localiam.policy.conditions._base import Family

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_network(text: str) -> Network | None:
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None


def _compile(pieces: tuple[Segment, ...]) -> Network | None:
    return parse_network("".join(text for text, _ in pieces))


def _test(value: str, compiled: Any) -> bool:
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return False
    return address.version == compiled.version and address in compiled


IP_ADDRESS = Family("IpAddress", _compile, _test)
