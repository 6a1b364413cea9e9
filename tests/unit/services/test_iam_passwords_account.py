"""Console passwords and the password policy, the account alias and summary, and the
credential report, through their handlers on a migrated SQLite store (each result encoded with
the botocore model, so a member the output shape does not define fails the test)."""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from localiam.catalog import ManagedPolicies
from localiam.policy import parse_caller
from localiam.protocol import ServiceError, encode_query_result, load_service_model
from localiam.services.iam._access_keys import HANDLERS as ACCESS_KEYS
from localiam.services.iam._account import HANDLERS as ACCOUNT_HANDLERS
from localiam.services.iam._context import Handler, IamContext
from localiam.services.iam._credential_report import COLUMNS
from localiam.services.iam._credential_report import HANDLERS as REPORT
from localiam.services.iam._login_profiles import HANDLERS as LOGIN_PROFILES
from localiam.services.iam._password_policy import (
    HANDLERS as PASSWORD_POLICY,
)
from localiam.services.iam._password_policy import (
    PasswordPolicy,
    default_policy_admits,
)
from localiam.services.iam._users import HANDLERS as USERS
from localiam.store import Database, IdGenerator, Secrets, select
from localiam.store.models import Account, User

ACCOUNT = "123456789012"
NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
MODEL = load_service_model("iam")
MANAGED = ManagedPolicies({"asOf": "test", "policies": []})
HANDLERS: dict[str, Handler] = {
    **USERS,
    **ACCESS_KEYS,
    **LOGIN_PROFILES,
    **PASSWORD_POLICY,
    **ACCOUNT_HANDLERS,
    **REPORT,
}


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'localiam.db'}")
    with database.transaction() as session:
        session.add(Account(id=ACCOUNT, created_at=NOW - timedelta(days=30)))
    yield database
    database.close()


Call = Callable[..., dict[str, Any]]


@pytest.fixture
def call(db: Database) -> Call:
    """Run one handler at `now`, as the root user or as the user named `as_user`."""
    ids = IdGenerator(random.Random(5))
    secrets = Secrets(Secrets.generate_key())

    def run(
        operation: str, *, now: datetime = NOW, as_user: str | None = None, **params: Any
    ) -> dict[str, Any]:
        with db.transaction() as session:
            caller, user_id = parse_caller(f"arn:aws:iam::{ACCOUNT}:root"), None
            if as_user is not None:
                user = session.scalars(select(User).where(User.name == as_user)).one()
                caller, user_id = parse_caller(user.arn), user.user_id
            ctx = IamContext(
                session=session,
                account_id=ACCOUNT,
                caller=caller,
                caller_user_id=user_id,
                now=now,
                ids=ids,
                secrets=secrets,
                managed=MANAGED,
            )
            result = HANDLERS[operation](ctx, params)
        encode_query_result(MODEL.operation_model(operation), result, "req")
        return result

    return run


def error(run: Callable[[], object]) -> ServiceError:
    with pytest.raises(ServiceError) as info:
        run()
    return info.value


# -- the policy rules --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "admitted"),
    [
        ("Abcdefg1", True),  # upper, lower, number
        ("abcdefg1!", True),  # lower, number, symbol
        ("abcdefgh", False),  # one kind only
        ("abcdefg1", False),  # two kinds
        ("Abc1!", False),  # too short
        ("Ab1!" * 33, False),  # 132 characters: too long
    ],
)
def test_default_policy(password: str, admitted: bool) -> None:
    assert default_policy_admits(password) is admitted


def test_custom_policy_rules_and_defaults() -> None:
    policy = PasswordPolicy.from_params({})
    assert policy.shape() == {
        "MinimumPasswordLength": 6,
        "RequireSymbols": False,
        "RequireNumbers": False,
        "RequireUppercaseCharacters": False,
        "RequireLowercaseCharacters": False,
        "AllowUsersToChangePassword": False,
        "ExpirePasswords": False,
    }
    assert policy.admits("aaaaaa") and not policy.admits("aaaaa")
    strict = PasswordPolicy.from_params(
        {
            "RequireSymbols": True,
            "RequireNumbers": True,
            "RequireUppercaseCharacters": True,
            "RequireLowercaseCharacters": True,
        }
    )
    assert strict.admits("aB3|xy")
    assert not strict.admits("aB3~xy")  # `~` is not one of the policy's symbols
    assert not strict.admits("ab3|xy")


