"""Request rate limits: token buckets per account, and per account and operation. Off unless
`localiam serve --throttle RATE[/BURST]` or `--throttle-config FILE.json` turns them on.

AWS throttles API requests per account and per operation (IAM User Guide, "IAM and AWS STS
quotas"; the quotas themselves are not published, which is why localiam takes them as settings).
A refused request gets the query protocol's `Throttling` error, HTTP 400, "Rate exceeded", which
every retry mode of the AWS SDKs (legacy, standard, adaptive) treats as a throttling error: it
backs off and tries again.

A bucket holds up to `burst` tokens and gains `rate` tokens a second; a request takes one token
from each bucket that applies to it, and is refused, taking none, when any of them is empty. The
clock is the caller's: every method takes `now`, in seconds.

The settings file:

```json
{"default": {"rate": 100, "burst": 200},
 "operations": {"iam:CreateUser": {"rate": 2, "burst": 2}},
 "account": {"rate": 500, "burst": 1000}}
```

`default` limits each account's calls of each operation; `operations` replaces it for the
operations named (`service:Operation`, as the audit log writes them); `account` limits all of an
account's calls together. Every key is optional.
"""

from __future__ import annotations

import json
import math
import re
import threading
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from localiam.protocol import ServiceError, load_service_model

_OPERATION = re.compile(r"^[a-z0-9-]+:[A-Za-z0-9]+$")
_KEYS = frozenset({"default", "operations", "account"})


class ThrottleConfigError(ValueError):
    """Throttle settings that cannot be used; the message says where and why."""


@dataclass(frozen=True, slots=True)
class Limit:
    """A token bucket's shape: `rate` tokens a second, up to `burst` tokens held."""

    rate: float
    burst: int

    def __post_init__(self) -> None:
        if not (math.isfinite(self.rate) and self.rate > 0):
            raise ThrottleConfigError(f"rate `{self.rate:g}` must be a number above 0")
        if self.burst < 1:
            raise ThrottleConfigError(f"burst `{self.burst}` must be a whole number of at least 1")

    @classmethod
    def parse(cls, text: str) -> Limit:
        """`RATE` or `RATE/BURST` (`5/10`: 5 requests a second, bursts of 10); without a burst,
        one second's worth of tokens (at least 1)."""
        rate_text, slash, burst_text = text.strip().partition("/")
        try:
            rate = float(rate_text)
        except ValueError:
            raise ThrottleConfigError(
                f"`{text}` is not RATE[/BURST] (for example 5/10): rate `{rate_text}` is not a "
                "number"
            ) from None
        if not slash:
            return cls(rate, max(1, math.ceil(rate)) if math.isfinite(rate) else 1)
        try:
            burst = int(burst_text)
        except ValueError:
            raise ThrottleConfigError(
                f"`{text}` is not RATE[/BURST] (for example 5/10): burst `{burst_text}` is not "
                "a whole number"
            ) from None
        return cls(rate, burst)

    @classmethod
    def from_json(cls, raw: Any, where: str) -> Limit:
        if not isinstance(raw, dict) or set(raw) - {"rate", "burst"} or "rate" not in raw:
            raise ThrottleConfigError(
                f'{where}: expected {{"rate": NUMBER, "burst": WHOLE NUMBER}}, got '
                f"`{json.dumps(raw)}`"
            )
        rate, burst = raw["rate"], raw.get("burst")
        if isinstance(rate, bool) or not isinstance(rate, int | float):
            raise ThrottleConfigError(f"{where}.rate: `{json.dumps(rate)}` is not a number")
        if burst is None:
            burst = max(1, math.ceil(rate)) if math.isfinite(rate) else 1
        if isinstance(burst, bool) or not isinstance(burst, int):
            raise ThrottleConfigError(f"{where}.burst: `{json.dumps(burst)}` is not a whole number")
        try:
            return cls(float(rate), burst)
        except ThrottleConfigError as exc:
            raise ThrottleConfigError(f"{where}: {exc}") from None


