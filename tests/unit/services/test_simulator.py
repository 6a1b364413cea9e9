"""The simulator handlers on a migrated SQLite store whose users, groups, roles and policies are
added as rows (no other handler involved). Every result is encoded with the botocore model, so
a member its output shape does not define fails the test."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from localiam.authz import AuthorizationPolicies, Request, evaluate
from localiam.catalog import ManagedPolicies
from localiam.policy import PolicyKind, parse_caller, parse_policy
from localiam.protocol import ServiceError, encode_query_result, load_service_model
from localiam.services.iam._context import IamContext
from localiam.services.iam._sim_positions import statement_spans
from localiam.services.iam._simulator import HANDLERS
from localiam.store import Database, IdGenerator, Secrets
from localiam.store.models import (
    Account,
    Group,
    GroupMembership,
    InlinePolicy,
    ManagedPolicy,
    PolicyAttachment,
    PolicyVersion,
    PrincipalType,
    Role,
    User,
)

ACCOUNT = "123456789012"
OTHER = "444455556666"
NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
MODEL = load_service_model("iam")
AWS_READ = "arn:aws:iam::aws:policy/S3ReadForTests"
MANAGED = ManagedPolicies(
    {
        "asOf": "test",
        "policies": [
            {
                "name": "S3ReadForTests",
                "path": "/",
                "arn": AWS_READ,
                "defaultVersionId": "v3",
                "createDate": "2015-02-06T18:40:00+00:00",
                "updateDate": "2021-09-27T20:16:00+00:00",
                "document": {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}],
                },
            }
        ],
    }
)
USER_ARN = f"arn:aws:iam::{ACCOUNT}:user/team/alice"


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action: str, resource: str = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: str, resource: str = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'localiam.db'}")
    with database.transaction() as session:
        session.add(Account(id=ACCOUNT, created_at=NOW))
    yield database
    database.close()


class Rows:
    """Adds IAM rows straight to the store."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.ids = IdGenerator(random.Random(3))

    def add(self, *rows: Any) -> None:
        with self.db.transaction() as session:
            for row in rows:
                session.add(row)
                session.flush()

    def user(self, name: str, path: str = "/", boundary: str | None = None) -> User:
        user = User(
            user_id=self.ids.new_unique_id("AIDA"),
            account_id=ACCOUNT,
            name=name,
            path=path,
            arn=f"arn:aws:iam::{ACCOUNT}:user{path}{name}",
            created_at=NOW,
            permissions_boundary_arn=boundary,
        )
        self.add(user)
        return user

    def group(self, name: str, *members: User) -> Group:
        group = Group(
            group_id=self.ids.new_unique_id("AGPA"),
            account_id=ACCOUNT,
            name=name,
            path="/",
            arn=f"arn:aws:iam::{ACCOUNT}:group/{name}",
            created_at=NOW,
        )
        self.add(group)
        self.add(*(GroupMembership(group_id=group.group_id, user_id=m.user_id) for m in members))
        return group

    def role(self, name: str, boundary: str | None = None) -> Role:
        trust = doc({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                     "Action": "sts:AssumeRole"})  # fmt: skip
        role = Role(
            role_id=self.ids.new_unique_id("AROA"),
            account_id=ACCOUNT,
            name=name,
            path="/",
            arn=f"arn:aws:iam::{ACCOUNT}:role/{name}",
            created_at=NOW,
            assume_role_policy=trust,
            permissions_boundary_arn=boundary,
        )
        self.add(role)
        return role

    def inline(self, kind: PrincipalType, owner_id: str, name: str, text: str) -> None:
        self.add(
            InlinePolicy(
                account_id=ACCOUNT,
                principal_type=kind,
                principal_id=owner_id,
                name=name,
                document=text,
            )
        )

    def managed(self, name: str, text: str) -> str:
        policy_id = self.ids.new_unique_id("ANPA")
        arn = f"arn:aws:iam::{ACCOUNT}:policy/{name}"
        self.add(
            ManagedPolicy(
                policy_id=policy_id,
                account_id=ACCOUNT,
                name=name,
                path="/",
                arn=arn,
                created_at=NOW,
                updated_at=NOW,
            ),
            PolicyVersion(
                policy_id=policy_id,
                version_id="v1",
                document=text,
                is_default=True,
                created_at=NOW,
            ),
        )
        return arn

    def attach(self, kind: PrincipalType, owner_id: str, arn: str) -> None:
        self.add(
            PolicyAttachment(
                account_id=ACCOUNT, policy_arn=arn, principal_type=kind, principal_id=owner_id
            )
        )


