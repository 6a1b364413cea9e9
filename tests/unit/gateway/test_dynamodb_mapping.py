"""`DynamoDB.map`: the actions, resource ARNs, owning account and condition keys AWS authorizes
each DynamoDB (and DynamoDB Streams) request with, from requests botocore itself serializes;
the resource-based policy's validation; DynamoDB's AccessDenied and error documents, read back
with botocore's own parser
(https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html,
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html)."""

from __future__ import annotations

import functools
import json
import zlib
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import botocore.parsers
import botocore.session
import pytest
from botocore import xform_name
from botocore.awsrequest import AWSPreparedRequest
from botocore.config import Config

from localiam.auth import HttpRequestView
from localiam.authz import Decision, DecisionKind, PolicyType
from localiam.catalog import Catalog
from localiam.gateway._dynamodb import DynamoDB
from localiam.gateway._dynamodb_operations import OPERATIONS
from localiam.gateway._model import Check, Forward, GatewayRequest, Mapped, Unmappable
from localiam.gateway._moto_dynamodb import MotoTables, TableFacts
from localiam.protocol import ServiceError, load_service_model

ACCOUNT = "123456789012"
OTHER = "210987654321"
REGION = "us-east-1"
TABLE = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/Music"
THEIRS = f"arn:aws:dynamodb:{REGION}:{OTHER}:table/Shared"
STREAM = f"{TABLE}/stream/2026-01-01T00:00:00.000"
BACKUP = f"{TABLE}/backup/01489173575360-b308cd7d"
#: Existing tables, by (account, region, name).
TABLES = {
    (ACCOUNT, REGION, "Music"): TableFacts("Artist", {"ByGenre": "Genre"}, {"team": "blue"}),
    (OTHER, REGION, "Shared"): TableFacts("pk", {}, {}),
}
POLICIES = {(OTHER, REGION, THEIRS): '{"Statement": []}'}
#: Operations moto does not serve (the fake follows moto 5.2.5).
UNSERVED = frozenset({"DescribeGlobalTable"})


class FakeTables:
    def table(self, account: str, region: str, name: str) -> TableFacts | None:
        return TABLES.get((account, region, name))

    def policy(self, account: str, region: str, arn: str) -> str | None:
        return POLICIES.get((account, region, arn))

    def implements(self, operation: str, streams: bool) -> bool:
        return operation not in UNSERVED


class _Sent(Exception):
    def __init__(self, request: AWSPreparedRequest) -> None:
        super().__init__("sent")
        self.request = request


def _stop(request: AWSPreparedRequest, **_: Any) -> None:
    raise _Sent(request)


@functools.cache
def _client(service: str, region: str) -> Any:
    client = botocore.session.get_session().create_client(
        service,
        region_name=region,
        endpoint_url="http://127.0.0.1:1",
        aws_access_key_id="AKIAEXAMPLE",
        aws_secret_access_key="x",
        # Requests that break the model's constraints too: the adapter must refuse them.
        config=Config(parameter_validation=False),
    )
    client.meta.events.register("before-send.*", _stop)
    return client


def sent(operation: str, service: str = "dynamodb", region: str = REGION, **params: Any) -> Any:
    """The request botocore sends for `operation`, as the server receives it."""
    with pytest.raises(_Sent) as info:
        getattr(_client(service, region), xform_name(operation))(**params)
    request = info.value.request
    parts = urlsplit(request.url)
    headers = [
        (name, value.decode("latin-1") if isinstance(value, bytes) else value)
        for name, value in request.headers.items()
    ]
    headers.append(("host", parts.netloc))
    body = request.body if isinstance(request.body, bytes) else (request.body or "").encode()
    return HttpRequestView(request.method, parts.path or "/", parts.query, headers, body)


def mapped(
    operation: str, service: str = "dynamodb", region: str = REGION, **params: Any
) -> Mapped:
    view = sent(operation, service, region, **params)
    return DynamoDB(FakeTables()).map(GatewayRequest(view, "dynamodb", region, ACCOUNT, "rid"))


def only(operation: str, **params: Any) -> Check:
    checks = mapped(operation, **params).checks
    assert len(checks) == 1, checks
    return checks[0]


def refused(operation: str, **params: Any) -> ServiceError:
    with pytest.raises(ServiceError) as info:
        mapped(operation, **params)
    return info.value


def s(value: str) -> dict[str, str]:
    return {"S": value}


# -- every operation ----------------------------------------------------------------------------

