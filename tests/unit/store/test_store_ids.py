"""localiam.store.IdGenerator: identifiers in AWS's shapes, repeatable from a seeded source."""

from __future__ import annotations

import random
import re

import pytest

from localiam.store import IdGenerator

UNIQUE_ID = re.compile(r"[A-Z]{4}[A-Z2-7]{17}")
ACCESS_KEY_ID = re.compile(r"(AKIA|ASIA)[A-Z2-7]{16}")
SECRET_ACCESS_KEY = re.compile(r"[A-Za-z0-9+/]{40}")
REQUEST_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


@pytest.mark.parametrize("prefix", ["AIDA", "AROA", "ANPA", "AGPA", "AIPA", "ASCA"])
def test_unique_ids_are_the_prefix_and_17_base32_characters(prefix: str) -> None:
    ids = IdGenerator()
    unique_id = ids.new_unique_id(prefix)
    assert UNIQUE_ID.fullmatch(unique_id)
    assert unique_id.startswith(prefix)


def test_access_key_ids_are_20_base32_characters() -> None:
    ids = IdGenerator()
    assert ACCESS_KEY_ID.fullmatch(ids.new_access_key_id())
    assert ids.new_access_key_id().startswith("AKIA")
    assert ids.new_access_key_id("ASIA").startswith("ASIA")


def test_secret_access_keys_are_40_base64_characters() -> None:
    assert SECRET_ACCESS_KEY.fullmatch(IdGenerator().new_secret_access_key())


def test_request_ids_are_version_4_uuids() -> None:
    assert REQUEST_ID.fullmatch(IdGenerator().new_request_id())


def test_a_seeded_source_repeats_its_ids() -> None:
    first, second = IdGenerator(random.Random(42)), IdGenerator(random.Random(42))
    made = [
        (
            g.new_unique_id("AIDA"),
            g.new_access_key_id(),
            g.new_secret_access_key(),
            g.new_request_id(),
        )
        for g in (first, second)
    ]
    assert made[0] == made[1]


def test_ids_do_not_repeat() -> None:
    ids = IdGenerator(random.Random(1))
    assert len({ids.new_unique_id("AIDA") for _ in range(1000)}) == 1000


@pytest.mark.parametrize("prefix", ["", "AKI", "akia", "AKIAX", "AK-A"])
def test_malformed_prefixes_are_refused(prefix: str) -> None:
    with pytest.raises(ValueError, match="prefix"):
        IdGenerator().new_unique_id(prefix)