@pytest.fixture
def rows(db: Database) -> Rows:
    return Rows(db)


Call = Callable[..., dict[str, Any]]


@pytest.fixture
def call(db: Database) -> Call:
    """Run one handler as the root user, in its own transaction; check the result's shape."""

    def run(operation: str, **params: Any) -> dict[str, Any]:
        with db.transaction() as session:
            ctx = IamContext(
                session=session,
                account_id=ACCOUNT,
                caller=parse_caller(f"arn:aws:iam::{ACCOUNT}:root"),
                caller_user_id=None,
                now=NOW,
                ids=IdGenerator(random.Random(1)),
                secrets=Secrets(Secrets.generate_key()),
                managed=MANAGED,
            )
            result = HANDLERS[operation](ctx, params)
        encode_query_result(MODEL.operation_model(operation), result, "req")
        return result

    return run


def error_of(call: Call, operation: str, **params: Any) -> ServiceError:
    with pytest.raises(ServiceError) as info:
        call(operation, **params)
    return info.value


def decisions(result: dict[str, Any]) -> dict[str, str]:
    return {r["EvalActionName"]: r["EvalDecision"] for r in result["EvaluationResults"]}


def positions(text: str, index: int) -> dict[str, Any]:
    span = statement_spans(text)[index]
    return {"StartPosition": span.start.to_shape(), "EndPosition": span.end.to_shape()}


# -- SimulatePrincipalPolicy -------------------------------------------------------------------


@pytest.fixture
def alice(rows: Rows) -> User:
    """alice: an inline policy, AWS managed S3 reads, and a group with a deny and a customer
    managed policy."""
    alice = rows.user("alice", "/team/")
    rows.inline(PrincipalType.USER, alice.user_id, "sqs", ALICE_INLINE)
    rows.attach(PrincipalType.USER, alice.user_id, AWS_READ)
    devs = rows.group("devs", alice)
    rows.inline(PrincipalType.GROUP, devs.group_id, "no-secrets", DEVS_INLINE)
    rows.attach(PrincipalType.GROUP, devs.group_id, rows.managed("ddb", DDB))
    return alice


ALICE_INLINE = doc(allow("sqs:SendMessage"), allow("s3:PutObject", "arn:aws:s3:::bucket/*"))
DEVS_INLINE = doc(deny("s3:GetObject", "arn:aws:s3:::secrets/*"))
DDB = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": {
            "Effect": "Allow",
            "Action": "dynamodb:GetItem",
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:username": "alice"}},
        },
    },
    indent=2,
)


def test_a_user_is_simulated_with_its_own_and_its_groups_policies(call: Call, alice: User) -> None:
    result = call(
        "SimulatePrincipalPolicy",
        PolicySourceArn=USER_ARN,
        ActionNames=["sqs:SendMessage", "s3:GetObject", "dynamodb:GetItem", "iam:CreateUser"],
    )
    assert decisions(result) == {
        "sqs:SendMessage": "allowed",
        "s3:GetObject": "allowed",
        "dynamodb:GetItem": "implicitDeny",  # aws:username is not derived: it must be given
        "iam:CreateUser": "implicitDeny",
    }
    send, get, ddb, _ = result["EvaluationResults"]
    assert send["EvalResourceName"] == "*"
    assert send["MatchedStatements"] == [
        {"SourcePolicyId": "user_alice_sqs", "SourcePolicyType": "IAM Policy",
         **positions(ALICE_INLINE, 0)}
    ]  # fmt: skip
    aws_text = json.dumps(MANAGED.get(AWS_READ).document)  # type: ignore[union-attr]
    assert get["MatchedStatements"] == [
        {"SourcePolicyId": "S3ReadForTests", "SourcePolicyType": "IAM Policy",
         **positions(aws_text, 0)}
    ]  # fmt: skip
    assert ddb["MatchedStatements"] == []
    assert ddb["MissingContextValues"] == ["aws:username"]
    assert "ResourceSpecificResults" not in send and "EvalDecisionDetails" not in send


