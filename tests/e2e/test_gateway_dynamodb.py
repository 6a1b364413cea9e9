"""DynamoDB through the live server's gateway, with boto3 and the AWS CLI: IAM users with
precise policies are allowed exactly the tables, items, attributes and Regions their policies
name, and denied the rest with DynamoDB's AccessDeniedException (HTTP 400); table tags, the
table's resource-based policy (same account and across accounts), transactions and PartiQL are
authorized as AWS documents them."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import botocore.exceptions
import pytest
from botocore.config import Config

from live_server import LiveServer

ACCOUNT = "123456789012"
REGION = "us-east-1"


def _arn(table: str, account: str = ACCOUNT, region: str = REGION) -> str:
    return f"arn:aws:dynamodb:{region}:{account}:table/{table}"


def _document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _allow(
    actions: str | list[str], resource: str | list[str] = "*", **extra: Any
) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": actions, "Resource": resource, **extra}


def _client(
    server: LiveServer, creds: dict[str, Any], service: str = "dynamodb", region: str = REGION
) -> Any:
    return boto3.session.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds.get("SessionToken"),
        region_name=region,
    ).client(service, endpoint_url=server.endpoint, config=Config(retries={"max_attempts": 1}))


def _user(
    server: LiveServer, name: str, *statements: dict[str, Any], iam: Any = None
) -> dict[str, Any]:
    """A user with inline policy `statements`; its access key."""
    iam = iam or server.client("iam")
    iam.create_user(UserName=name)
    if statements:
        iam.put_user_policy(
            UserName=name, PolicyName="inline", PolicyDocument=_document(*statements)
        )
    return dict(iam.create_access_key(UserName=name)["AccessKey"])


def _error(call: Callable[[], object]) -> dict[str, Any]:
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call()
    response = info.value.response
    return {**response["Error"], "Status": response["ResponseMetadata"]["HTTPStatusCode"]}


def _denied(call: Callable[[], object]) -> str:
    error = _error(call)
    assert (error["Code"], error["Status"]) == ("AccessDeniedException", 400), error
    return str(error["Message"])


def _table(ddb: Any, name: str, *items: dict[str, Any], **extra: Any) -> None:
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        **extra,
    )
    for item in items:
        ddb.put_item(TableName=name, Item=item)


def _item(pk: str, **attributes: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, **{k: {"S": v} for k, v in attributes.items()}}


@pytest.fixture
def root_ddb(server: LiveServer) -> Any:
    return server.client("dynamodb")


def test_a_user_allowed_to_scan_one_table_scans_it_and_no_other(
    server: LiveServer, root_ddb: Any
) -> None:
    _table(root_ddb, "A", _item("1", v="alpha"), _item("2", v="beta"))
    _table(root_ddb, "B", _item("1", v="secret"))
    key = _user(server, "reader", _allow("dynamodb:Scan", _arn("A")))
    ddb = _client(server, key)
    items = ddb.scan(TableName="A")["Items"]
    assert sorted(i["v"]["S"] for i in items) == ["alpha", "beta"]
    assert _denied(lambda: ddb.scan(TableName="B")) == (
        f"User: arn:aws:iam::{ACCOUNT}:user/reader is not authorized to perform: dynamodb:Scan "
        f"on resource: {_arn('B')} because no identity-based policy allows the dynamodb:Scan "
        "action"
    )
    # A missing action is denied on the allowed table too.
    assert "dynamodb:GetItem" in _denied(
        lambda: ddb.get_item(TableName="A", Key={"pk": {"S": "1"}})
    )


def test_the_aws_cli_scans_for_an_allowed_user_and_fails_for_a_denied_one(
    server: LiveServer, root_ddb: Any
) -> None:
    _table(root_ddb, "T", _item("1", v="x"))
    allowed = _user(server, "cli-allowed", _allow("dynamodb:Scan", _arn("T")))
    refused = _user(server, "cli-refused", _allow("dynamodb:Scan", _arn("Other")))
    run = server.cli(
        "dynamodb", "scan", "--table-name", "T",
        key=allowed["AccessKeyId"], secret=allowed["SecretAccessKey"],
    )  # fmt: skip
    assert run.code == 0, run.stderr
    assert run.json()["Items"] == [{"pk": {"S": "1"}, "v": {"S": "x"}}]
    failed = server.cli(
        "dynamodb", "scan", "--table-name", "T",
        key=refused["AccessKeyId"], secret=refused["SecretAccessKey"],
    )  # fmt: skip
    assert failed.code != 0
    assert "AccessDeniedException" in failed.stderr
    assert "is not authorized to perform: dynamodb:Scan" in failed.stderr


def test_tag_based_access_follows_the_tables_tags(server: LiveServer, root_ddb: Any) -> None:
    _table(root_ddb, "Blue", _item("1"), Tags=[{"Key": "team", "Value": "blue"}])
    _table(root_ddb, "Red", _item("1"), Tags=[{"Key": "team", "Value": "red"}])
    key = _user(
        server,
        "blue-team",
        _allow(
            ["dynamodb:GetItem", "dynamodb:DescribeTable"],
            Condition={"StringEquals": {"aws:ResourceTag/team": "blue"}},
        ),
    )
    ddb = _client(server, key)
    assert ddb.get_item(TableName="Blue", Key={"pk": {"S": "1"}})["Item"] == _item("1")
    assert ddb.describe_table(TableName="Blue")["Table"]["TableName"] == "Blue"
    assert "dynamodb:GetItem" in _denied(
        lambda: ddb.get_item(TableName="Red", Key={"pk": {"S": "1"}})
    )
    # Retagging the table changes the answer at once.
    root_ddb.untag_resource(ResourceArn=_arn("Blue"), TagKeys=["team"])
    _denied(lambda: ddb.get_item(TableName="Blue", Key={"pk": {"S": "1"}}))
    root_ddb.tag_resource(ResourceArn=_arn("Red"), Tags=[{"Key": "team", "Value": "blue"}])
    assert ddb.get_item(TableName="Red", Key={"pk": {"S": "1"}})["Item"] == _item("1")


def test_request_tags_decide_who_may_create_tagged_tables(server: LiveServer) -> None:
    key = _user(
        server,
        "creator",
        _allow(
            "dynamodb:CreateTable",
            Condition={"StringEquals": {"aws:RequestTag/team": "blue"}},
        ),
    )
    ddb = _client(server, key)
    _table(ddb, "Mine", Tags=[{"Key": "team", "Value": "blue"}])
    assert "dynamodb:CreateTable" in _denied(
        lambda: _table(ddb, "Theirs", Tags=[{"Key": "team", "Value": "red"}])
    )
    _denied(lambda: _table(ddb, "Untagged"))


def test_a_region_condition_allows_one_region_and_denies_another(server: LiveServer) -> None:
    key = _user(
        server,
        "regional",
        _allow(
            "dynamodb:*",
            Condition={"StringEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}},
        ),
    )
    here = _client(server, key, region="us-east-1")
    _table(here, "Orders", _item("1"))
    assert here.list_tables()["TableNames"] == ["Orders"]
    assert here.get_item(TableName="Orders", Key={"pk": {"S": "1"}})["Item"] == _item("1")
    there = _client(server, key, region="ap-south-1")
    assert _denied(lambda: there.list_tables()) == (
        f"User: arn:aws:iam::{ACCOUNT}:user/regional is not authorized to perform: "
        f"dynamodb:ListTables on resource: arn:aws:dynamodb:ap-south-1:{ACCOUNT}:table/* "
        "because no identity-based policy allows the dynamodb:ListTables action"
    )
    assert "dynamodb:DescribeLimits on resource: * because" in _denied(
        lambda: there.describe_limits()
    )
    assert f"on resource: {_arn('Orders', region='ap-south-1')}" in _denied(
        lambda: _table(there, "Orders")
    )


def test_leading_keys_limit_a_user_to_their_own_partition(
    server: LiveServer, root_ddb: Any
) -> None:
    _table(root_ddb, "Scores", _item("alice", score="10"), _item("bob", score="20"))
    key = _user(
        server,
        "alice",
        _allow(
            ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"],
            _arn("Scores"),
            Condition={"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["${aws:username}"]}},
        ),
    )
    ddb = _client(server, key)
    assert ddb.get_item(TableName="Scores", Key={"pk": {"S": "alice"}})["Item"]["score"] == {
        "S": "10"
    }
    ddb.put_item(TableName="Scores", Item=_item("alice", score="11"))
    found = ddb.query(
        TableName="Scores",
        KeyConditionExpression="pk = :me",
        ExpressionAttributeValues={":me": {"S": "alice"}},
    )["Items"]
    assert found == [_item("alice", score="11")]
    _denied(lambda: ddb.get_item(TableName="Scores", Key={"pk": {"S": "bob"}}))
    _denied(lambda: ddb.put_item(TableName="Scores", Item=_item("bob", score="0")))
    _denied(
        lambda: ddb.query(
            TableName="Scores",
            KeyConditionExpression="pk = :them",
            ExpressionAttributeValues={":them": {"S": "bob"}},
        )
    )
    assert root_ddb.get_item(TableName="Scores", Key={"pk": {"S": "bob"}})["Item"] == _item(
        "bob", score="20"
    )


def test_attributes_and_select_limit_what_a_user_reads(server: LiveServer, root_ddb: Any) -> None:
    """The Developer Guide's policy "limit access to specific attributes"."""
    _table(root_ddb, "Games", _item("p1", TopScore="99", Secret="s"))
    key = _user(
        server,
        "scorer",
        _allow(
            ["dynamodb:GetItem", "dynamodb:Query"],
            _arn("Games"),
            Condition={
                "ForAllValues:StringEquals": {"dynamodb:Attributes": ["pk", "TopScore"]},
                "StringEqualsIfExists": {"dynamodb:Select": "SPECIFIC_ATTRIBUTES"},
            },
        ),
    )
    ddb = _client(server, key)
    got = ddb.get_item(TableName="Games", Key={"pk": {"S": "p1"}}, ProjectionExpression="TopScore")
    assert got["Item"] == {"TopScore": {"S": "99"}}
    _denied(lambda: ddb.get_item(TableName="Games", Key={"pk": {"S": "p1"}}))
    _denied(
        lambda: ddb.get_item(
            TableName="Games", Key={"pk": {"S": "p1"}}, ProjectionExpression="TopScore, Secret"
        )
    )