#: A request of every operation the adapter maps, in the model's terms.
SAMPLES: dict[str, tuple[str, dict[str, Any]]] = {
    "GetItem": ("dynamodb", {"TableName": "Music", "Key": {"Artist": s("a")}}),
    "PutItem": ("dynamodb", {"TableName": "Music", "Item": {"Artist": s("a")}}),
    "UpdateItem": ("dynamodb", {"TableName": "Music", "Key": {"Artist": s("a")}}),
    "DeleteItem": ("dynamodb", {"TableName": "Music", "Key": {"Artist": s("a")}}),
    "Query": (
        "dynamodb",
        {
            "TableName": "Music",
            "KeyConditionExpression": "Artist = :a",
            "ExpressionAttributeValues": {":a": s("a")},
        },
    ),
    "Scan": ("dynamodb", {"TableName": "Music"}),
    "BatchGetItem": ("dynamodb", {"RequestItems": {"Music": {"Keys": [{"Artist": s("a")}]}}}),
    "BatchWriteItem": (
        "dynamodb",
        {"RequestItems": {"Music": [{"PutRequest": {"Item": {"Artist": s("a")}}}]}},
    ),
    "TransactGetItems": (
        "dynamodb",
        {"TransactItems": [{"Get": {"TableName": "Music", "Key": {"Artist": s("a")}}}]},
    ),
    "TransactWriteItems": (
        "dynamodb",
        {"TransactItems": [{"Put": {"TableName": "Music", "Item": {"Artist": s("a")}}}]},
    ),
    "ExecuteStatement": ("dynamodb", {"Statement": 'SELECT * FROM "Music"'}),
    "BatchExecuteStatement": (
        "dynamodb",
        {"Statements": [{"Statement": "DELETE FROM Music WHERE Artist = 'a'"}]},
    ),
    "ExecuteTransaction": (
        "dynamodb",
        {"TransactStatements": [{"Statement": "INSERT INTO Music VALUE {'Artist': 'a'}"}]},
    ),
    "SearchVectors": (
        "dynamodb",
        {"TableName": "Music", "IndexName": "Vec", "SearchVector": [{"N": "1.0"}], "TopK": 1},
    ),
    "CreateTable": (
        "dynamodb",
        {
            "TableName": "New",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "BillingMode": "PAY_PER_REQUEST",
        },
    ),
    "UpdateTable": ("dynamodb", {"TableName": "Music", "BillingMode": "PAY_PER_REQUEST"}),
    "DeleteTable": ("dynamodb", {"TableName": "Music"}),
    "DescribeTable": ("dynamodb", {"TableName": "Music"}),
    "DescribeTimeToLive": ("dynamodb", {"TableName": "Music"}),
    "UpdateTimeToLive": (
        "dynamodb",
        {
            "TableName": "Music",
            "TimeToLiveSpecification": {"Enabled": True, "AttributeName": "ttl"},
        },
    ),
    "DescribeContinuousBackups": ("dynamodb", {"TableName": "Music"}),
    "UpdateContinuousBackups": (
        "dynamodb",
        {
            "TableName": "Music",
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        },
    ),
    "DescribeKinesisStreamingDestination": ("dynamodb", {"TableName": "Music"}),
    "EnableKinesisStreamingDestination": (
        "dynamodb",
        {"TableName": "Music", "StreamArn": "arn:aws:kinesis:us-east-1:123456789012:stream/k"},
    ),
    "DisableKinesisStreamingDestination": (
        "dynamodb",
        {"TableName": "Music", "StreamArn": "arn:aws:kinesis:us-east-1:123456789012:stream/k"},
    ),
    "UpdateKinesisStreamingDestination": (
        "dynamodb",
        {"TableName": "Music", "StreamArn": "arn:aws:kinesis:us-east-1:123456789012:stream/k"},
    ),
    "DescribeTableReplicaAutoScaling": ("dynamodb", {"TableName": "Music"}),
    "UpdateTableReplicaAutoScaling": ("dynamodb", {"TableName": "Music"}),
    "DescribeContributorInsights": ("dynamodb", {"TableName": "Music"}),
    "UpdateContributorInsights": (
        "dynamodb",
        {"TableName": "Music", "ContributorInsightsAction": "ENABLE"},
    ),
    "CreateBackup": ("dynamodb", {"TableName": "Music", "BackupName": "nightly"}),
    "ExportTableToPointInTime": ("dynamodb", {"TableArn": TABLE, "S3Bucket": "exports"}),
    "ImportTable": (
        "dynamodb",
        {
            "S3BucketSource": {"S3Bucket": "imports"},
            "InputFormat": "CSV",
            "TableCreationParameters": {
                "TableName": "Imported",
                "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                "BillingMode": "PAY_PER_REQUEST",
            },
        },
    ),
    "RestoreTableFromBackup": ("dynamodb", {"TargetTableName": "Restored", "BackupArn": BACKUP}),
    "RestoreTableToPointInTime": (
        "dynamodb",
        {
            "SourceTableName": "Music",
            "TargetTableName": "Restored",
            "UseLatestRestorableTime": True,
        },
    ),
    "ListExports": ("dynamodb", {}),
    "ListImports": ("dynamodb", {"TableArn": TABLE}),
    "DescribeBackup": ("dynamodb", {"BackupArn": BACKUP}),
    "DeleteBackup": ("dynamodb", {"BackupArn": BACKUP}),
    "DescribeExport": ("dynamodb", {"ExportArn": f"{TABLE}/export/01234567890123-abcdef12"}),
    "DescribeImport": ("dynamodb", {"ImportArn": f"{TABLE}/import/01234567890123-abcdef12"}),
    "TagResource": ("dynamodb", {"ResourceArn": TABLE, "Tags": [{"Key": "k", "Value": "v"}]}),
    "UntagResource": ("dynamodb", {"ResourceArn": TABLE, "TagKeys": ["k"]}),
    "ListTagsOfResource": ("dynamodb", {"ResourceArn": TABLE}),
    "PutResourcePolicy": ("dynamodb", {"ResourceArn": TABLE, "Policy": "{}"}),
    "GetResourcePolicy": ("dynamodb", {"ResourceArn": TABLE}),
    "DeleteResourcePolicy": ("dynamodb", {"ResourceArn": TABLE}),
    "CreateGlobalTable": (
        "dynamodb",
        {"GlobalTableName": "Music", "ReplicationGroup": [{"RegionName": "eu-west-1"}]},
    ),
    "UpdateGlobalTable": (
        "dynamodb",
        {"GlobalTableName": "Music", "ReplicaUpdates": [{"Create": {"RegionName": "eu-west-1"}}]},
    ),
    "UpdateGlobalTableSettings": ("dynamodb", {"GlobalTableName": "Music"}),
    "DescribeGlobalTable": ("dynamodb", {"GlobalTableName": "Music"}),
    "DescribeGlobalTableSettings": ("dynamodb", {"GlobalTableName": "Music"}),
    "ListTables": ("dynamodb", {}),
    "ListBackups": ("dynamodb", {}),
    "ListGlobalTables": ("dynamodb", {}),
    "ListContributorInsights": ("dynamodb", {}),
    "DescribeEndpoints": ("dynamodb", {}),
    "DescribeLimits": ("dynamodb", {}),
    "DescribeStream": ("dynamodbstreams", {"StreamArn": STREAM}),
    "GetShardIterator": (
        "dynamodbstreams",
        {
            "StreamArn": STREAM,
            "ShardId": "shardId-00000001536019433415-a1b2c3d4",
            "ShardIteratorType": "LATEST",
        },
    ),
    "GetRecords": ("dynamodbstreams", {"ShardIterator": f"{STREAM}|1|AAAA"}),
    "ListStreams": ("dynamodbstreams", {}),
}
#: Operations the Service Authorization Reference names no action for.
NO_ACTION = frozenset(
    {"CancelBulkOperation", "DescribeBulkOperation", "ListBulkOperations", "StartBulkPutItems"}
)