def test_context_entries_and_group_policies_decide_per_resource(call: Call, alice: User) -> None:
    result = call(
        "SimulatePrincipalPolicy",
        PolicySourceArn=USER_ARN,
        ActionNames=["dynamodb:GetItem", "s3:GetObject"],
        ResourceArns=["arn:aws:s3:::public/a", "arn:aws:s3:::secrets/b"],
        ContextEntries=[
            {"ContextKeyName": "aws:username", "ContextKeyValues": ["alice"],
             "ContextKeyType": "string"}
        ],
    )  # fmt: skip
    ddb, get = result["EvaluationResults"]
    assert ddb["EvalDecision"] == "allowed"
    assert ddb["MatchedStatements"] == [
        {"SourcePolicyId": "ddb", "SourcePolicyType": "IAM Policy", **positions(DDB, 0)}
    ]
    assert positions(DDB, 0)["StartPosition"] == {"Line": 3, "Column": 17}
    assert ddb["MissingContextValues"] == []
    # The most restrictive decision across the resources; the deny behind it.
    assert get["EvalDecision"] == "explicitDeny"
    assert get["EvalResourceName"] == "arn:${Partition}:s3:::${BucketName}/${ObjectName}"
    assert get["MatchedStatements"] == [
        {"SourcePolicyId": "group_devs_no-secrets", "SourcePolicyType": "IAM Policy",
         **positions(DEVS_INLINE, 0)}
    ]  # fmt: skip
    assert get["EvalDecisionDetails"] == {}
    public, secret = get["ResourceSpecificResults"]
    assert (public["EvalResourceName"], public["EvalResourceDecision"]) == (
        "arn:aws:s3:::public/a",
        "allowed",
    )
    assert public["MatchedStatements"][0]["SourcePolicyId"] == "S3ReadForTests"
    assert (secret["EvalResourceDecision"], secret["MatchedStatements"]) == (
        "explicitDeny",
        get["MatchedStatements"],
    )
    assert "EvalDecisionDetails" not in public  # same account


def test_decisions_agree_with_the_engine(call: Call, alice: User) -> None:
    """Every pair decided as `evaluate` decides the same policies (what `localiam authorize`
    runs), given the context the engine derives for alice."""
    actions = ["s3:GetObject", "s3:PutObject", "sqs:SendMessage", "dynamodb:GetItem"]
    resources = ["arn:aws:s3:::bucket/k", "arn:aws:s3:::secrets/k", "*"]
    result = call(
        "SimulatePrincipalPolicy",
        PolicySourceArn=USER_ARN,
        ActionNames=actions,
        ResourceArns=resources,
        ContextEntries=[{"ContextKeyName": "aws:username", "ContextKeyValues": ["alice"],
                         "ContextKeyType": "string"}],
    )  # fmt: skip
    aws_text = json.dumps(MANAGED.get(AWS_READ).document)  # type: ignore[union-attr]
    texts = [ALICE_INLINE, aws_text, DEVS_INLINE, DDB]
    policies = AuthorizationPolicies.build(
        identity=[(str(i), parse_policy(t, PolicyKind.IDENTITY)) for i, t in enumerate(texts)]
    )
    for evaluation in result["EvaluationResults"]:
        for specific in evaluation["ResourceSpecificResults"]:
            request = Request.build(
                USER_ARN, evaluation["EvalActionName"], specific["EvalResourceName"]
            )
            expected = evaluate(request, policies).decision.value
            assert specific["EvalResourceDecision"] == expected