# -- login profiles and ChangePassword ---------------------------------------------------------


def test_change_password_checks_the_old_one_and_the_history(call: Call) -> None:
    call("CreateUser", UserName="bob")
    call("UpdateAccountPasswordPolicy", PasswordReusePrevention=2, MaxPasswordAge=30)
    call("CreateLoginProfile", UserName="bob", Password="password-1", PasswordResetRequired=True)

    wrong = error(
        lambda: call("ChangePassword", as_user="bob", OldPassword="nope", NewPassword="password-2")
    )
    assert wrong.code == "InvalidUserType"
    same = error(
        lambda: call(
            "ChangePassword", as_user="bob", OldPassword="password-1", NewPassword="password-1"
        )
    )
    assert same.code == "PasswordPolicyViolation"
    call("ChangePassword", as_user="bob", OldPassword="password-1", NewPassword="password-2")
    profile = call("GetLoginProfile", as_user="bob")["LoginProfile"]
    assert profile["UserName"] == "bob" and profile["PasswordResetRequired"] is False
    # Two passwords remembered: password-1 is still one of them; password-3 then frees it.
    reused = error(
        lambda: call(
            "ChangePassword", as_user="bob", OldPassword="password-2", NewPassword="password-1"
        )
    )
    assert reused.code == "PasswordPolicyViolation"
    call("ChangePassword", as_user="bob", OldPassword="password-2", NewPassword="password-3")
    call("ChangePassword", as_user="bob", OldPassword="password-3", NewPassword="password-1")

    root = error(lambda: call("ChangePassword", OldPassword="a", NewPassword="b"))
    assert (root.code, root.status) == ("InvalidUserType", 400)


def test_change_password_without_a_login_profile(call: Call) -> None:
    call("CreateUser", UserName="carol")
    missing = error(
        lambda: call("ChangePassword", as_user="carol", OldPassword="a", NewPassword="b")
    )
    assert (missing.code, missing.message) == (
        "NoSuchEntity",
        "Login Profile for User carol cannot be found.",
    )


def test_login_profile_of_an_unknown_user(call: Call) -> None:
    missing = error(lambda: call("GetLoginProfile", UserName="nobody"))
    assert (missing.code, missing.message) == (
        "NoSuchEntity",
        "The user with name nobody cannot be found.",
    )


def test_delete_user_waits_for_the_login_profile(call: Call) -> None:
    call("CreateUser", UserName="dan")
    call("CreateLoginProfile", UserName="dan", Password="Password-1")
    conflict = error(lambda: call("DeleteUser", UserName="dan"))
    assert conflict.message == "Cannot delete entity, must delete login profile first."
    call("DeleteLoginProfile", UserName="dan")
    call("DeleteUser", UserName="dan")


def test_update_password_policy_replaces_it_whole(call: Call) -> None:
    call("UpdateAccountPasswordPolicy", MinimumPasswordLength=20, HardExpiry=True)
    call("UpdateAccountPasswordPolicy", RequireNumbers=True)
    assert call("GetAccountPasswordPolicy")["PasswordPolicy"] == {
        "MinimumPasswordLength": 6,
        "RequireSymbols": False,
        "RequireNumbers": True,
        "RequireUppercaseCharacters": False,
        "RequireLowercaseCharacters": False,
        "AllowUsersToChangePassword": False,
        "ExpirePasswords": False,
    }


# -- the account ---------------------------------------------------------------------------


