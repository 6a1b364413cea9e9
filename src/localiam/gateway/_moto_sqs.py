"""What SQS authorization reads from moto's state: a queue's tags and its policy (the queue's
`Policy` attribute, its resource-based policy). moto has no API for these across accounts, so
they are read from its backends, looked up without creating any (`dict.get`: moto's own
`[]` makes an empty backend for every account and Region it is asked about)."""

from __future__ import annotations

from typing import Any


def _queue(account: str, region: str, name: str) -> Any:
    from moto.sqs.models import sqs_backends  # moto is heavy: import it on first use

    regions = dict.get(sqs_backends, account)
    backend = None if regions is None else dict.get(regions, region)
    return None if backend is None else backend.queues.get(name)


def queue_tags(account: str, region: str, name: str) -> dict[str, str]:
    """The tags of queue `name` of `account` in `region`; none when there is no such queue."""
    queue = _queue(account, region, name)
    if queue is None:
        return {}
    return {str(k): str(v) for k, v in (queue.tags or {}).items()}


def queue_policy(account: str, region: str, name: str) -> str | None:
    """The text of the queue's `Policy` attribute, None when it has none (moto keeps a policy
    without statements, which is no policy)."""
    queue = _queue(account, region, name)
    if queue is None:
        return None
    policy = queue.policy
    return None if not policy else str(policy)
