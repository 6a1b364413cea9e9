"""Each DynamoDB (and DynamoDB Streams) operation as the checks it raises; see
`_dynamodb_checks` for the rules and their sources. An operation missing here has no action in
the Service Authorization Reference (the bulk-operation calls) and is refused."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from localiam.gateway._dynamodb_checks import (
    REPLICA_CREATE,
    REPLICA_DELETE,
    RESTORE_WRITES,
    TRANSACT_WRITE,
    Builder,
    CheckBuilder,
    Target,
    consumed,
    parse_arn,
    tags_of,
)
from localiam.gateway._model import Check
from localiam.protocol import ServiceError

Params = Mapping[str, Any]


# -- items ------------------------------------------------------------------------------------


def _get_item(b: CheckBuilder, p: Params) -> list[Check]:
    target = b.table(p["TableName"])
    context = b.item_context(p, target, [p.get("Key") or {}], select=True, extra=consumed(p))
    return [b.check("GetItem", target, context)]


def _write_item(action: str, key_member: str) -> Builder:
    def build(b: CheckBuilder, p: Params) -> list[Check]:
        target = b.table(p["TableName"])
        context = b.item_context(
            p,
            target,
            [p.get(key_member) or {}],
            return_values=str(p.get("ReturnValues") or "NONE"),
            extra=consumed(p),
        )
        return [b.check(action, target, context)]

    return build


def _query(b: CheckBuilder, p: Params) -> list[Check]:
    table = b.table(p["TableName"])
    target = b.index(table, p.get("IndexName"))
    context = b.item_context(p, target, [], select=True, extra=consumed(p))
    leading = b.query_leading_keys(p, table, p.get("IndexName"))
    if leading:
        context["dynamodb:LeadingKeys"] = leading
    return [b.check("Query", target, context)]


def _scan(b: CheckBuilder, p: Params) -> list[Check]:
    target = b.index(b.table(p["TableName"]), p.get("IndexName"))
    context = b.item_context(p, target, [], select=True, extra=consumed(p))
    return [b.check("Scan", target, context)]


def _batch_get(b: CheckBuilder, p: Params) -> list[Check]:
    checks = []
    for name, request in (p.get("RequestItems") or {}).items():
        target = b.table(name)
        context = b.item_context(
            request, target, request.get("Keys") or [], select=True, extra=consumed(p)
        )
        checks.append(b.check("BatchGetItem", target, context))
    return checks


def _batch_write(b: CheckBuilder, p: Params) -> list[Check]:
    checks = []
    for name, writes in (p.get("RequestItems") or {}).items():
        target = b.table(name)
        items = [w["PutRequest"].get("Item") or {} for w in writes if "PutRequest" in w]
        keys = [w["DeleteRequest"].get("Key") or {} for w in writes if "DeleteRequest" in w]
        touched = {"Keys": [*items, *keys]}
        context = b.item_context(touched, target, [*items, *keys], extra=consumed(p))
        checks.append(b.check("BatchWriteItem", target, context))
    return checks


def _transact_get(b: CheckBuilder, p: Params) -> list[Check]:
    enclosing = {"dynamodb:EnclosingOperation": "TransactGetItems", **consumed(p)}
    checks = []
    for item in p.get("TransactItems") or []:
        get = item.get("Get") or {}
        target = b.table(get["TableName"])
        context = b.item_context(get, target, [get.get("Key") or {}], select=True, extra=enclosing)
        checks.append(b.check("GetItem", target, context))
    return checks


def _transact_write(b: CheckBuilder, p: Params) -> list[Check]:
    enclosing = {"dynamodb:EnclosingOperation": "TransactWriteItems", **consumed(p)}
    checks = []
    for item in p.get("TransactItems") or []:
        for member, action in TRANSACT_WRITE.items():
            if member not in item:
                continue
            request = item[member]
            target = b.table(request["TableName"])
            key = request.get("Item") if member == "Put" else request.get("Key")
            context = b.item_context(
                request,
                target,
                [key or {}],
                return_values=request.get("ReturnValuesOnConditionCheckFailure"),
                extra=enclosing,
            )
            checks.append(b.check(action, target, context))
    return checks


def _execute_statement(b: CheckBuilder, p: Params) -> list[Check]:
    return [b.statement_check(p["Statement"], p.get("Parameters") or [], consumed(p))]


def _batch_execute_statement(b: CheckBuilder, p: Params) -> list[Check]:
    return [
        b.statement_check(s["Statement"], s.get("Parameters") or [], consumed(p))
        for s in p.get("Statements") or []
    ]


def _execute_transaction(b: CheckBuilder, p: Params) -> list[Check]:
    return [
        b.statement_check(
            s["Statement"], s.get("Parameters") or [], consumed(p), "ExecuteTransaction"
        )
        for s in p.get("TransactStatements") or []
    ]


# -- tables -----------------------------------------------------------------------------------


def _on_table(action: str, member: str = "TableName") -> Builder:
    """`action` on the table `member` names (a name or an ARN)."""

    def build(b: CheckBuilder, p: Params) -> list[Check]:
        return [b.check(action, b.table(p[member]))]

    return build


def _on_table_or_index(action: str) -> Builder:
    def build(b: CheckBuilder, p: Params) -> list[Check]:
        return [b.check(action, b.index(b.table(p["TableName"]), p.get("IndexName")))]

    return build


def _on_optional_table(action: str, member: str) -> Builder:
    def build(b: CheckBuilder, p: Params) -> list[Check]:
        return [b.check(action, b.table(p[member]) if p.get(member) else None)]

    return build


def _on_arn(action: str, member: str) -> Builder:
    """`action` on the stream, backup, export or import ARN `member` names."""

    def build(b: CheckBuilder, p: Params) -> list[Check]:
        return [b.check(action, parse_arn(p[member]))]

    return build


def _on_everything(action: str) -> Builder:
    def build(b: CheckBuilder, p: Params) -> list[Check]:
        return [b.check(action, None)]

    return build


def _list_tables(b: CheckBuilder, p: Params) -> list[Check]:
    """ListTables has no resource type in the Service Authorization Reference, yet DynamoDB
    authorizes it on every table of the Region: its denials read "... dynamodb:ListTables on
    resource: arn:aws:dynamodb:us-east-1:123456789012:table/* because ..." (as CLI users and
    CloudTrail records quote it), so a policy naming `table/*` allows it."""
    arn = f"arn:aws:dynamodb:{b.region}:{b.account}:table/*"
    return [b.check("ListTables", Target(arn, b.account, b.region, None, None, tagged=False))]


def _create_table(b: CheckBuilder, p: Params) -> list[Check]:
    target = b.table(p["TableName"])
    checks = [b.check("CreateTable", target, tags_of(p))]
    if p.get("ResourcePolicy"):  # "You need to specify the CreateTable and PutResourcePolicy
        checks.append(b.check("PutResourcePolicy", target))  # IAM actions" (CreateTable)
    return checks


def _update_table(b: CheckBuilder, p: Params) -> list[Check]:
    target = b.table(p["TableName"])
    checks = [b.check("UpdateTable", target)]
    for update in p.get("ReplicaUpdates") or []:
        for member, actions in (
            ("Create", REPLICA_CREATE),
            ("Delete", REPLICA_DELETE),
            ("Disassociate", ("DisassociateTableReplica",)),
        ):
            if member in update and target.table is not None:
                replica = _replica(b, target, update[member]["RegionName"])
                checks.extend(b.check(action, replica) for action in actions)
    return checks


def _replica(b: CheckBuilder, table: Target, region: str) -> Target:
    arn = f"arn:aws:dynamodb:{region}:{table.account}:table/{table.table}"
    return Target(arn, table.account, region, table.table, arn)


def _tag_resource(b: CheckBuilder, p: Params) -> list[Check]:
    return [b.check("TagResource", parse_arn(p["ResourceArn"]), tags_of(p))]


def _untag_resource(b: CheckBuilder, p: Params) -> list[Check]:
    keys = list(p.get("TagKeys") or [])
    return [b.check("UntagResource", parse_arn(p["ResourceArn"]), {"aws:TagKeys": keys})]


def _import_table(b: CheckBuilder, p: Params) -> list[Check]:
    return [b.check("ImportTable", b.table(p["TableCreationParameters"]["TableName"]))]


def _restore_from_backup(b: CheckBuilder, p: Params) -> list[Check]:
    target = b.table(p["TargetTableName"])
    checks = [
        b.check("RestoreTableFromBackup", parse_arn(p["BackupArn"])),
        b.check("RestoreTableFromBackup", target),
    ]
    return checks + [b.check(action, target) for action in RESTORE_WRITES]


def _restore_to_point_in_time(b: CheckBuilder, p: Params) -> list[Check]:
    source_name = p.get("SourceTableArn") or p.get("SourceTableName")
    if not source_name:
        raise ServiceError(
            "ValidationException", "Either SourceTableArn or SourceTableName must be specified"
        )
    source = b.table(source_name)
    target = b.table(p["TargetTableName"], source.region)
    checks = [
        b.check("RestoreTableToPointInTime", source),
        b.check("RestoreTableToPointInTime", target),
    ]
    return checks + [b.check(action, target) for action in RESTORE_WRITES]


def _global_table(action: str, regions_of: str | None = None) -> Builder:
    """`action` on the global table and on its replica table in each Region the request
    names (legacy global tables, gt_IAM.html)."""

    def build(b: CheckBuilder, p: Params) -> list[Check]:
        name = p["GlobalTableName"]
        checks = [b.check(action, b.global_table(name))]
        for region in _regions(p.get(regions_of) if regions_of else None):
            checks.append(b.check(action, b.table(name, region)))
        return checks

    return build


def _regions(entries: Any) -> list[str]:
    regions: list[str] = []
    for entry in entries or []:
        for value in (entry, *(entry.get(m) or {} for m in ("Create", "Delete"))):
            if isinstance(value, Mapping) and value.get("RegionName"):
                regions.append(str(value["RegionName"]))
    return list(dict.fromkeys(regions))


def _get_records(b: CheckBuilder, p: Params) -> list[Check]:
    stream = str(p["ShardIterator"]).split("|", 1)[0]
    return [b.check("GetRecords", parse_arn(stream))]


def _search_vectors(b: CheckBuilder, p: Params) -> list[Check]:
    table = b.table(p["TableName"])
    checks = [b.check("SearchVectors", table)]
    if p.get("IndexName"):
        checks.append(b.check("SearchVectors", b.index(table, p["IndexName"])))
    return checks


OPERATIONS: Mapping[str, Builder] = {
    # items
    "GetItem": _get_item,
    "PutItem": _write_item("PutItem", "Item"),
    "UpdateItem": _write_item("UpdateItem", "Key"),
    "DeleteItem": _write_item("DeleteItem", "Key"),
    "Query": _query,
    "Scan": _scan,
    "BatchGetItem": _batch_get,
    "BatchWriteItem": _batch_write,
    "TransactGetItems": _transact_get,
    "TransactWriteItems": _transact_write,
    "ExecuteStatement": _execute_statement,
    "BatchExecuteStatement": _batch_execute_statement,
    "ExecuteTransaction": _execute_transaction,
    "SearchVectors": _search_vectors,
    # tables
    "CreateTable": _create_table,
    "UpdateTable": _update_table,
    "DeleteTable": _on_table("DeleteTable"),
    "DescribeTable": _on_table("DescribeTable"),
    "DescribeTimeToLive": _on_table("DescribeTimeToLive"),
    "UpdateTimeToLive": _on_table("UpdateTimeToLive"),
    "DescribeContinuousBackups": _on_table("DescribeContinuousBackups"),
    "UpdateContinuousBackups": _on_table("UpdateContinuousBackups"),
    "DescribeKinesisStreamingDestination": _on_table("DescribeKinesisStreamingDestination"),
    "EnableKinesisStreamingDestination": _on_table("EnableKinesisStreamingDestination"),
    "DisableKinesisStreamingDestination": _on_table("DisableKinesisStreamingDestination"),
    "UpdateKinesisStreamingDestination": _on_table("UpdateKinesisStreamingDestination"),
    "DescribeTableReplicaAutoScaling": _on_table("DescribeTableReplicaAutoScaling"),
    "UpdateTableReplicaAutoScaling": _on_table("UpdateTableReplicaAutoScaling"),
    "DescribeContributorInsights": _on_table_or_index("DescribeContributorInsights"),
    "UpdateContributorInsights": _on_table_or_index("UpdateContributorInsights"),
    "CreateBackup": _on_table("CreateBackup"),
    "ExportTableToPointInTime": _on_table("ExportTableToPointInTime", "TableArn"),
    "ImportTable": _import_table,
    "RestoreTableFromBackup": _restore_from_backup,
    "RestoreTableToPointInTime": _restore_to_point_in_time,
    "ListExports": _on_optional_table("ListExports", "TableArn"),
    "ListImports": _on_optional_table("ListImports", "TableArn"),
    "DescribeBackup": _on_arn("DescribeBackup", "BackupArn"),
    "DeleteBackup": _on_arn("DeleteBackup", "BackupArn"),
    "DescribeExport": _on_arn("DescribeExport", "ExportArn"),
    "DescribeImport": _on_arn("DescribeImport", "ImportArn"),
    # tags and resource-based policies (tables and streams)
    "TagResource": _tag_resource,
    "UntagResource": _untag_resource,
    "ListTagsOfResource": _on_arn("ListTagsOfResource", "ResourceArn"),
    "PutResourcePolicy": _on_arn("PutResourcePolicy", "ResourceArn"),
    "GetResourcePolicy": _on_arn("GetResourcePolicy", "ResourceArn"),
    "DeleteResourcePolicy": _on_arn("DeleteResourcePolicy", "ResourceArn"),
    # global tables (version 2017.11.29)
    "CreateGlobalTable": _global_table("CreateGlobalTable", "ReplicationGroup"),
    "UpdateGlobalTable": _global_table("UpdateGlobalTable", "ReplicaUpdates"),
    "UpdateGlobalTableSettings": _global_table(
        "UpdateGlobalTableSettings", "ReplicaSettingsUpdate"
    ),
    "DescribeGlobalTable": _global_table("DescribeGlobalTable"),
    "DescribeGlobalTableSettings": _global_table("DescribeGlobalTableSettings"),
    # account-wide
    "ListTables": _list_tables,
    "ListBackups": _on_everything("ListBackups"),
    "ListGlobalTables": _on_everything("ListGlobalTables"),
    "ListContributorInsights": _on_everything("ListContributorInsights"),
    "DescribeEndpoints": _on_everything("DescribeEndpoints"),
    "DescribeLimits": _on_everything("DescribeLimits"),
    # DynamoDB Streams
    "DescribeStream": _on_arn("DescribeStream", "StreamArn"),
    "GetShardIterator": _on_arn("GetShardIterator", "StreamArn"),
    "GetRecords": _get_records,
    "ListStreams": _on_everything("ListStreams"),
}