def test_alias_is_unique_across_accounts(call: Call, db: Database) -> None:
    with db.transaction() as session:
        session.add(Account(id="210987654321", created_at=NOW, alias="taken"))
    clash = error(lambda: call("CreateAccountAlias", AccountAlias="taken"))
    assert (clash.code, clash.status) == ("EntityAlreadyExists", 409)
    call("CreateAccountAlias", AccountAlias="mine")
    call("CreateAccountAlias", AccountAlias="mine")  # again: no change
    assert call("ListAccountAliases") == {"AccountAliases": ["mine"], "IsTruncated": False}


def test_summary_counts(call: Call) -> None:
    call("CreateUser", UserName="a")
    call("CreateUser", UserName="b")
    call("CreateAccessKey")  # the root user's
    summary = call("GetAccountSummary")["SummaryMap"]
    assert set(summary) == set(MODEL.shape_for("summaryKeyType").enum)
    assert summary["Users"] == 2 and summary["Groups"] == 0 and summary["Roles"] == 0
    assert summary["AccountAccessKeysPresent"] == 1
    assert summary["PoliciesQuota"] == 1500 and summary["RolesQuota"] == 1000


# -- the credential report -----------------------------------------------------------------


def test_report_rows_and_columns(call: Call) -> None:
    absent = error(lambda: call("GetCredentialReport"))
    assert (absent.code, absent.status) == ("ReportNotPresent", 410)
    call("UpdateAccountPasswordPolicy", MaxPasswordAge=90)
    call("CreateUser", UserName="Zoe")
    call("CreateUser", UserName="amy")
    call("CreateLoginProfile", UserName="amy", Password="password-1")
    call("CreateAccessKey", UserName="amy")
    call("CreateAccessKey", UserName="amy", now=NOW + timedelta(hours=1))

    assert call("GenerateCredentialReport") == {
        "State": "STARTED",
        "Description": "No report exists. Starting a new report generation task",
    }
    later = NOW + timedelta(hours=1)
    assert call("GenerateCredentialReport", now=later) == {"State": "COMPLETE"}
    report = call("GetCredentialReport", now=later)
    assert report["ReportFormat"] == "text/csv" and report["GeneratedTime"] == NOW
    text = report["Content"].decode()
    assert text.splitlines()[0] == ",".join(COLUMNS)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["user"] for r in rows] == ["<root_account>", "amy", "Zoe"]
    root, amy, zoe = rows
    assert root == {
        "user": "<root_account>",
        "arn": f"arn:aws:iam::{ACCOUNT}:root",
        "user_creation_time": "2025-12-03T03:04:05+00:00",
        "password_enabled": "not_supported",
        "password_last_used": "no_information",
        "password_last_changed": "not_supported",
        "password_next_rotation": "not_supported",
        "mfa_active": "false",
        **{f"access_key_{n}_active": "false" for n in (1, 2)},
        **{
            f"access_key_{n}_{column}": "N/A"
            for n in (1, 2)
            for column in (
                "last_rotated",
                "last_used_date",
                "last_used_region",
                "last_used_service",
            )
        },
        "cert_1_active": "false",
        "cert_1_last_rotated": "N/A",
        "cert_2_active": "false",
        "cert_2_last_rotated": "N/A",
    }
    assert amy["password_enabled"] == "true"
    assert amy["password_last_changed"] == "2026-01-02T03:04:05+00:00"
    assert amy["password_next_rotation"] == "2026-04-02T03:04:05+00:00"
    assert amy["access_key_1_active"] == amy["access_key_2_active"] == "true"
    assert amy["access_key_1_last_rotated"] == "2026-01-02T03:04:05+00:00"
    assert amy["access_key_2_last_rotated"] == "2026-01-02T04:04:05+00:00"
    assert amy["access_key_1_last_used_date"] == "N/A"
    assert zoe["password_enabled"] == "false" and zoe["password_next_rotation"] == "N/A"

    expired = error(lambda: call("GetCredentialReport", now=NOW + timedelta(hours=5)))
    assert (expired.code, expired.status) == ("ReportExpired", 410)
    assert call("GenerateCredentialReport", now=NOW + timedelta(hours=5))["State"] == "STARTED"