def test_every_operation_of_the_models_is_mapped_or_refused() -> None:
    operations = set(load_service_model("dynamodb").operation_names) | set(
        load_service_model("dynamodbstreams").operation_names
    )
    assert set(OPERATIONS) | NO_ACTION == operations
    assert not set(OPERATIONS) & NO_ACTION
    assert set(SAMPLES) == set(OPERATIONS)


@pytest.mark.parametrize("operation", sorted(SAMPLES))
def test_every_action_and_resource_is_the_service_authorization_references(
    operation: str,
) -> None:
    service, params = SAMPLES[operation]
    if operation in UNSERVED:
        pytest.skip("moto does not serve it: refused before any check")
    catalog = Catalog()
    checks = mapped(operation, service, **params).checks
    assert checks
    for check in checks:
        assert catalog.action(check.action) is not None, check.action
        assert check.resource == "*" or check.resource.startswith("arn:aws:dynamodb:")


@pytest.mark.parametrize("operation", sorted(NO_ACTION))
def test_operations_without_an_action_are_refused(operation: str) -> None:
    params = {
        "CancelBulkOperation": {"BulkOperationArn": f"{TABLE}/bulk-operation/b"},
        "DescribeBulkOperation": {"BulkOperationArn": f"{TABLE}/bulk-operation/b"},
        "ListBulkOperations": {},
        "StartBulkPutItems": {"TableName": "Music"},
    }[operation]
    with pytest.raises(Unmappable, match="names no action"):
        mapped(operation, **params)


def test_an_operation_moto_does_not_serve_is_refused_clearly() -> None:
    with pytest.raises(Unmappable, match="does not implement DescribeGlobalTable"):
        mapped("DescribeGlobalTable", GlobalTableName="Music")


# -- reads and writes ---------------------------------------------------------------------------


def test_scan_is_authorized_on_the_table_with_its_tags_and_policy() -> None:
    answer = mapped("Scan", TableName="Music")
    (check,) = answer.checks
    assert (check.action, check.resource) == ("dynamodb:Scan", TABLE)
    assert check.resource_account == ACCOUNT and answer.backend_account == ACCOUNT
    assert check.policy_resource == TABLE
    assert check.context == {"dynamodb:Select": "ALL_ATTRIBUTES", "aws:ResourceTag/team": "blue"}


