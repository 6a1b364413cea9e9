"""What KMS authorization reads from moto's state: a key's key policy (its resource-based
policy), tags, aliases and properties (spec, usage, origin, Region type), the key an alias
names, the key a ciphertext was made with, and the key a grant token belongs to.

moto creates a backend the first time one is looked up (and makes an AWS managed key the first
time one of its reserved `alias/aws/...` names is resolved): these readers look with `dict.get`
and read the keys' own attributes, so asking creates nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

#: moto's ciphertext starts with the 36 characters of the key id (`moto.kms.utils`'s
#: CIPHERTEXT_HEADER_FORMAT; not what AWS KMS writes, whose format is not public).
_CIPHERTEXT_KEY_ID_LENGTH: Final = 36
_KEY_ID: Final = re.compile(
    r"(?:mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})", re.I
)


@dataclass(frozen=True, slots=True)
class KeyFacts:
    """An existing KMS key as authorization sees it."""

    arn: str
    key_id: str
    account: str
    region: str
    policy: str | None
    key_spec: str
    key_usage: str
    origin: str
    multi_region: bool
    #: PRIMARY or REPLICA for a multi-Region key, None for a single-Region one.
    multi_region_type: str | None
    tags: Mapping[str, str] = field(default_factory=dict)
    #: The names (`alias/...`) of the aliases that name this key.
    aliases: tuple[str, ...] = ()


def _backend(account: str, region: str) -> Any:
    from moto.kms.models import kms_backends  # moto is heavy: import it on first use

    regions: Any = dict.get(kms_backends, account)
    return None if regions is None else dict.get(regions, region)


def _backends(region: str) -> Iterator[tuple[str, Any]]:
    from moto.kms.models import kms_backends

    for account, regions in list(dict.items(kms_backends)):
        backend = dict.get(regions, region)
        if backend is not None:
            yield str(account), backend


def _facts(backend: Any, key: Any) -> KeyFacts:
    tags = backend.tagger.get_tag_dict_for_resource(key.id)
    kind = None
    if key.multi_region:
        primary = key.multi_region_configuration["PrimaryKey"]["Arn"]
        kind = "PRIMARY" if key.arn == primary else "REPLICA"
    return KeyFacts(
        arn=str(key.arn),
        key_id=str(key.id),
        account=str(key.account_id),
        region=str(key.region),
        policy=str(key.policy) if key.policy else None,
        key_spec=str(key.key_spec),
        key_usage=str(key.key_usage),
        origin=str(key.origin),
        multi_region=bool(key.multi_region),
        multi_region_type=kind,
        tags={str(k): str(v) for k, v in tags.items()},
        aliases=tuple(sorted(str(name) for name in key.aliases)),
    )


class MotoKeys:
    """KMS keys as moto holds them, per account and Region."""

    def key(self, account: str, region: str, key_id: str) -> KeyFacts | None:
        """The key `key_id` of `account` in `region`, None when there is none."""
        backend = _backend(account, region)
        key = None if backend is None else backend.keys.get(key_id)
        return None if key is None else _facts(backend, key)

    def alias_target(self, account: str, region: str, alias: str) -> str | None:
        """The id of the key alias `alias` (`alias/<name>`) names, None when there is no such
        alias."""
        backend = _backend(account, region)
        if backend is None:
            return None
        return next((str(k.id) for k in backend.keys.values() if alias in k.aliases), None)

    def ciphertext_key(self, region: str, ciphertext: bytes, prefer: str) -> tuple[str, str] | None:
        """The account and id of the key of `region` that made `ciphertext` (looked up in
        `prefer`'s account first), None when no key of that id exists there; raises ValueError
        when `ciphertext` is no ciphertext of the backend's."""
        head = ciphertext[:_CIPHERTEXT_KEY_ID_LENGTH]
        try:
            key_id = head.decode("ascii")
        except UnicodeDecodeError:
            raise ValueError("not a ciphertext") from None
        if not _KEY_ID.fullmatch(key_id):
            raise ValueError("not a ciphertext")
        owned = _backend(prefer, region)
        if owned is not None and key_id in owned.keys:
            return prefer, key_id
        for account, backend in _backends(region):
            if key_id in backend.keys:
                return account, key_id
        return None

    def grant_key(self, region: str, grant_token: str, prefer: str) -> tuple[str, str] | None:
        """The account and id of the key of `region` holding the grant whose token is
        `grant_token` (looked up in `prefer`'s account first), None when there is none."""
        owned = _backend(prefer, region)
        backends = [] if owned is None else [(prefer, owned)]
        for account, backend in [*backends, *_backends(region)]:
            for key in backend.keys.values():
                if any(grant.token == grant_token for grant in key.grants.values()):
                    return account, str(key.id)
        return None
