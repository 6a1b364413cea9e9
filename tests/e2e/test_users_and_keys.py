"""Users and access keys through boto3 and the AWS CLI, every call authorized."""

from __future__ import annotations

import botocore.exceptions
import pytest

from live_server import LiveServer


def error_of(call: object) -> dict[str, object]:
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call()  # type: ignore[operator]
    return dict(info.value.response["Error"])


def test_root_creates_a_user_and_a_key_that_works(server: LiveServer) -> None:
    iam = server.client()
    user = iam.create_user(UserName="alice", Path="/team/", Tags=[{"Key": "k", "Value": "v"}])
    assert user["User"]["Arn"] == "arn:aws:iam::123456789012:user/team/alice"
    assert user["User"]["UserId"].startswith("AIDA") and len(user["User"]["UserId"]) == 21
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    assert key["AccessKeyId"].startswith("AKIA") and len(key["AccessKeyId"]) == 20
    alice = server.client(key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    err = error_of(lambda: alice.list_users())
    assert err["Code"] == "AccessDenied"
    assert err["Message"] == (
        "User: arn:aws:iam::123456789012:user/team/alice is not authorized to perform: "
        "iam:ListUsers because no identity-based policy allows the iam:ListUsers action"
    )


def test_names_collide_ignoring_case(server: LiveServer) -> None:
    iam = server.client()
    iam.create_user(UserName="Bob")
    err = error_of(lambda: iam.create_user(UserName="bob"))
    assert err["Code"] == "EntityAlreadyExists"


def test_bad_input_gets_a_validation_error(server: LiveServer) -> None:
    err = error_of(lambda: server.client().create_user(UserName="no spaces allowed"))
    assert err["Code"] == "ValidationError"
    assert "at 'userName' failed to satisfy constraint" in str(err["Message"])


def test_wrong_secret_and_unknown_key(server: LiveServer) -> None:
    assert error_of(lambda: server.client(secret="x" * 40).list_users())["Code"] == (
        "SignatureDoesNotMatch"
    )
    unknown = server.client(key="AKIAUNKNOWNUNKNOWN00")
    assert error_of(lambda: unknown.list_users())["Code"] == "InvalidClientTokenId"


def test_a_deactivated_key_stops_at_once(server: LiveServer) -> None:
    iam = server.client()
    iam.create_user(UserName="carol")
    key = iam.create_access_key(UserName="carol")["AccessKey"]
    carol = server.client(key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    # Authenticated but without permissions: AWS answers AccessDenied, not a token error.
    assert error_of(lambda: carol.list_access_keys())["Code"] == "AccessDenied"
    iam.update_access_key(UserName="carol", AccessKeyId=key["AccessKeyId"], Status="Inactive")
    assert error_of(lambda: carol.list_access_keys())["Code"] == "InvalidClientTokenId"


def test_at_most_two_keys_and_delete_conflict(server: LiveServer) -> None:
    iam = server.client()
    iam.create_user(UserName="dave")
    iam.create_access_key(UserName="dave")
    iam.create_access_key(UserName="dave")
    assert error_of(lambda: iam.create_access_key(UserName="dave"))["Code"] == "LimitExceeded"
    err = error_of(lambda: iam.delete_user(UserName="dave"))
    assert err["Code"] == "DeleteConflict"
    assert err["Message"] == "Cannot delete entity, must delete access keys first."


def test_list_users_pages(server: LiveServer) -> None:
    iam = server.client()
    for i in range(5):
        iam.create_user(UserName=f"user{i}")
    first = iam.list_users(MaxItems=2)
    assert [u["UserName"] for u in first["Users"]] == ["user0", "user1"]
    assert first["IsTruncated"] is True
    names = [u["UserName"] for page in iam.get_paginator("list_users").paginate(
        PaginationConfig={"PageSize": 2}) for u in page["Users"]]  # fmt: skip
    assert names == [f"user{i}" for i in range(5)]


def test_the_aws_cli_works(server: LiveServer) -> None:
    made = server.cli("iam", "create-user", "--user-name", "erin")
    assert made.code == 0, made.stderr
    assert made.json()["User"]["Arn"] == "arn:aws:iam::123456789012:user/erin"
    listed = server.cli("iam", "list-users")
    assert [u["UserName"] for u in listed.json()["Users"]] == ["erin"]
    missing = server.cli("iam", "get-user", "--user-name", "nobody")
    assert missing.code != 0
    assert "NoSuchEntity" in missing.stderr


def test_reset_keeps_the_root_credentials(server: LiveServer) -> None:
    iam = server.client()
    iam.create_user(UserName="temp")
    server.reset()
    assert iam.list_users()["Users"] == []


def test_delete_user_waits_for_service_specific_credentials(server: LiveServer) -> None:
    iam = server.client()
    iam.create_user(UserName="coder")
    made = iam.create_service_specific_credential(
        UserName="coder", ServiceName="codecommit.amazonaws.com"
    )["ServiceSpecificCredential"]
    err = error_of(lambda: iam.delete_user(UserName="coder"))
    assert (err["Code"], err["Message"]) == (
        "DeleteConflict",
        "Cannot delete entity, must delete service specific credentials first.",
    )
    iam.delete_service_specific_credential(
        UserName="coder", ServiceSpecificCredentialId=made["ServiceSpecificCredentialId"]
    )
    iam.delete_user(UserName="coder")
