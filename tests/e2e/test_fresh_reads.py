"""Memoized reads never go stale: every committed write starts a new generation
(docs/server.md, "Speed without stale answers")."""

from __future__ import annotations

import json

import botocore.exceptions
import pytest

from live_server import LiveServer


def test_a_read_sees_the_write_before_it(server: LiveServer) -> None:
    iam = server.client()
    iam.create_user(UserName="fresh")
    assert "Tags" not in iam.get_user(UserName="fresh")["User"]
    iam.tag_user(UserName="fresh", Tags=[{"Key": "team", "Value": "blue"}])
    assert iam.get_user(UserName="fresh")["User"]["Tags"] == [{"Key": "team", "Value": "blue"}]
    iam.update_user(UserName="fresh", NewPath="/moved/")
    assert iam.get_user(UserName="fresh")["User"]["Path"] == "/moved/"
    assert [u["UserName"] for u in iam.list_users(PathPrefix="/moved/")["Users"]] == ["fresh"]


def test_permissions_change_on_the_next_request(server: LiveServer) -> None:
    iam = server.client()
    iam.create_user(UserName="perm")
    key = iam.create_access_key(UserName="perm")["AccessKey"]
    perm = server.client(key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    allow = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}],
    }
    iam.put_user_policy(UserName="perm", PolicyName="p", PolicyDocument=json.dumps(allow))
    assert perm.get_user(UserName="perm")["User"]["UserName"] == "perm"
    iam.delete_user_policy(UserName="perm", PolicyName="p")
    with pytest.raises(botocore.exceptions.ClientError) as info:
        perm.get_user(UserName="perm")
    assert info.value.response["Error"]["Code"] == "AccessDenied"
    iam.delete_access_key(UserName="perm", AccessKeyId=key["AccessKeyId"])
    with pytest.raises(botocore.exceptions.ClientError) as info:
        perm.get_user(UserName="perm")
    assert info.value.response["Error"]["Code"] == "InvalidClientTokenId"
