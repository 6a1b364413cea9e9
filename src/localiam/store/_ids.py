"""Identifiers in the shapes AWS gives them: unique ids, access key ids, secret access keys.

See "Unique identifiers" in the IAM User Guide (IAM identifiers): a unique id is a four-letter
prefix naming the kind of resource (`AIDA` user, `AGPA` group, `AROA` role, `AIPA` instance
profile, `ANPA` managed policy, `ASCA` server certificate, `APKA` SSH public key) followed by
base32 characters; access key ids are `AKIA` (long-term) or `ASIA` (temporary) and 16 more.
"""

from __future__ import annotations

import base64
import random
import re
import uuid

#: The base32 alphabet AWS identifiers are written in.
BASE32_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

_PREFIX = re.compile(r"[A-Z0-9]{4}")


class IdGenerator:
    """Makes identifiers from a source of randomness.

    Give a seeded `random.Random` in tests for repeatable ids; the default,
    `random.SystemRandom()`, draws from the operating system's secure source (as `secrets`
    does), which secret access keys need.
    """

    __slots__ = ("_random",)

    def __init__(self, source: random.Random | None = None) -> None:
        self._random = source if source is not None else random.SystemRandom()

    def new_unique_id(self, prefix: str) -> str:
        """`prefix` (four characters, e.g. `AIDA`) and 17 base32 characters: 21 in all."""
        return _checked(prefix) + self._base32(17)

    def new_access_key_id(self, prefix: str = "AKIA") -> str:
        """An access key id: `prefix` (`AKIA`, or `ASIA` for temporary keys) and 16 characters."""
        return _checked(prefix) + self._base32(16)

    def new_secret_access_key(self) -> str:
        """40 characters of the base64 alphabet (`A-Z a-z 0-9 + /`), like AWS secret keys."""
        return base64.b64encode(self._random.randbytes(30)).decode("ascii")

    def new_request_id(self) -> str:
        """A request id: a version-4 UUID, as AWS's `RequestId`."""
        return str(uuid.UUID(int=self._random.getrandbits(128), version=4))

    def _base32(self, length: int) -> str:
        return "".join(self._random.choice(BASE32_ALPHABET) for _ in range(length))


def _checked(prefix: str) -> str:
    if not _PREFIX.fullmatch(prefix):
        raise ValueError(f"id prefix `{prefix}` is not four uppercase letters or digits")
    return prefix