def test_input_policies_boundaries_and_exclusions(call: Call, rows: Rows, alice: User) -> None:
    boundary_arn = rows.managed("only-sqs", doc(allow("sqs:*")))
    bob = rows.user("bob", boundary=boundary_arn)
    rows.inline(PrincipalType.USER, bob.user_id, "all", doc(allow("*")))
    bob_arn = f"arn:aws:iam::{ACCOUNT}:user/bob"
    result = call(
        "SimulatePrincipalPolicy",
        PolicySourceArn=bob_arn,
        ActionNames=["sqs:SendMessage", "s3:GetObject"],
    )
    send, get = result["EvaluationResults"]
    assert send["EvalDecision"] == "allowed"
    assert send["PermissionsBoundaryDecisionDetail"] == {"AllowedByPermissionsBoundary": True}
    assert get["EvalDecision"] == "implicitDeny"
    assert get["PermissionsBoundaryDecisionDetail"] == {"AllowedByPermissionsBoundary": False}
    # The boundary given in the request replaces the stored one.
    result = call(
        "SimulatePrincipalPolicy",
        PolicySourceArn=bob_arn,
        ActionNames=["sqs:SendMessage", "s3:GetObject"],
        PermissionsBoundaryPolicyInputList=[doc(allow("s3:*"))],
    )
    assert decisions(result) == {"sqs:SendMessage": "implicitDeny", "s3:GetObject": "allowed"}
    # Excluding the boundary and adding a deny as an input policy.
    extra = doc(deny("sqs:SendMessage"))
    result = call(
        "SimulatePrincipalPolicy",
        PolicySourceArn=bob_arn,
        ActionNames=["sqs:SendMessage", "s3:GetObject"],
        PolicyInputList=[extra],
        PolicyExclusionList=[{"PolicyType": "permission-boundary"}],
    )
    send, get = result["EvaluationResults"]
    assert decisions(result) == {"sqs:SendMessage": "explicitDeny", "s3:GetObject": "allowed"}
    assert send["MatchedStatements"] == [
        {"SourcePolicyId": "PolicyInputList.1", "SourcePolicyType": "IAM Policy",
         **positions(extra, 0)}
    ]  # fmt: skip
    assert "PermissionsBoundaryDecisionDetail" not in send
    # Excluding alice's inline policy by name and holder, and her AWS managed policy by ARN.
    result = call(
        "SimulatePrincipalPolicy",
        PolicySourceArn=USER_ARN,
        ActionNames=["sqs:SendMessage", "s3:GetObject"],
        PolicyExclusionList=[
            {"InlinePolicyIdentifier": {"PolicyName": "sqs", "AttachmentType": "user",
                                        "AttachmentName": "alice"}},
            {"PolicyArn": AWS_READ},
        ],
    )  # fmt: skip
    assert decisions(result) == {"sqs:SendMessage": "implicitDeny", "s3:GetObject": "implicitDeny"}


