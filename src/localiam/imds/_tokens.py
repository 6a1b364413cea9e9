"""IMDSv2 session tokens: `PUT /latest/api/token` with `X-aws-ec2-metadata-token-ttl-seconds`
(1 to 21,600) returns a token, valid for that instance until it expires
(https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-service.html).
Tokens live in the server's memory, as they live in an instance's: a restart forgets them."""

from __future__ import annotations

import secrets as random_source
from datetime import datetime, timedelta

MAX_TTL = 21600


class TokenStore:
    """Issued tokens, per instance, bounded."""

    _LIMIT = 100_000

    def __init__(self) -> None:
        self._tokens: dict[str, tuple[str, datetime]] = {}

    def issue(self, instance_id: str, ttl: int, now: datetime) -> str:
        if len(self._tokens) >= self._LIMIT:
            self._tokens = {t: v for t, v in self._tokens.items() if v[1] > now}
        token = random_source.token_urlsafe(42)
        self._tokens[token] = (instance_id, now + timedelta(seconds=ttl))
        return token

    def valid(self, token: str, instance_id: str, now: datetime) -> bool:
        found = self._tokens.get(token)
        return found is not None and found[0] == instance_id and now < found[1]

    def remaining(self, token: str, now: datetime) -> int:
        found = self._tokens.get(token)
        return 0 if found is None else max(0, int((found[1] - now).total_seconds()))

    def clear(self) -> None:
        self._tokens.clear()