def test_a_query_on_an_index_is_authorized_on_the_index_with_the_tables_policy() -> None:
    check = only(
        "Query",
        TableName="Music",
        IndexName="ByGenre",
        KeyConditionExpression="#g = :g AND begins_with(Title, :t)",
        ExpressionAttributeNames={"#g": "Genre"},
        ExpressionAttributeValues={":g": s("jazz"), ":t": s("A")},
        ReturnConsumedCapacity="TOTAL",
    )
    assert check.resource == f"{TABLE}/index/ByGenre"
    assert check.policy_resource == TABLE
    assert check.context["dynamodb:LeadingKeys"] == ["jazz"]  # the index's partition key
    assert check.context["dynamodb:Attributes"] == ["Genre", "Title"]
    assert check.context["dynamodb:Select"] == "ALL_PROJECTED_ATTRIBUTES"
    assert check.context["dynamodb:ReturnConsumedCapacity"] == "TOTAL"
    assert check.context["aws:ResourceTag/team"] == "blue"


def test_a_query_names_its_partition_key_value_as_leading_keys() -> None:
    check = only(
        "Query",
        TableName="Music",
        KeyConditionExpression=":a = Artist",
        ExpressionAttributeValues={":a": {"N": "42"}},
        Select="COUNT",
    )
    assert check.context["dynamodb:LeadingKeys"] == ["42"]
    assert check.context["dynamodb:Select"] == "COUNT"


def test_a_legacy_key_condition_names_its_partition_key_value() -> None:
    check = only(
        "Query",
        TableName="Music",
        KeyConditions={"Artist": {"ComparisonOperator": "EQ", "AttributeValueList": [s("x")]}},
    )
    assert check.context["dynamodb:LeadingKeys"] == ["x"]


def test_a_query_without_the_partition_key_is_dynamodbs_validation_error() -> None:
    error = refused(
        "Query",
        TableName="Music",
        KeyConditionExpression="Title = :t",
        ExpressionAttributeValues={":t": s("A")},
    )
    assert (error.code, error.message) == (
        "ValidationException",
        "Query condition missed key schema element: Artist",
    )


def test_get_item_names_key_projection_and_the_default_select() -> None:
    check = only(
        "GetItem",
        TableName="Music",
        Key={"Artist": s("Miles"), "Title": s("So What")},
        ProjectionExpression="#y, Info.Label, Tracks[0]",
        ExpressionAttributeNames={"#y": "Year"},
    )
    assert check.context["dynamodb:Attributes"] == ["Artist", "Title", "Year", "Info", "Tracks"]
    assert check.context["dynamodb:LeadingKeys"] == ["Miles"]
    assert check.context["dynamodb:Select"] == "SPECIFIC_ATTRIBUTES"
    plain = only("GetItem", TableName="Music", Key={"Artist": s("Miles")})
    assert plain.context["dynamodb:Select"] == "ALL_ATTRIBUTES"


def test_writes_name_their_attributes_and_return_values_defaulting_to_none() -> None:
    put = only(
        "PutItem",
        TableName="Music",
        Item={"Artist": s("Miles"), "Plays": {"N": "1"}},
        ConditionExpression="attribute_not_exists(Artist) OR Plays < :n",
        ExpressionAttributeValues={":n": {"N": "5"}},
    )
    assert put.context["dynamodb:Attributes"] == ["Artist", "Plays"]
    assert put.context["dynamodb:ReturnValues"] == "NONE"
    update = only(
        "UpdateItem",
        TableName="Music",
        Key={"Artist": s("Miles")},
        UpdateExpression="SET #p = if_not_exists(#p, :z) + :one, Tags = list_append(Tags, :t) "
        "REMOVE Old ADD Counter :one DELETE Colors :c",
        ExpressionAttributeNames={"#p": "Plays"},
        ExpressionAttributeValues={
            ":z": {"N": "0"},
            ":one": {"N": "1"},
            ":t": {"L": []},
            ":c": {"SS": ["red"]},
        },
        ReturnValues="UPDATED_NEW",
    )
    assert update.context["dynamodb:Attributes"] == [
        "Artist",
        "Plays",
        "Tags",
        "Old",
        "Counter",
        "Colors",
    ]
    assert update.context["dynamodb:ReturnValues"] == "UPDATED_NEW"
    delete = only("DeleteItem", TableName="Music", Key={"Artist": {"B": b"\x01\x02"}})
    assert delete.context["dynamodb:LeadingKeys"] == ["AQI="]  # binary keys as on the wire


def test_an_undefined_placeholder_is_dynamodbs_validation_error() -> None:
    error = refused(
        "GetItem", TableName="Music", Key={"Artist": s("a")}, ProjectionExpression="#nope"
    )
    assert error.code == "ValidationException"
    assert error.message == (
        "Invalid ProjectionExpression: An expression attribute name used in the document "
        "path is not defined; attribute name: #nope"
    )


