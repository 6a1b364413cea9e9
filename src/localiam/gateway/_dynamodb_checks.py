"""The authorization questions of each DynamoDB and DynamoDB Streams operation.

- Actions: `dynamodb:<Operation>` as the Service Authorization Reference names them
  (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html).
  The exceptions, each with its page: TransactGetItems and TransactWriteItems are authorized
  item by item with GetItem, PutItem, UpdateItem, DeleteItem and ConditionCheckItem
  (transaction-apis-iam.html); ExecuteStatement, BatchExecuteStatement and ExecuteTransaction
  statement by statement with PartiQLSelect/Insert/Update/Delete (ql-iam.html); a restore needs
  the write actions on its target table (backuprestore_IAM.html); UpdateTable's replica updates
  need CreateTableReplica / DeleteTableReplica and the table actions in the replica's Region
  (V2gt_IAM.html); CreateTable with a ResourcePolicy also needs PutResourcePolicy (API
  Reference, CreateTable).
- Resources: `arn:aws:dynamodb:<region>:<account>:table/<name>`, `.../index/<index>` for a
  Query, Scan or statement on an index, the stream, backup, export and import ARNs, and
  `arn:aws:dynamodb::<account>:global-table/<name>`; `*` for actions without a resource type,
  except ListTables, which DynamoDB authorizes on `table/*` of the Region (its denials say so).
- Condition keys: dynamodb:Attributes, LeadingKeys, Select, ReturnValues,
  ReturnConsumedCapacity, EnclosingOperation, FullTableScan (specifying-conditions.html),
  aws:RequestTag/aws:TagKeys of CreateTable/TagResource/UntagResource and aws:ResourceTag of
  the table.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from localiam.gateway._dynamodb_expressions import (
    attribute_text,
    has_projection,
    key_condition_values,
    legacy_key_condition_values,
    request_attributes,
)
from localiam.gateway._dynamodb_partiql import PartiQLShapeError, Statement, parse_statement
from localiam.gateway._model import Check, Unmappable
from localiam.gateway._moto_dynamodb import TableFacts
from localiam.protocol import ServiceError
from localiam.services._context import tag_context

_ARN = re.compile(r"^arn:aws:dynamodb:(?P<region>[^:]*):(?P<account>[0-9]{12}):(?P<rest>.+)$")

#: DynamoDB write permissions are necessary for restore functionality (backuprestore_IAM.html).
RESTORE_WRITES = (
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "GetItem",
    "Query",
    "Scan",
    "BatchWriteItem",
)
#: What adding a replica needs in the replica's Region (V2gt_IAM.html).
REPLICA_CREATE = ("CreateTable", "CreateTableReplica", *RESTORE_WRITES)
REPLICA_DELETE = ("DeleteTable", "DeleteTableReplica")
TRANSACT_WRITE = {
    "ConditionCheck": "ConditionCheckItem",
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
}


class TableState(Protocol):
    """Where the adapter reads tables (moto's backends in the server, a fake in tests)."""

    def table(self, account: str, region: str, name: str) -> TableFacts | None: ...

    def policy(self, account: str, region: str, arn: str) -> str | None: ...

    def implements(self, operation: str, streams: bool) -> bool: ...


@dataclass(frozen=True, slots=True)
class Target:
    """A resource a request names: the ARN authorized, its account and Region, the table it
    belongs to (None for a global table), the ARN whose resource policy applies, and whether
    the table's tags are its aws:ResourceTag (tables, indexes and streams: the resource types
    the Service Authorization Reference gives that key)."""

    arn: str
    account: str
    region: str
    table: str | None
    policy: str | None
    tagged: bool = True


def parse_arn(arn: str) -> Target:
    """A DynamoDB ARN: a table, one of its indexes, streams, backups, exports or imports, or
    a global table."""
    match = _ARN.match(arn)
    if match is None:
        raise ServiceError("ValidationException", f"Invalid ARN: {arn}")
    region, account, rest = match["region"], match["account"], match["rest"]
    if rest.startswith("global-table/") and not region:
        return Target(arn, account, region, None, None, tagged=False)
    parts = rest.split("/")
    if parts[0] != "table" or len(parts) not in (2, 4) or not parts[1] or not region:
        raise ServiceError("ValidationException", f"Invalid ARN: {arn}")
    table_arn = f"arn:aws:dynamodb:{region}:{account}:table/{parts[1]}"
    kind = parts[2] if len(parts) == 4 else None
    policy = arn if kind == "stream" else table_arn if kind in (None, "index") else None
    tagged = kind in (None, "index", "stream")
    return Target(arn, account, region, parts[1], policy, tagged)


class CheckBuilder:
    """The checks of one request, made by caller `account` in `region`."""

    def __init__(self, tables: TableState, account: str, region: str) -> None:
        self._tables = tables
        self.account = account
        self.region = region

    # -- resources ---------------------------------------------------------------------------

    def table(self, name_or_arn: str, region: str | None = None) -> Target:
        """The table a TableName names (a name in the caller's account, or a table ARN)."""
        if name_or_arn.startswith("arn:"):
            target = parse_arn(name_or_arn)
            if target.table is None or target.arn != target.policy:
                raise ServiceError("ValidationException", f"Invalid table ARN: {name_or_arn}")
            return target
        region = region or self.region
        arn = f"arn:aws:dynamodb:{region}:{self.account}:table/{name_or_arn}"
        return Target(arn, self.account, region, name_or_arn, arn)

    def index(self, table: Target, index: str | None) -> Target:
        if index is None:
            return table
        return Target(
            f"{table.arn}/index/{index}", table.account, table.region, table.table, table.policy
        )

    def global_table(self, name: str) -> Target:
        arn = f"arn:aws:dynamodb::{self.account}:global-table/{name}"
        return Target(arn, self.account, "", None, None, tagged=False)

    def facts(self, target: Target) -> TableFacts | None:
        if target.table is None:
            return None
        return self._tables.table(target.account, target.region, target.table)

    def check(
        self, action: str, target: Target | None, context: Mapping[str, object] | None = None
    ) -> Check:
        """`dynamodb:<action>` on `target` (None: `*`), with the table's tags."""
        if target is None:
            return Check(f"dynamodb:{action}", "*", dict(context or {}), self.account)
        full = dict(context or {})
        facts = self.facts(target) if target.tagged else None
        if facts is not None:
            for key, value in facts.tags.items():
                full[f"aws:ResourceTag/{key}"] = value
        return Check(f"dynamodb:{action}", target.arn, full, target.account, target.policy)

    # -- item requests -----------------------------------------------------------------------

    def item_context(
        self,
        params: Mapping[str, Any],
        target: Target,
        keys: Sequence[Mapping[str, Any]],
        *,
        select: bool = False,
        return_values: str | None = None,
        extra: Mapping[str, object] | None = None,
    ) -> dict[str, object]:
        """The dynamodb: keys of an item request (or one table of a batch, one item of a
        transaction): the attributes it names, the partition-key values of `keys`, Select and
        ReturnValues as DynamoDB defaults them ("the Select parameter always has a value
        (ALL_ATTRIBUTES, unless otherwise specified)", "the ReturnValues parameter always has a
        value (NONE unless otherwise specified)", specifying-conditions.html)."""
        context: dict[str, object] = dict(extra or {})
        attributes = request_attributes(params)
        if attributes:
            context["dynamodb:Attributes"] = attributes
        facts = self.facts(target)
        if facts is not None and facts.partition_key:
            values = [
                attribute_text(k[facts.partition_key]) for k in keys if facts.partition_key in k
            ]
            if values:
                context["dynamodb:LeadingKeys"] = list(dict.fromkeys(values))
        if select:
            context["dynamodb:Select"] = _select(params, target)
        if return_values is not None:
            context["dynamodb:ReturnValues"] = return_values
        return context

    def query_leading_keys(
        self, params: Mapping[str, Any], target: Target, index: str | None
    ) -> list[str]:
        """The partition-key values a Query's key condition pins (the index's partition key
        for a Query on an index)."""
        facts = self.facts(target)
        if facts is None:
            return []
        key = facts.partition_key if index is None else facts.index_partition_keys.get(index, "")
        if not key:
            return []
        if params.get("KeyConditionExpression"):
            values = key_condition_values(
                params["KeyConditionExpression"],
                params.get("ExpressionAttributeNames") or {},
                params.get("ExpressionAttributeValues") or {},
                key,
            )
        else:
            values = legacy_key_condition_values(params.get("KeyConditions") or {}, key)
        if not values:
            raise ServiceError(
                "ValidationException", f"Query condition missed key schema element: {key}"
            )
        return values

    # -- PartiQL -----------------------------------------------------------------------------

    def statement_check(
        self,
        text: str,
        parameters: Sequence[Any],
        base: Mapping[str, object],
        enclosing: str | None = None,
    ) -> Check:
        """The check of one PartiQL statement: dynamodb:PartiQL<Verb> on its table or index."""
        try:
            statement = parse_statement(text)
        except PartiQLShapeError as exc:
            raise Unmappable(
                f"localiam cannot tell which table the PartiQL statement `{text}` acts on ({exc})."
            ) from None
        table = self.table(statement.table)
        target = self.index(table, statement.index)
        context = dict(base)
        if enclosing is not None:
            context["dynamodb:EnclosingOperation"] = enclosing
        if statement.attributes:
            context["dynamodb:Attributes"] = list(statement.attributes)
        facts = self.facts(table)
        key = None
        if facts is not None:
            key = (
                facts.partition_key
                if statement.index is None
                else (facts.index_partition_keys.get(statement.index))
            )
        pinned = statement.pinned(key, parameters) if key else None
        if pinned:
            context["dynamodb:LeadingKeys"] = list(dict.fromkeys(pinned))
        if statement.verb == "Select":
            context["dynamodb:Select"] = _statement_select(statement)
            if key:
                context["dynamodb:FullTableScan"] = pinned is None
        if statement.verb in ("Update", "Delete"):
            context["dynamodb:ReturnValues"] = statement.returning or "NONE"
        return self.check(f"PartiQL{statement.verb}", target, context)


def _select(params: Mapping[str, Any], target: Target) -> str:
    if params.get("Select"):
        return str(params["Select"])
    if has_projection(params):
        return "SPECIFIC_ATTRIBUTES"
    return "ALL_PROJECTED_ATTRIBUTES" if "/index/" in target.arn else "ALL_ATTRIBUTES"


def _statement_select(statement: Statement) -> str:
    if not statement.all_attributes:
        return "SPECIFIC_ATTRIBUTES"
    return "ALL_PROJECTED_ATTRIBUTES" if statement.index else "ALL_ATTRIBUTES"


def consumed(params: Mapping[str, Any]) -> dict[str, object]:
    """dynamodb:ReturnConsumedCapacity, when the request sets it."""
    value = params.get("ReturnConsumedCapacity")
    return {} if value is None else {"dynamodb:ReturnConsumedCapacity": value}


Builder = Callable[[CheckBuilder, Mapping[str, Any]], list[Check]]


def tags_of(params: Mapping[str, Any]) -> dict[str, object]:
    return tag_context(params.get("Tags"))
