"""Global condition keys every request carries, whatever the service.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True, slots=True)
class RequestFacts:
    """What the transport knows about a request."""

    now: datetime
    source_ip: str
    secure_transport: bool
    region: str
    user_agent: str | None = None


def global_context(
    facts: RequestFacts, principal_tags: Mapping[str, str] | None = None
) -> dict[str, object]:
    """aws:CurrentTime, aws:EpochTime, aws:SourceIp, aws:SecureTransport, aws:RequestedRegion,
    aws:UserAgent and aws:PrincipalTag/<key> for the caller's tags."""
    now = facts.now.astimezone(UTC)
    context: dict[str, object] = {
        "aws:CurrentTime": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "aws:EpochTime": str(int(now.timestamp())),
        "aws:SourceIp": facts.source_ip,
        "aws:SecureTransport": facts.secure_transport,
        "aws:RequestedRegion": facts.region,
    }
    if facts.user_agent:
        context["aws:UserAgent"] = facts.user_agent
    for key, value in (principal_tags or {}).items():
        context[f"aws:PrincipalTag/{key}"] = value
    return context


def tag_context(tags: list[Mapping[str, str]] | None) -> dict[str, object]:
    """aws:RequestTag/<key> and aws:TagKeys for the tags a request carries."""
    if not tags:
        return {}
    context: dict[str, object] = {f"aws:RequestTag/{t['Key']}": t["Value"] for t in tags}
    context["aws:TagKeys"] = [t["Key"] for t in tags]
    return context
