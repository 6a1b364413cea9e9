"""What authorization reads from moto's state: who owns a bucket, a bucket's policy, an
object's tags. moto has no API for these across accounts, so they are read from its backends
(the only module that reaches into moto's internals)."""

from __future__ import annotations

from typing import Any


def _s3_backends() -> Any:
    from moto.s3.models import s3_backends

    return s3_backends


def s3_owner(bucket: str) -> str | None:
    """The account owning `bucket`, or None when no account has it."""
    entry = _s3_backends().bucket_accounts.get(bucket)
    return None if entry is None else str(entry[1])


def _bucket(bucket: str) -> Any:
    owner = s3_owner(bucket)
    if owner is None:
        return None
    backend = _s3_backends()[owner]["aws"]
    return backend.buckets.get(bucket)


def s3_bucket_policy(bucket: str) -> str | None:
    found = _bucket(bucket)
    if found is None or found.policy is None:
        return None
    policy = found.policy
    return policy.decode("utf-8") if isinstance(policy, bytes) else str(policy)


def s3_object_tags(account: str, bucket: str, key: str, version: str | None) -> dict[str, str]:
    found = _bucket(bucket)
    if found is None:
        return {}
    try:
        item = found.keys.getlist(key)
    except Exception:
        return {}
    if not item:
        return {}
    obj = item[-1]
    if version is not None:
        obj = next((o for o in item if str(getattr(o, "version_id", "")) == version), obj)
    backend = _s3_backends()[account]["aws"]
    tags = backend.tagger.list_tags_for_resource(obj.arn).get("Tags", [])
    return {str(t["Key"]): str(t["Value"]) for t in tags}
