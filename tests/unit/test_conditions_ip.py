"""localiam.policy.conditions._ip: IpAddress and NotIpAddress against the ipaddress module."""

from __future__ import annotations

import ipaddress
from typing import Any, Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from localiam.policy import PolicyKind, parse_policy
from localiam.policy.conditions import ConditionClause
from localiam.policy.conditions._ip import parse_network

BOUNDED = settings(max_examples=200, deadline=None)
KEY = "aws:sourceip"

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def clause(op: str, values: Any) -> ConditionClause:
    d = parse_policy(
        {
            "Version": "2012-10-17",
            "Statement": {
                "Effect": "Allow",
                "Action": "s3:*",
                "Resource": "*",
                "Condition": {op: {"aws:SourceIp": values}},
            },
        },
        PolicyKind.IDENTITY,
    )
    return d.statements[0].conditions[0]


@st.composite
def network_text(draw: st.DrawFn, version: Literal[4, 6]) -> str:
    """A CIDR block as a policy writes it (host bits may be set), or a bare address."""
    address = draw(st.ip_addresses(v=version))
    if draw(st.booleans()):
        return str(address)
    bits = 32 if version == 4 else 128
    return f"{address}/{draw(st.integers(min_value=0, max_value=bits))}"


def near(network: str, version: Literal[4, 6]) -> st.SearchStrategy[Address]:
    """Addresses inside or just outside the network, often enough to exercise both."""
    net = ipaddress.ip_network(network, strict=False)
    first, last = int(net.network_address), int(net.broadcast_address)
    top = 2**32 - 1 if version == 4 else 2**128 - 1
    ints = st.one_of(
        st.integers(min_value=first, max_value=last),
        st.sampled_from([max(first - 1, 0), min(last + 1, top)]),
    )
    factory = ipaddress.IPv4Address if version == 4 else ipaddress.IPv6Address
    return st.one_of(ints.map(factory), st.ip_addresses(v=version))


@BOUNDED
@given(version=st.sampled_from([4, 6]), data=st.data())
def test_agrees_with_ipaddress(version: Literal[4, 6], data: st.DataObject) -> None:
    network = data.draw(network_text(version))
    address = data.draw(near(network, version))
    expected = address in ipaddress.ip_network(network, strict=False)
    assert clause("IpAddress", network).evaluate({KEY: str(address)}) == expected
    assert clause("NotIpAddress", network).evaluate({KEY: str(address)}) == (not expected)


@BOUNDED
@given(address=st.ip_addresses())
def test_bare_address_is_a_single_host(address: Address) -> None:
    bits = 32 if address.version == 4 else 128
    assert parse_network(str(address)) == ipaddress.ip_network(f"{address}/{bits}")
    assert clause("IpAddress", str(address)).evaluate({KEY: str(address)})
    neighbour = address + 1 if int(address) < 2**bits - 1 else address - 1
    assert not clause("IpAddress", str(address)).evaluate({KEY: str(neighbour)})


@BOUNDED
@given(v4=network_text(4), v6=network_text(6), a4=st.ip_addresses(v=4), a6=st.ip_addresses(v=6))
def test_families_never_match_each_other(
    v4: str, v6: str, a4: ipaddress.IPv4Address, a6: ipaddress.IPv6Address
) -> None:
    assert not clause("IpAddress", v4).evaluate({KEY: str(a6)})
    assert not clause("IpAddress", v6).evaluate({KEY: str(a4)})
    mapped = ipaddress.IPv6Address(f"::ffff:{a4}")
    assert not clause("IpAddress", v4).evaluate({KEY: str(mapped)})


def test_whole_spaces_do_not_cross_families() -> None:
    assert clause("IpAddress", "0.0.0.0/0").evaluate({KEY: "203.0.113.7"})
    assert not clause("IpAddress", "0.0.0.0/0").evaluate({KEY: "2001:db8::1"})
    assert clause("IpAddress", "::/0").evaluate({KEY: "2001:db8::1"})
    assert not clause("IpAddress", "::/0").evaluate({KEY: "203.0.113.7"})


def test_any_of_several_blocks() -> None:
    c = clause("IpAddress", ["203.0.113.0/24", "2001:db8::/32"])
    assert c.evaluate({KEY: "203.0.113.200"})
    assert c.evaluate({KEY: "2001:db8:1::5"})
    assert not c.evaluate({KEY: "198.51.100.1"})


@pytest.mark.parametrize(
    "value", ["", "not-an-ip", "203.0.113", "203.0.113.7/32", "300.0.0.1", "203.0.113.07"]
)
def test_bad_request_values_never_match(value: str) -> None:
    assert not clause("IpAddress", "0.0.0.0/0").evaluate({KEY: value})


@pytest.mark.parametrize("block", ["203.0.113.0/33", "bogus", "2001:db8::/129", ""])
def test_bad_policy_blocks_never_match(block: str) -> None:
    assert parse_network(block) is None
    assert not clause("IpAddress", block).evaluate({KEY: "203.0.113.7"})
