"""Issuing temporary credentials: ASIA keys, secrets and session tokens, stored encrypted.

https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp.html
"""

from __future__ import annotations

import base64
import secrets as random_source
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from localiam.protocol import ServiceError
from localiam.store import IdGenerator, Secrets, Session
from localiam.store.models import StsSession

# AWS packs session policies and tags into a binary form with its own limit; this reproduces the
# idea (compressed size against a fixed allowance) so PackedPolicySize moves as AWS's does.
PACKED_ALLOWANCE = 2048


@dataclass(frozen=True, slots=True)
class Issued:
    """Credentials handed to the caller (the secret and token only now, never again)."""

    row: StsSession
    secret: str
    token: str

    def shape(self) -> dict[str, Any]:
        return {
            "AccessKeyId": self.row.access_key_id,
            "SecretAccessKey": self.secret,
            "SessionToken": self.token,
            "Expiration": self.row.expires_at,
        }


def packed_size(policy: str | None, policy_arns: list[str], tags: list[dict[str, Any]]) -> int:
    """Percent of the packed allowance the session policies and tags use; over 100 is refused
    with PackedPolicyTooLarge, in AWS's wording for policies or for tags alone
    (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html)."""
    text = (policy or "") + "".join(policy_arns) + "".join(f"{t['Key']}={t['Value']}" for t in tags)
    if not text:
        return 0
    used = len(zlib.compress(text.encode(), 9))
    percent = (used * 100 + PACKED_ALLOWANCE - 1) // PACKED_ALLOWANCE
    if percent > 100:
        message = (
            f"Packed size of session tags consumes {percent}% of allotted space."
            if policy is None and not policy_arns
            else f"Packed policy consumes {percent}% of allotted space, please use smaller policy."
        )
        raise ServiceError("PackedPolicyTooLarge", message, 400)
    return percent


def issue(
    session: Session,
    *,
    ids: IdGenerator,
    secrets: Secrets,
    account_id: str,
    kind: str,
    principal_arn: str,
    now: datetime,
    duration: int,
    **fields: Any,
) -> Issued:
    """Create and store a session; returns the one-time view of its secret and token."""
    key_id = ids.new_access_key_id("ASIA")
    secret = ids.new_secret_access_key()
    token = "IQoJb3JpZ2luX2Vj" + base64.b64encode(random_source.token_bytes(180)).decode()
    row = StsSession(
        access_key_id=key_id,
        account_id=account_id,
        kind=kind,
        secret_encrypted=secrets.encrypt(secret),
        token_encrypted=secrets.encrypt(token),
        principal_arn=principal_arn,
        issued_at=now,
        expires_at=now + timedelta(seconds=duration),
        **fields,
    )
    session.add(row)
    return Issued(row, secret, token)