def test_batches_are_authorized_table_by_table() -> None:
    reads = mapped(
        "BatchGetItem",
        RequestItems={
            "Music": {
                "Keys": [{"Artist": s("a")}, {"Artist": s("b")}],
                "ProjectionExpression": "x",
            },
            "Other": {"Keys": [{"pk": s("c")}]},
        },
    ).checks
    assert [(c.action, c.resource) for c in reads] == [
        ("dynamodb:BatchGetItem", TABLE),
        ("dynamodb:BatchGetItem", f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/Other"),
    ]
    assert reads[0].context["dynamodb:LeadingKeys"] == ["a", "b"]
    assert reads[0].context["dynamodb:Select"] == "SPECIFIC_ATTRIBUTES"
    assert "dynamodb:LeadingKeys" not in reads[1].context  # no such table: no key schema
    (write,) = mapped(
        "BatchWriteItem",
        RequestItems={
            "Music": [
                {"PutRequest": {"Item": {"Artist": s("a"), "Plays": {"N": "1"}}}},
                {"DeleteRequest": {"Key": {"Artist": s("b")}}},
            ]
        },
    ).checks
    assert write.action == "dynamodb:BatchWriteItem"
    assert write.context["dynamodb:Attributes"] == ["Artist", "Plays"]
    assert write.context["dynamodb:LeadingKeys"] == ["a", "b"]


def test_transactions_are_authorized_item_by_item_with_the_enclosing_operation() -> None:
    checks = mapped(
        "TransactWriteItems",
        TransactItems=[
            {"Put": {"TableName": "Music", "Item": {"Artist": s("a")}}},
            {
                "ConditionCheck": {
                    "TableName": "Music",
                    "Key": {"Artist": s("b")},
                    "ConditionExpression": "attribute_exists(Artist)",
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                }
            },
            {
                "Update": {
                    "TableName": "Music",
                    "Key": {"Artist": s("c")},
                    "UpdateExpression": "SET Plays = :p",
                    "ExpressionAttributeValues": {":p": {"N": "1"}},
                }
            },
            {"Delete": {"TableName": "Music", "Key": {"Artist": s("d")}}},
        ],
    ).checks
    assert [c.action for c in checks] == [
        "dynamodb:PutItem",
        "dynamodb:ConditionCheckItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
    ]
    assert {c.context["dynamodb:EnclosingOperation"] for c in checks} == {"TransactWriteItems"}
    assert [c.context["dynamodb:LeadingKeys"] for c in checks] == [["a"], ["b"], ["c"], ["d"]]
    assert checks[1].context["dynamodb:ReturnValues"] == "ALL_OLD"
    (get,) = mapped(
        "TransactGetItems",
        TransactItems=[{"Get": {"TableName": "Music", "Key": {"Artist": s("a")}}}],
    ).checks
    assert get.action == "dynamodb:GetItem"
    assert get.context["dynamodb:EnclosingOperation"] == "TransactGetItems"


# -- PartiQL ------------------------------------------------------------------------------------


def test_a_select_that_pins_the_partition_key_is_no_full_table_scan() -> None:
    check = only(
        "ExecuteStatement",
        Statement='SELECT Title, "Year" FROM "Music" WHERE Artist = ? AND Plays > 3',
        Parameters=[s("Miles")],
    )
    assert (check.action, check.resource) == ("dynamodb:PartiQLSelect", TABLE)
    assert check.context["dynamodb:FullTableScan"] is False
    assert check.context["dynamodb:LeadingKeys"] == ["Miles"]
    assert check.context["dynamodb:Attributes"] == ["Title", "Year", "Artist", "Plays"]
    assert check.context["dynamodb:Select"] == "SPECIFIC_ATTRIBUTES"


@pytest.mark.parametrize(
    ("where", "leading"),
    [
        ("", None),
        ("WHERE Plays > 3", None),
        ("WHERE Artist = 'a' OR Plays = 1", None),
        ("WHERE Artist IN ['a', 'b']", ["a", "b"]),
        ("WHERE (Artist = 'a' OR Artist = 'b') AND Plays BETWEEN 1 AND 2", ["a", "b"]),
        ("WHERE Plays BETWEEN 1 AND 2 AND Artist = 'it''s'", ["it's"]),
    ],
)
def test_full_table_scan_is_a_select_leaving_the_partition_key_free(
    where: str, leading: list[str] | None
) -> None:
    check = only("ExecuteStatement", Statement=f"SELECT * FROM Music {where}")
    assert check.context["dynamodb:FullTableScan"] is (leading is None)
    assert check.context.get("dynamodb:LeadingKeys") == leading
    assert check.context["dynamodb:Select"] == "ALL_ATTRIBUTES"


def test_statements_map_to_their_partiql_actions_on_table_or_index() -> None:
    checks = mapped(
        "BatchExecuteStatement",
        Statements=[
            {
                "Statement": "INSERT INTO \"Music\" VALUE {'Artist': ?, 'Plays': 1}",
                "Parameters": [s("x")],
            },
            {"Statement": "UPDATE Music SET Plays = 2 WHERE Artist = 'y' RETURNING MODIFIED NEW *"},
            {"Statement": "DELETE FROM Music WHERE Artist = 'z'"},
            {"Statement": 'SELECT * FROM "Music"."ByGenre" WHERE Genre = \'jazz\''},
        ],
    ).checks
    assert [(c.action, c.resource) for c in checks] == [
        ("dynamodb:PartiQLInsert", TABLE),
        ("dynamodb:PartiQLUpdate", TABLE),
        ("dynamodb:PartiQLDelete", TABLE),
        ("dynamodb:PartiQLSelect", f"{TABLE}/index/ByGenre"),
    ]
    assert [c.context.get("dynamodb:LeadingKeys") for c in checks] == [
        ["x"],
        ["y"],
        ["z"],
        ["jazz"],
    ]
    assert checks[0].context["dynamodb:Attributes"] == ["Artist", "Plays"]
    assert checks[1].context["dynamodb:ReturnValues"] == "UPDATED_NEW"
    assert checks[2].context["dynamodb:ReturnValues"] == "NONE"
    assert checks[3].context["dynamodb:Select"] == "ALL_PROJECTED_ATTRIBUTES"
    assert checks[3].policy_resource == TABLE


def test_statements_of_a_transaction_carry_the_enclosing_operation() -> None:
    checks = mapped(
        "ExecuteTransaction",
        TransactStatements=[
            {"Statement": "EXISTS(SELECT * FROM Music WHERE Artist = 'a')"},
            {"Statement": "UPDATE Music SET Plays = 2 WHERE Artist = 'a'"},
        ],
    ).checks
    assert [c.action for c in checks] == ["dynamodb:PartiQLSelect", "dynamodb:PartiQLUpdate"]
    assert {c.context["dynamodb:EnclosingOperation"] for c in checks} == {"ExecuteTransaction"}


@pytest.mark.parametrize("statement", ["EXPLAIN SELECT 1", "SELECT * WHERE x = 1", "DELETE Music"])
def test_a_statement_whose_table_is_unclear_is_refused(statement: str) -> None:
    with pytest.raises(Unmappable, match="cannot tell which table"):
        mapped("ExecuteStatement", Statement=statement)


def test_a_missing_statement_parameter_is_dynamodbs_validation_error() -> None:
    error = refused("ExecuteStatement", Statement="SELECT * FROM Music WHERE Artist = ?")
    assert error.message == "Number of parameters in request and statement don't match."


# -- tables, tags, policies, accounts -----------------------------------------------------------


def test_create_table_carries_its_tags_and_needs_put_resource_policy_for_a_policy() -> None:
    checks = mapped(
        "CreateTable",
        TableName="New",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        Tags=[{"Key": "team", "Value": "red"}],
        ResourcePolicy='{"Version": "2012-10-17", "Statement": []}',
    ).checks
    new = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/New"
    assert [(c.action, c.resource) for c in checks] == [
        ("dynamodb:CreateTable", new),
        ("dynamodb:PutResourcePolicy", new),
    ]
    assert checks[0].context == {"aws:RequestTag/team": "red", "aws:TagKeys": ["team"]}


def test_tagging_carries_request_and_resource_tags() -> None:
    tag = only("TagResource", ResourceArn=TABLE, Tags=[{"Key": "env", "Value": "prod"}])
    assert tag.context == {
        "aws:RequestTag/env": "prod",
        "aws:TagKeys": ["env"],
        "aws:ResourceTag/team": "blue",
    }
    untag = only("UntagResource", ResourceArn=TABLE, TagKeys=["team"])
    assert untag.context == {"aws:TagKeys": ["team"], "aws:ResourceTag/team": "blue"}


def test_account_wide_operations_are_authorized_on_everything() -> None:
    answer = mapped("DescribeLimits")
    assert [(c.action, c.resource) for c in answer.checks] == [("dynamodb:DescribeLimits", "*")]
    assert answer.backend_account == ACCOUNT


def test_list_tables_is_authorized_on_every_table_of_the_region() -> None:
    """As DynamoDB's denials name it: "... on resource: arn:aws:dynamodb:...:table/*"."""
    check = only("ListTables")
    assert check.resource == f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/*"
    assert (check.context, check.policy_resource) == ({}, None)


def test_a_table_arn_of_another_account_is_served_in_that_account() -> None:
    answer = mapped("GetItem", TableName=THEIRS, Key={"pk": s("a")})
    (check,) = answer.checks
    assert (check.resource, check.resource_account, check.policy_resource) == (
        THEIRS,
        OTHER,
        THEIRS,
    )
    assert check.context["dynamodb:LeadingKeys"] == ["a"]
    assert answer.backend_account == OTHER


def test_one_request_across_accounts_is_refused() -> None:
    with pytest.raises(Unmappable, match="across accounts"):
        mapped(
            "BatchGetItem",
            RequestItems={
                "Music": {"Keys": [{"Artist": s("a")}]},
                THEIRS: {"Keys": [{"pk": s("a")}]},
            },
        )


def test_backups_and_restores() -> None:
    (describe,) = mapped("DescribeBackup", BackupArn=BACKUP).checks
    assert (describe.resource, describe.policy_resource, describe.context) == (BACKUP, None, {})
    restore = mapped("RestoreTableFromBackup", TargetTableName="Restored", BackupArn=BACKUP)
    target = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/Restored"
    assert [(c.action, c.resource) for c in restore.checks] == [
        ("dynamodb:RestoreTableFromBackup", BACKUP),
        ("dynamodb:RestoreTableFromBackup", target),
        *[
            (f"dynamodb:{a}", target)
            for a in ("PutItem", "UpdateItem", "DeleteItem", "GetItem", "Query", "Scan")
        ],
        ("dynamodb:BatchWriteItem", target),
    ]


def test_adding_a_replica_needs_the_replica_regions_actions() -> None:
    checks = mapped(
        "UpdateTable",
        TableName="Music",
        ReplicaUpdates=[
            {"Create": {"RegionName": "eu-west-1"}},
            {"Delete": {"RegionName": "ap-south-1"}},
        ],
    ).checks
    replica = f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/Music"
    gone = f"arn:aws:dynamodb:ap-south-1:{ACCOUNT}:table/Music"
    assert (checks[0].action, checks[0].resource) == ("dynamodb:UpdateTable", TABLE)
    assert ("dynamodb:CreateTableReplica", replica) in [(c.action, c.resource) for c in checks]
    assert ("dynamodb:DeleteTableReplica", gone) in [(c.action, c.resource) for c in checks]


def test_streams_are_authorized_on_the_stream_arn() -> None:
    (records,) = mapped("GetRecords", "dynamodbstreams", ShardIterator=f"{STREAM}|1|AAAA").checks
    assert (records.action, records.resource, records.policy_resource) == (
        "dynamodb:GetRecords",
        STREAM,
        STREAM,
    )
    assert records.context == {"aws:ResourceTag/team": "blue"}
    answer = mapped("DescribeStream", "dynamodbstreams", StreamArn=STREAM)
    assert dict(answer.forward.headers)["host"] == f"streams.dynamodb.{REGION}.amazonaws.com"


def test_the_request_is_forwarded_to_the_region_it_was_signed_for() -> None:
    answer = mapped("DescribeTable", region="ap-south-1", TableName="Music")
    assert answer.checks[0].resource == f"arn:aws:dynamodb:ap-south-1:{ACCOUNT}:table/Music"
    assert answer.forward.method == "POST" and answer.forward.path == "/"
    assert dict(answer.forward.headers)["host"] == "dynamodb.ap-south-1.amazonaws.com"
    assert json.loads(answer.forward.body) == {"TableName": "Music"}


# -- input the protocol refuses -----------------------------------------------------------------


def test_a_constraint_violation_is_dynamodbs_validation_exception() -> None:
    error = refused("Scan", TableName="Music", Limit=0)
    assert (error.code, error.status) == ("ValidationException", 400)
    assert error.message == (
        "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: "
        "Member must have value greater than or equal to 1"
    )


def _raw(target: str, body: bytes) -> GatewayRequest:
    view = HttpRequestView("POST", "/", "", [("x-amz-target", target)], body)
    return GatewayRequest(view, "dynamodb", REGION, ACCOUNT, "rid")


def test_a_body_of_the_wrong_types_is_a_serialization_exception() -> None:
    with pytest.raises(ServiceError) as info:
        DynamoDB(FakeTables()).map(_raw("DynamoDB_20120810.Scan", b'{"TableName": 5}'))
    assert info.value.code == "SerializationException"
    with pytest.raises(ServiceError) as unknown:
        DynamoDB(FakeTables()).map(_raw("DynamoDB_20120810.Nope", b"{}"))
    assert unknown.value.code == "UnknownOperationException"


# -- policies, denials, errors ------------------------------------------------------------------


def _policy_request(operation: str, member: str, text: str) -> Mapped:
    """A mapped request whose body carries `text` as `member` (what `validate` reads)."""
    body = json.dumps({member: text}).encode()
    return Mapped("dynamodb", operation, (), ACCOUNT, Forward("POST", "/", "", (), body))


def test_a_malformed_resource_policy_is_refused_before_it_is_stored() -> None:
    adapter = DynamoDB(FakeTables())
    invalid = adapter.validate(_policy_request("PutResourcePolicy", "Policy", '{"Version": 1}'))
    assert invalid is not None
    assert invalid[0] == "ValidationException"
    assert invalid[1].startswith(
        "One or more parameter values were invalid: Invalid policy document: "
    )
    on_create = adapter.validate(_policy_request("CreateTable", "ResourcePolicy", "not json"))
    assert on_create is not None and on_create[0] == "ValidationException"
    good = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": OTHER},
                    "Action": "dynamodb:GetItem",
                    "Resource": TABLE,
                }
            ],
        }
    )
    assert adapter.validate(_policy_request("PutResourcePolicy", "Policy", good)) is None
    assert adapter.validate(_policy_request("DescribeTable", "TableName", "Music")) is None


def test_the_resource_policy_is_read_in_the_tables_account_and_region() -> None:
    assert DynamoDB(FakeTables()).resource_policy(THEIRS) == '{"Statement": []}'
    assert DynamoDB(FakeTables()).resource_policy(TABLE) is None


def test_access_denied_is_http_400_with_the_engines_sentence() -> None:
    decision = Decision(
        DecisionKind.IMPLICIT_DENY,
        f"arn:aws:iam::{ACCOUNT}:user/bob",
        "dynamodb:Scan",
        TABLE,
        (),
        PolicyType.IDENTITY,
        (),
        None,
    )
    code, message, status = DynamoDB(FakeTables()).denied(decision, same_account=True)
    assert (code, status) == ("AccessDeniedException", 400)
    assert message == decision.message
    assert message.startswith(
        f"User: arn:aws:iam::{ACCOUNT}:user/bob is not authorized to perform: dynamodb:Scan "
        f"on resource: {TABLE} because no identity-based policy allows the dynamodb:Scan action"
    )


def test_a_denial_on_everything_names_the_resource_star() -> None:
    decision = Decision(
        DecisionKind.IMPLICIT_DENY,
        f"arn:aws:iam::{ACCOUNT}:user/bob",
        "dynamodb:DescribeLimits",
        "*",
        (),
        PolicyType.IDENTITY,
        (),
        None,
    )
    _, message, _ = DynamoDB(FakeTables()).denied(decision, same_account=True)
    assert message == (
        f"User: arn:aws:iam::{ACCOUNT}:user/bob is not authorized to perform: "
        "dynamodb:DescribeLimits on resource: * because no identity-based policy allows the "
        "dynamodb:DescribeLimits action"
    )


def _parsed(headers: tuple[tuple[str, str], ...], body: bytes, status: int) -> Any:
    parser = botocore.parsers.create_parser("json")
    shape = load_service_model("dynamodb").operation_model("Scan").output_shape
    return parser.parse({"status_code": status, "headers": dict(headers), "body": body}, shape)


@pytest.mark.parametrize(
    ("code", "wire", "namespace", "key"),
    [
        ("AccessDeniedException", "AccessDeniedException", "com.amazon.coral.service", "Message"),
        ("ValidationException", "ValidationException", "com.amazon.coral.validate", "message"),
        (
            "InvalidClientTokenId",
            "UnrecognizedClientException",
            "com.amazon.coral.service",
            "message",
        ),
        (
            "SignatureDoesNotMatch",
            "InvalidSignatureException",
            "com.amazon.coral.service",
            "message",
        ),
        ("ExpiredToken", "ExpiredTokenException", "com.amazon.coral.service", "message"),
        ("Throttling", "ThrottlingException", "com.amazon.coral.availability", "message"),
        (
            "ResourceNotFoundException",
            "ResourceNotFoundException",
            "com.amazonaws.dynamodb.v20120810",
            "message",
        ),
    ],
)
def test_errors_are_dynamodbs_json_documents(
    code: str, wire: str, namespace: str, key: str
) -> None:
    headers, body = DynamoDB(FakeTables()).error(code, "why", 400, "rid")
    assert json.loads(body) == {"__type": f"{namespace}#{wire}", key: "why"}
    fields: Mapping[str, str] = dict(headers)
    assert fields["content-type"] == "application/x-amz-json-1.0"
    assert fields["x-amzn-requestid"] == "rid"
    assert fields["x-amz-crc32"] == str(zlib.crc32(body))
    error = _parsed(headers, body, 400)["Error"]
    assert (error["Code"], error["Message"]) == (wire, "why")


# -- moto's state -------------------------------------------------------------------------------


def test_moto_tables_reads_key_schema_tags_and_policy_and_creates_nothing() -> None:
    from moto.dynamodb.models import dynamodb_backends

    account, region = "333344445555", "eu-west-3"
    backend = dynamodb_backends[account][region]
    backend.create_table(
        "Songs",
        schema=[
            {"AttributeName": "a", "KeyType": "HASH"},
            {"AttributeName": "t", "KeyType": "RANGE"},
        ],
        throughput=None,
        attr=[
            {"AttributeName": "a", "AttributeType": "S"},
            {"AttributeName": "t", "AttributeType": "S"},
            {"AttributeName": "g", "AttributeType": "S"},
        ],
        global_indexes=[
            {
                "IndexName": "ByG",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        indexes=None,
        streams=None,
        billing_mode="PAY_PER_REQUEST",
        sse_specification=None,
        tags=[{"Key": "team", "Value": "blue"}],
        deletion_protection_enabled=False,
        warm_throughput=None,
    )
    arn = f"arn:aws:dynamodb:{region}:{account}:table/Songs"
    backend.put_resource_policy(arn, '{"Statement": []}', None)
    tables = MotoTables()
    try:
        assert tables.table(account, region, "Songs") == TableFacts(
            "a", {"ByG": "g"}, {"team": "blue"}
        )
        assert tables.policy(account, region, arn) == '{"Statement": []}'
        assert tables.table(account, region, "Nope") is None
        assert tables.table("999988887777", region, "Songs") is None
        assert "999988887777" not in dict.keys(dynamodb_backends)
        assert tables.implements("Scan", streams=False)
        assert not tables.implements("DescribeGlobalTable", streams=False)
        assert tables.implements("GetRecords", streams=True)
    finally:
        del dynamodb_backends[account]
