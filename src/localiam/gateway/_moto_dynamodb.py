"""What DynamoDB authorization reads from moto's state: a table's key schema (whose partition
key dynamodb:LeadingKeys names), its tags (aws:ResourceTag/<key>) and its resource-based policy.

moto creates a backend the first time one is looked up; these readers look with `dict.get`, so
asking about an account or Region that has no table creates nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class TableFacts:
    """What authorization needs to know of an existing table: its partition key, the partition
    key of each secondary index, and its tags."""

    partition_key: str
    index_partition_keys: Mapping[str, str] = field(default_factory=dict)
    tags: Mapping[str, str] = field(default_factory=dict)


def _backend(account: str, region: str) -> Any:
    from moto.dynamodb.models import dynamodb_backends

    accounts: Any = dict.get(dynamodb_backends, account)
    return None if accounts is None else dict.get(accounts, region)


def _partition_key(schema: list[dict[str, str]]) -> str:
    return next((k["AttributeName"] for k in schema if k.get("KeyType") == "HASH"), "")


class MotoTables:
    """DynamoDB tables as moto holds them, per account and Region."""

    def table(self, account: str, region: str, name: str) -> TableFacts | None:
        """The table `name` of `account` in `region`, None when there is none."""
        backend = _backend(account, region)
        found = None if backend is None else backend.tables.get(name)
        if found is None:
            return None
        indexes = {
            str(index.name): _partition_key(index.schema)
            for index in [*found.indexes, *found.global_indexes]
        }
        tags = {str(t["Key"]): str(t["Value"]) for t in found.tags or []}
        return TableFacts(str(found.hash_key_attr), indexes, tags)

    def implements(self, operation: str, streams: bool) -> bool:
        """Whether moto serves `operation` of DynamoDB (or DynamoDB Streams); it raises
        NotImplementedError for the others."""
        from botocore import xform_name
        from moto.dynamodb.responses import DynamoHandler
        from moto.dynamodbstreams.responses import DynamoDBStreamsHandler

        handler: Any = DynamoDBStreamsHandler if streams else DynamoHandler
        return callable(getattr(handler, xform_name(operation), None))

    def policy(self, account: str, region: str, arn: str) -> str | None:
        """The resource-based policy of the table or stream `arn`, None when it has none."""
        backend = _backend(account, region)
        found = None if backend is None else backend.resource_policies.get(arn)
        return None if found is None else str(found.policy_doc)
