"""Self-service a password policy grants: AllowUsersToChangePassword lets every user change its
own password without a permissions policy
(https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_enable-user-change.html)."""

from __future__ import annotations

import botocore.exceptions
import pytest

from live_server import LiveServer


def make_user(server: LiveServer) -> object:
    iam = server.client()
    iam.create_user(UserName="pat")
    iam.create_login_profile(UserName="pat", Password="Initial-Passw0rd!")
    key = iam.create_access_key(UserName="pat")["AccessKey"]
    return server.client(key=key["AccessKeyId"], secret=key["SecretAccessKey"])


def test_without_the_policy_setting_a_user_may_not_change_its_password(server: LiveServer) -> None:
    pat = make_user(server)
    with pytest.raises(botocore.exceptions.ClientError) as info:
        pat.change_password(OldPassword="Initial-Passw0rd!", NewPassword="Another-Passw0rd!")  # type: ignore[attr-defined]
    assert info.value.response["Error"]["Code"] == "AccessDenied"


def test_allow_users_to_change_password_grants_it(server: LiveServer) -> None:
    server.client().update_account_password_policy(AllowUsersToChangePassword=True)
    pat = make_user(server)
    pat.change_password(OldPassword="Initial-Passw0rd!", NewPassword="Another-Passw0rd!")  # type: ignore[attr-defined]
    policy = pat.get_account_password_policy()["PasswordPolicy"]  # type: ignore[attr-defined]
    assert policy["AllowUsersToChangePassword"] is True
    with pytest.raises(botocore.exceptions.ClientError) as info:
        pat.list_users()  # type: ignore[attr-defined]
    assert info.value.response["Error"]["Code"] == "AccessDenied"


def test_an_explicit_deny_still_wins(server: LiveServer) -> None:
    iam = server.client()
    iam.update_account_password_policy(AllowUsersToChangePassword=True)
    pat = make_user(server)
    iam.put_user_policy(
        UserName="pat",
        PolicyName="NoChange",
        PolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Deny",'
        '"Action":"iam:ChangePassword","Resource":"*"}]}',
    )
    with pytest.raises(botocore.exceptions.ClientError) as info:
        pat.change_password(OldPassword="Initial-Passw0rd!", NewPassword="Another-Passw0rd!")  # type: ignore[attr-defined]
    assert info.value.response["Error"]["Code"] == "AccessDenied"
    assert (
        "with an explicit deny in an identity-based policy"
        in info.value.response["Error"]["Message"]
    )