def test_groups_and_roles_are_policy_sources(call: Call, rows: Rows, alice: User) -> None:
    group = call(
        "SimulatePrincipalPolicy",
        PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:group/devs",
        ActionNames=["sqs:SendMessage", "s3:GetObject"],
        ResourceArns=["arn:aws:s3:::secrets/x"],
    )
    assert decisions(group) == {"sqs:SendMessage": "implicitDeny", "s3:GetObject": "explicitDeny"}
    role = rows.role("app")
    rows.inline(PrincipalType.ROLE, role.role_id, "queue", doc(allow("sqs:*")))
    result = call("SimulatePrincipalPolicy", PolicySourceArn=role.arn, ActionNames=["sqs:Send"])
    assert result["EvaluationResults"][0]["MatchedStatements"][0]["SourcePolicyId"] == (
        "role_app_queue"
    )
    err = error_of(
        call,
        "SimulatePrincipalPolicy",
        PolicySourceArn=role.arn,
        ActionNames=["sqs:Send"],
        ResourcePolicy=doc({"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}),
    )
    assert (err.code, err.message) == (
        "InvalidInput",
        "Invalid caller - Caller must be an IAM user in this context.",
    )


def test_resource_policies_same_and_cross_account(call: Call, rows: Rows) -> None:
    carol = rows.user("carol")
    carol_arn = carol.arn
    grant = doc(
        {"Effect": "Allow", "Principal": {"AWS": carol_arn}, "Action": "sqs:*", "Resource": "*"}
    )
    own_queue = f"arn:aws:sqs:us-east-1:{ACCOUNT}:q"
    other_queue = f"arn:aws:sqs:us-east-1:{OTHER}:q"
    result = call(
        "SimulatePrincipalPolicy",
        PolicySourceArn=carol_arn,
        ActionNames=["sqs:SendMessage"],
        ResourceArns=[own_queue],
        ResourcePolicy=grant,
    )
    (only,) = result["EvaluationResults"]
    assert only["EvalDecision"] == "allowed"
    assert only["MatchedStatements"] == [
        {"SourcePolicyId": "ResourcePolicy", "SourcePolicyType": "Resource Policy",
         **positions(grant, 0)}
    ]  # fmt: skip
    # Cross-account: the resource policy allows, but no identity-based policy does.
    result = call(
        "SimulatePrincipalPolicy",
        PolicySourceArn=carol_arn,
        ActionNames=["sqs:SendMessage"],
        ResourceArns=[other_queue],
        ResourcePolicy=grant,
    )
    (only,) = result["EvaluationResults"]
    assert only["EvalDecision"] == "implicitDeny"
    details = {"IAM Policy": "implicitDeny", "Resource Policy": "allowed"}
    assert only["EvalDecisionDetails"] == details
    assert only["ResourceSpecificResults"][0]["EvalDecisionDetails"] == details
    # ResourceOwner makes an S3 ARN (which names no account) another account's.
    rows.inline(PrincipalType.USER, carol.user_id, "s3", doc(allow("s3:*")))
    result = call(
        "SimulatePrincipalPolicy",
        PolicySourceArn=carol_arn,
        ActionNames=["s3:GetObject"],
        ResourceArns=["arn:aws:s3:::theirs/k"],
        ResourceOwner=f"arn:aws:iam::{OTHER}:root",
        ResourcePolicy=doc(
            {"Effect": "Allow", "Principal": {"AWS": ACCOUNT}, "Action": "s3:GetObject",
             "Resource": "arn:aws:s3:::theirs/*"}
        ),
    )  # fmt: skip
    (only,) = result["EvaluationResults"]
    assert only["EvalDecision"] == "allowed"
    assert only["EvalDecisionDetails"] == {"IAM Policy": "allowed", "Resource Policy": "allowed"}


def test_principal_errors_are_aws_errors(call: Call, alice: User) -> None:
    cases = [
        (f"arn:aws:iam::{ACCOUNT}:user/nobody", "NoSuchEntity",
         "The user with name nobody cannot be found."),
        (f"arn:aws:iam::{ACCOUNT}:user/alice", "NoSuchEntity",  # wrong path
         "The user with name alice cannot be found."),
        (f"arn:aws:iam::{ACCOUNT}:role/none", "NoSuchEntity",
         "The role with name none cannot be found."),
        (f"arn:aws:sts::{ACCOUNT}:assumed-role/r/s", "InvalidInput",
         f"Invalid Entity Arn: arn:aws:sts::{ACCOUNT}:assumed-role/r/s does not clearly define "
         "entity type and name."),
        (f"arn:aws:iam::{OTHER}:user/alice", "InvalidInput",
         f"Invalid Policy Source Arn: caller's account {ACCOUNT} does not have access to "
         f"policies in account {OTHER}"),
    ]  # fmt: skip
    for arn, code, message in cases:
        err = error_of(call, "SimulatePrincipalPolicy", PolicySourceArn=arn, ActionNames=["s3:X"])
        assert (err.code, err.message) == (code, message)
        err = error_of(call, "GetContextKeysForPrincipalPolicy", PolicySourceArn=arn)
        assert err.code == code


def test_bad_input_is_refused(call: Call, alice: User) -> None:
    base = {"PolicySourceArn": USER_ARN, "ActionNames": ["s3:GetObject"]}
    err = error_of(call, "SimulatePrincipalPolicy", **base, PolicyInputList=['{"Version": 1}'])
    assert err.code == "MalformedPolicyDocument"
    err = error_of(
        call,
        "SimulatePrincipalPolicy",
        **base,
        ContextEntries=[{"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["x"],
                         "ContextKeyType": "ip"}],
    )  # fmt: skip
    assert err.code == "InvalidInput"
    for action in ("s3:*", "GetObject"):
        err = error_of(call, "SimulatePrincipalPolicy", PolicySourceArn=USER_ARN,
                       ActionNames=[action])  # fmt: skip
        assert err.code == "InvalidInput"
    err = error_of(call, "SimulatePrincipalPolicy", **base, Marker="not-a-marker")
    assert err.code == "InvalidInput"
    err = error_of(
        call, "SimulatePrincipalPolicy", **base, PolicyExclusionList=[{"PolicyArn": "arn:x*"}]
    )
    assert err.code == "InvalidInput"


# -- SimulateCustomPolicy ----------------------------------------------------------------------


def test_custom_policies_page_through_the_actions(call: Call) -> None:
    policy = doc(allow("s3:*"))
    params: dict[str, Any] = {
        "PolicyInputList": [policy],
        "ActionNames": ["s3:GetObject", "s3:PutObject", "ec2:RunInstances"],
        "MaxItems": 2,
    }
    first = call("SimulateCustomPolicy", **params)
    assert decisions(first) == {"s3:GetObject": "allowed", "s3:PutObject": "allowed"}
    assert first["IsTruncated"] is True
    second = call("SimulateCustomPolicy", **params, Marker=first["Marker"])
    assert decisions(second) == {"ec2:RunInstances": "implicitDeny"}
    assert second["IsTruncated"] is False and "Marker" not in second


def test_scps_in_custom_simulations(call: Call) -> None:
    full = doc(allow("*"))
    no_ec2 = doc(deny("ec2:*"))
    result = call(
        "SimulateCustomPolicy",
        PolicyInputList=[doc(allow("ec2:*"), allow("s3:*"))],
        ActionNames=["ec2:RunInstances", "s3:GetObject", "sqs:SendMessage"],
        OrderedOrganizationPolicyInputList=[
            {"ServiceControlPolicyInputList": [full]},
            {"ServiceControlPolicyInputList": [doc(allow("ec2:*"), allow("s3:*")), no_ec2]},
        ],
    )
    run, get, send = result["EvaluationResults"]
    assert (run["EvalDecision"], run["OrganizationsDecisionDetail"]) == (
        "explicitDeny",
        {"AllowedByOrganizations": False},
    )
    assert run["MatchedStatements"] == []  # SCP statements are not listed
    assert (get["EvalDecision"], get["OrganizationsDecisionDetail"]) == (
        "allowed",
        {"AllowedByOrganizations": True},
    )
    assert send["EvalDecision"] == "implicitDeny"


def test_missing_context_values_are_every_key_the_policies_name(call: Call) -> None:
    policy = doc(
        allow("s3:ListBucket", "arn:aws:s3:::b",
              Condition={"StringLike": {"aws:PrincipalTag/svc": "s3"}}),
        allow("s3:GetObject", "arn:aws:s3:::b/${aws:username}"),
    )  # fmt: skip
    result = call(
        "SimulateCustomPolicy",
        PolicyInputList=[policy],
        ActionNames=["s3:ListBucket"],
        ResourceArns=["arn:aws:s3:::b"],
        ContextEntries=[{"ContextKeyName": "aws:principaltag/SVC", "ContextKeyValues": ["s3"],
                         "ContextKeyType": "string"}],
    )  # fmt: skip
    (only,) = result["EvaluationResults"]
    assert only["EvalDecision"] == "allowed"
    assert only["MissingContextValues"] == ["aws:username"]
    assert only["ResourceSpecificResults"][0]["MissingContextValues"] == ["aws:username"]


def test_a_resource_policy_needs_a_user_caller(call: Call) -> None:
    grant = doc({"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"})
    params: dict[str, Any] = {
        "PolicyInputList": [doc(allow("sqs:*"))],
        "ActionNames": ["s3:GetObject"],
        "ResourcePolicy": grant,
    }
    assert error_of(call, "SimulateCustomPolicy", **params).code == "InvalidInput"
    err = error_of(
        call, "SimulateCustomPolicy", **params, CallerArn=f"arn:aws:iam::{ACCOUNT}:role/r"
    )
    assert err.message == "Invalid caller - Caller must be an IAM user in this context."
    result = call("SimulateCustomPolicy", **params, CallerArn=f"arn:aws:iam::{ACCOUNT}:user/u")
    assert decisions(result) == {"s3:GetObject": "allowed"}
    err = error_of(call, "SimulateCustomPolicy", **{**params, "ResourcePolicy": "{"})
    assert err.code == "MalformedPolicyDocument"


# -- GetContextKeys ----------------------------------------------------------------------------


def test_context_keys_of_a_user_include_its_groups_not_its_boundary(
    call: Call, rows: Rows, alice: User
) -> None:
    boundary_arn = rows.managed(
        "b", doc(allow("*", Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}))
    )
    with_condition = doc(allow("s3:*", Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))
    dave = rows.user("dave", boundary=boundary_arn)
    rows.group("auditors", dave)
    rows.inline(PrincipalType.USER, dave.user_id, "ip", with_condition)
    result = call("GetContextKeysForPrincipalPolicy", PolicySourceArn=dave.arn)
    assert result == {"ContextKeyNames": ["aws:SourceIp"]}
    result = call(
        "GetContextKeysForPrincipalPolicy",
        PolicySourceArn=USER_ARN,
        PolicyInputList=[doc(allow("s3:*", "arn:aws:s3:::b/${aws:userid}"))],
    )
    assert result == {"ContextKeyNames": ["aws:username", "aws:userid"]}


def test_context_keys_of_custom_policies(call: Call) -> None:
    resource_policy = doc(
        {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
    )  # fmt: skip
    result = call(
        "GetContextKeysForCustomPolicy",
        PolicyInputList=[doc(allow("*")), resource_policy],
    )
    assert result == {"ContextKeyNames": ["aws:SecureTransport"]}
    err = error_of(call, "GetContextKeysForCustomPolicy", PolicyInputList=["not json"])
    assert err.code == "MalformedPolicyDocument"