@dataclass(frozen=True, slots=True)
class ThrottleConfig:
    """Which buckets exist: `default` per account and operation, `operations` per account for the
    operations named (instead of `default`), `account` per account for all operations."""

    default: Limit | None = None
    operations: Mapping[str, Limit] = field(default_factory=lambda: MappingProxyType({}))
    account: Limit | None = None

    @classmethod
    def from_option(cls, text: str) -> ThrottleConfig:
        """`--throttle RATE[/BURST]`: the same limit for every account and operation."""
        return cls(default=Limit.parse(text))

    @classmethod
    def from_json(cls, raw: Any, known_operations: Collection[str] = ()) -> ThrottleConfig:
        """The settings file's object; with `known_operations`, the names under `operations`
        must be among them (a misspelt name would otherwise never throttle anything)."""
        if not isinstance(raw, dict):
            raise ThrottleConfigError("expected a JSON object with default, operations, account")
        unknown = sorted(set(raw) - _KEYS)
        if unknown:
            raise ThrottleConfigError(
                f"unknown key `{unknown[0]}` (expected default, operations, account)"
            )
        default = None if raw.get("default") is None else Limit.from_json(raw["default"], "default")
        account = None if raw.get("account") is None else Limit.from_json(raw["account"], "account")
        ops_raw = {} if raw.get("operations") is None else raw["operations"]
        if not isinstance(ops_raw, dict):
            raise ThrottleConfigError('operations: expected {"service:Operation": {...}}')
        operations: dict[str, Limit] = {}
        for name, limit in ops_raw.items():
            if not _OPERATION.match(name):
                raise ThrottleConfigError(
                    f"operations: `{name}` is not service:Operation (for example iam:CreateUser)"
                )
            if known_operations and name not in known_operations:
                raise ThrottleConfigError(
                    f"operations: `{name}` is not an operation localiam serves"
                )
            operations[name] = Limit.from_json(limit, f"operations.{name}")
        return cls(default, MappingProxyType(operations), account)

    @classmethod
    def load(cls, path: Path, known_operations: Collection[str] = ()) -> ThrottleConfig:
        """`--throttle-config FILE.json`."""
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ThrottleConfigError(f"{path}: cannot read: {exc.strerror}") from None
        except ValueError as exc:
            raise ThrottleConfigError(f"{path}: not valid JSON: {exc}") from None
        try:
            return cls.from_json(raw, known_operations)
        except ThrottleConfigError as exc:
            raise ThrottleConfigError(f"{path}: {exc}") from None

    @property
    def enabled(self) -> bool:
        return self.default is not None or bool(self.operations) or self.account is not None


@dataclass(slots=True)
class TokenBucket:
    """A mutable bucket: `tokens` as of `updated` (seconds, on the caller's clock)."""

    limit: Limit
    tokens: float
    updated: float

    @classmethod
    def full(cls, limit: Limit, now: float) -> TokenBucket:
        return cls(limit, float(limit.burst), now)

    def level(self, now: float) -> float:
        """The tokens held at `now` (a clock that went backwards adds none)."""
        elapsed = max(0.0, now - self.updated)
        return min(float(self.limit.burst), self.tokens + elapsed * self.limit.rate)

    def take(self, now: float) -> None:
        self.tokens = self.level(now) - 1.0
        self.updated = max(self.updated, now)


def served_operations(services: Collection[str] = ("iam", "sts")) -> frozenset[str]:
    """`service:Operation` for every operation of the services localiam serves (their botocore
    models), which is what `operations` in the settings file may name."""
    return frozenset(
        f"{service}:{name}"
        for service in services
        for name in load_service_model(service).operation_names
    )


def throttling_error() -> ServiceError:
    """What AWS's query APIs answer a throttled request (Sender, HTTP 400)."""
    return ServiceError("Throttling", "Rate exceeded", 400)


class Throttle:
    """The buckets of a running server, created on first use, full."""

    def __init__(self, config: ThrottleConfig) -> None:
        self.config = config
        self._buckets: dict[tuple[str, str], TokenBucket] = {}
        self._lock = threading.Lock()

    def admit(self, account_id: str, operation: str, now: float) -> bool:
        """Take a token from each bucket that applies to this call, or none when any is empty."""
        with self._lock:
            buckets = self._buckets_for(account_id, operation, now)
            if any(bucket.level(now) < 1.0 for bucket in buckets):
                return False
            for bucket in buckets:
                bucket.take(now)
            return True

    def refill(self) -> None:
        """Every bucket full again (POST /_localiam/reset: a fresh state for the next test)."""
        with self._lock:
            self._buckets.clear()

    def check(self, account_id: str, operation: str, now: float) -> None:
        """`admit`, raising AWS's `Throttling` error when the call is refused."""
        if not self.admit(account_id, operation, now):
            raise throttling_error()

    def _buckets_for(self, account_id: str, operation: str, now: float) -> list[TokenBucket]:
        wanted: list[tuple[tuple[str, str], Limit]] = []
        per_operation = self.config.operations.get(operation, self.config.default)
        if per_operation is not None:
            wanted.append(((account_id, operation), per_operation))
        if self.config.account is not None:
            wanted.append(((account_id, "*"), self.config.account))
        out = []
        for key, limit in wanted:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = TokenBucket.full(limit, now)
            out.append(bucket)
        return out


__all__ = [
    "Limit",
    "Throttle",
    "ThrottleConfig",
    "ThrottleConfigError",
    "TokenBucket",
    "served_operations",
    "throttling_error",
]