def test_a_query_on_an_index_is_authorized_on_the_index(server: LiveServer, root_ddb: Any) -> None:
    root_ddb.create_table(
        TableName="Songs",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "genre", "AttributeType": "S"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "ByGenre",
                "KeySchema": [{"AttributeName": "genre", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    root_ddb.put_item(TableName="Songs", Item=_item("s1", genre="jazz"))
    key = _user(server, "indexer", _allow("dynamodb:Query", f"{_arn('Songs')}/index/ByGenre"))
    ddb = _client(server, key)
    query = {
        "KeyConditionExpression": "genre = :g",
        "ExpressionAttributeValues": {":g": {"S": "jazz"}},
    }
    found = ddb.query(TableName="Songs", IndexName="ByGenre", **query)["Items"]
    assert found == [_item("s1", genre="jazz")]
    assert f"on resource: {_arn('Songs')} " in _denied(
        lambda: ddb.query(
            TableName="Songs",
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": "s1"}},
        )
    )


def test_a_same_account_resource_policy_grants_a_user_without_identity_policy(
    server: LiveServer, root_ddb: Any
) -> None:
    _table(root_ddb, "Shared", _item("1", v="x"))
    key = _user(server, "guest")
    ddb = _client(server, key)
    _denied(lambda: ddb.get_item(TableName="Shared", Key={"pk": {"S": "1"}}))
    policy = _document(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/guest"},
            "Action": ["dynamodb:GetItem", "dynamodb:Query"],
            "Resource": [_arn("Shared"), f"{_arn('Shared')}/index/*"],
        }
    )
    root_ddb.put_resource_policy(ResourceArn=_arn("Shared"), Policy=policy)
    assert json.loads(root_ddb.get_resource_policy(ResourceArn=_arn("Shared"))["Policy"]) == (
        json.loads(policy)
    )
    assert ddb.get_item(TableName="Shared", Key={"pk": {"S": "1"}})["Item"] == _item("1", v="x")
    _denied(lambda: ddb.scan(TableName="Shared"))
    root_ddb.delete_resource_policy(ResourceArn=_arn("Shared"))
    _denied(lambda: ddb.get_item(TableName="Shared", Key={"pk": {"S": "1"}}))


def test_a_malformed_resource_policy_is_a_validation_exception(
    server: LiveServer, root_ddb: Any
) -> None:
    _table(root_ddb, "T")
    error = _error(
        lambda: root_ddb.put_resource_policy(ResourceArn=_arn("T"), Policy='{"Statement": 5}')
    )
    assert (error["Code"], error["Status"]) == ("ValidationException", 400)
    assert error["Message"].startswith(
        "One or more parameter values were invalid: Invalid policy document: "
    )
    assert _error(lambda: root_ddb.get_resource_policy(ResourceArn=_arn("T")))["Code"] == (
        "PolicyNotFoundException"
    )


def _member_account(server: LiveServer) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """A second account (an organization's member); the credentials of its administrator and
    of the management account's administrator who reached it."""
    org = server.client("organizations")
    org.create_organization(FeatureSet="ALL")
    asked = org.create_account(Email="member@example.com", AccountName="member")
    status = org.describe_create_account_status(
        CreateAccountRequestId=asked["CreateAccountStatus"]["Id"]
    )["CreateAccountStatus"]
    assert status["State"] == "SUCCEEDED", status
    member = str(status["AccountId"])
    admin = _user(server, "org-admin", _allow("*"))
    session = _client(server, admin, "sts").assume_role(
        RoleArn=f"arn:aws:iam::{member}:role/OrganizationAccountAccessRole",
        RoleSessionName="admin",
    )["Credentials"]
    return member, dict(session), admin


def test_cross_account_access_needs_the_tables_policy_and_the_callers_policy(
    server: LiveServer,
) -> None:
    member, member_admin, _ = _member_account(server)
    theirs = _client(server, member_admin)
    _table(theirs, "Ledger", _item("1", v="shared"))
    table = _arn("Ledger", account=member)
    key = _user(server, "partner", _allow(["dynamodb:GetItem", "dynamodb:Scan"], table))
    ddb = _client(server, key)
    # The caller's own policy is not enough across accounts.
    assert "because no resource-based policy allows the dynamodb:GetItem action" in _denied(
        lambda: ddb.get_item(TableName=table, Key={"pk": {"S": "1"}})
    )
    theirs.put_resource_policy(
        ResourceArn=table,
        Policy=_document(
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/partner"},
                "Action": "dynamodb:GetItem",
                "Resource": table,
            }
        ),
    )
    assert ddb.get_item(TableName=table, Key={"pk": {"S": "1"}})["Item"] == _item("1", v="shared")
    # The resource policy grants GetItem only.
    _denied(lambda: ddb.scan(TableName=table))
    # And a caller whose own account does not allow it stays out.
    stranger = _client(server, _user(server, "stranger"))
    _denied(lambda: stranger.get_item(TableName=table, Key={"pk": {"S": "1"}}))


def test_transactions_are_authorized_with_the_item_actions(
    server: LiveServer, root_ddb: Any
) -> None:
    _table(root_ddb, "Ledger", _item("a", v="1"))
    only_in_transactions = _user(
        server,
        "transactor",
        _allow(
            ["dynamodb:PutItem", "dynamodb:GetItem"],
            _arn("Ledger"),
            Condition={
                "ForAnyValue:StringEquals": {
                    "dynamodb:EnclosingOperation": ["TransactWriteItems", "TransactGetItems"]
                }
            },
        ),
    )
    ddb = _client(server, only_in_transactions)
    ddb.transact_write_items(TransactItems=[{"Put": {"TableName": "Ledger", "Item": _item("b")}}])
    got = ddb.transact_get_items(
        TransactItems=[{"Get": {"TableName": "Ledger", "Key": {"pk": {"S": "b"}}}}]
    )
    assert got["Responses"] == [{"Item": _item("b")}]
    _denied(lambda: ddb.put_item(TableName="Ledger", Item=_item("c")))
    assert "dynamodb:DeleteItem" in _denied(
        lambda: ddb.transact_write_items(
            TransactItems=[{"Delete": {"TableName": "Ledger", "Key": {"pk": {"S": "a"}}}}]
        )
    )


def test_partiql_selects_may_be_denied_full_table_scans(server: LiveServer, root_ddb: Any) -> None:
    """The Developer Guide's "allow Select statements and deny full table scan statements"."""
    _table(root_ddb, "Watch", _item("m1", title="Heat"), _item("m2", title="Ran"))
    key = _user(
        server,
        "watcher",
        {
            "Effect": "Deny",
            "Action": "dynamodb:PartiQLSelect",
            "Resource": _arn("Watch"),
            "Condition": {"Bool": {"dynamodb:FullTableScan": "true"}},
        },
        _allow("dynamodb:PartiQLSelect", _arn("Watch")),
    )
    ddb = _client(server, key)
    found = ddb.execute_statement(
        Statement='SELECT * FROM "Watch" WHERE pk = ?', Parameters=[{"S": "m1"}]
    )["Items"]
    assert found == [_item("m1", title="Heat")]
    message = _denied(lambda: ddb.execute_statement(Statement='SELECT * FROM "Watch"'))
    assert "dynamodb:PartiQLSelect" in message
    assert "with an explicit deny in an identity-based policy" in message
    _denied(lambda: ddb.execute_statement(Statement="DELETE FROM \"Watch\" WHERE pk = 'm1'"))


def test_input_errors_are_dynamodbs(server: LiveServer) -> None:
    key = _user(server, "nobody")
    loose = boto3.session.Session(
        aws_access_key_id=key["AccessKeyId"],
        aws_secret_access_key=key["SecretAccessKey"],
        region_name=REGION,
    ).client("dynamodb", endpoint_url=server.endpoint, config=Config(parameter_validation=False))
    error = _error(lambda: loose.scan(TableName="T", Limit=0))
    assert (error["Code"], error["Status"]) == ("ValidationException", 400)
    assert error["Message"] == (
        "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: "
        "Member must have value greater than or equal to 1"
    )
    bad_key = _client(server, {**key, "SecretAccessKey": "wrong"})
    assert _error(lambda: bad_key.list_tables())["Code"] == "InvalidSignatureException"


def test_a_missing_table_is_dynamodbs_answer_once_authorized(
    server: LiveServer, root_ddb: Any
) -> None:
    error = _error(lambda: root_ddb.describe_table(TableName="Nope"))
    assert (error["Code"], error["Status"]) == ("ResourceNotFoundException", 400)
    refused = _client(server, _user(server, "outsider"))
    _denied(lambda: refused.describe_table(TableName="Nope"))


def test_streams_are_read_with_permissions_on_the_stream(server: LiveServer, root_ddb: Any) -> None:
    _table(
        root_ddb,
        "Events",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )
    stream = root_ddb.describe_table(TableName="Events")["Table"]["LatestStreamArn"]
    root_ddb.put_item(TableName="Events", Item=_item("e1"))
    key = _user(
        server,
        "consumer",
        _allow(
            ["dynamodb:DescribeStream", "dynamodb:GetShardIterator", "dynamodb:GetRecords"],
            f"{_arn('Events')}/stream/*",
        ),
    )
    streams = _client(server, key, "dynamodbstreams")
    shard = streams.describe_stream(StreamArn=stream)["StreamDescription"]["Shards"][0]
    iterator = streams.get_shard_iterator(
        StreamArn=stream, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    records = streams.get_records(ShardIterator=iterator)["Records"]
    assert [r["dynamodb"]["NewImage"] for r in records] == [_item("e1")]
    assert "dynamodb:ListStreams on resource: * because" in _denied(lambda: streams.list_streams())
    # The stream's permissions do not reach the table.
    _denied(lambda: _client(server, key).scan(TableName="Events"))
