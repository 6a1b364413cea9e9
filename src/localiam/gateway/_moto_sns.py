"""What SNS authorization reads from moto's state: a topic's access policy and its tags.

A topic lives in the backend of the account and Region its ARN names. The backends are read
with plain dictionary lookups, so that asking about an account or Region moto has never served
creates nothing.
"""

from __future__ import annotations

from typing import Any


def _topic(arn: str) -> Any:
    from moto.sns.models import sns_backends

    parts = arn.split(":")
    if len(parts) < 6:
        return None
    region, account = parts[3], parts[4]
    per_account = dict.get(sns_backends, account)
    backend = None if per_account is None else dict.get(per_account, region)
    return None if backend is None else backend.topics.get(arn)


class MotoTopics:
    """Topics as moto keeps them (see `_sns.TopicState`)."""

    def policy(self, topic_arn: str) -> str | None:
        """The topic's access policy (moto gives every topic AWS's default one), None when no
        such topic exists."""
        topic = _topic(topic_arn)
        return None if topic is None else str(topic.policy)

    def tags(self, topic_arn: str) -> dict[str, str]:
        topic = _topic(topic_arn)
        if topic is None:
            return {}
        return {str(k): str(v) for k, v in (topic._tags or {}).items()}
