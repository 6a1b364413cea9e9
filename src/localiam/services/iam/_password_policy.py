"""The account password policy: UpdateAccountPasswordPolicy, GetAccountPasswordPolicy,
DeleteAccountPasswordPolicy, and the check every new console password goes through.

Rules from "Set an account password policy for IAM users"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html)
and the defaults of
https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAccountPasswordPolicy.html.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from localiam.protocol import ServiceError
from localiam.services.iam._context import Handler, IamContext
from localiam.store import verify_password
from localiam.store.models import Account

#: The non-alphanumeric characters a password policy counts as symbols.
SYMBOLS = frozenset("!@#$%^&*()_+-=[]{}|'")

#: The sentence AWS answers every policy violation with.
VIOLATION_MESSAGE = "Password does not conform to the account password policy."


@dataclass(frozen=True, slots=True)
class PasswordPolicy:
    """A custom password policy, as UpdateAccountPasswordPolicy sets it (absent members take
    the operation's documented defaults)."""

    minimum_length: int = 6
    require_symbols: bool = False
    require_numbers: bool = False
    require_uppercase: bool = False
    require_lowercase: bool = False
    allow_users_to_change: bool = False
    max_age_days: int | None = None
    reuse_prevention: int | None = None
    hard_expiry: bool | None = None

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> PasswordPolicy:
        """The policy an UpdateAccountPasswordPolicy request sets: no partial updates, every
        member left out reverts to its default."""
        return cls(
            minimum_length=int(params.get("MinimumPasswordLength", 6)),
            require_symbols=bool(params.get("RequireSymbols", False)),
            require_numbers=bool(params.get("RequireNumbers", False)),
            require_uppercase=bool(params.get("RequireUppercaseCharacters", False)),
            require_lowercase=bool(params.get("RequireLowercaseCharacters", False)),
            allow_users_to_change=bool(params.get("AllowUsersToChangePassword", False)),
            max_age_days=params.get("MaxPasswordAge"),
            reuse_prevention=params.get("PasswordReusePrevention"),
            hard_expiry=params.get("HardExpiry"),
        )

    @classmethod
    def from_shape(cls, shape: Mapping[str, Any]) -> PasswordPolicy:
        """The policy stored as its `PasswordPolicy` shape (`Account.password_policy`)."""
        return cls.from_params(shape)

    def shape(self) -> dict[str, Any]:
        """The `PasswordPolicy` shape of GetAccountPasswordPolicy; members never set are left
        out, and `ExpirePasswords` says whether passwords expire."""
        out: dict[str, Any] = {
            "MinimumPasswordLength": self.minimum_length,
            "RequireSymbols": self.require_symbols,
            "RequireNumbers": self.require_numbers,
            "RequireUppercaseCharacters": self.require_uppercase,
            "RequireLowercaseCharacters": self.require_lowercase,
            "AllowUsersToChangePassword": self.allow_users_to_change,
            "ExpirePasswords": self.max_age_days is not None,
        }
        if self.max_age_days is not None:
            out["MaxPasswordAge"] = self.max_age_days
        if self.reuse_prevention is not None:
            out["PasswordReusePrevention"] = self.reuse_prevention
        if self.hard_expiry is not None:
            out["HardExpiry"] = self.hard_expiry
        return out

    def admits(self, password: str) -> bool:
        """Whether `password` meets the length and character-type rules."""
        if len(password) < self.minimum_length:
            return False
        classes = _classes(password)
        wanted = (
            (self.require_uppercase, "upper"),
            (self.require_lowercase, "lower"),
            (self.require_numbers, "number"),
            (self.require_symbols, "symbol"),
        )
        return all(kind in classes for required, kind in wanted if required)


def _classes(password: str) -> set[str]:
    found: set[str] = set()
    for char in password:
        if "A" <= char <= "Z":
            found.add("upper")
        elif "a" <= char <= "z":
            found.add("lower")
        elif "0" <= char <= "9":
            found.add("number")
        elif char in SYMBOLS:
            found.add("symbol")
    return found


def default_policy_admits(password: str) -> bool:
    """The default AWS password policy, in force while the account has no custom one: 8 to
    128 characters, and at least three of uppercase, lowercase, numbers and symbols.

    (Its third rule, "not identical to your AWS account name or email address", has nothing
    to compare with: a localiam account has neither.)
    """
    return 8 <= len(password) <= 128 and len(_classes(password)) >= 3


def account_policy(ctx: IamContext) -> PasswordPolicy | None:
    """The account's custom password policy, or None while it has none."""
    account = ctx.session.get(Account, ctx.account_id)
    if account is None or account.password_policy is None:
        return None
    return PasswordPolicy.from_shape(account.password_policy)


def violation() -> ServiceError:
    """`PasswordPolicyViolation` (400)."""
    return ServiceError("PasswordPolicyViolation", VIOLATION_MESSAGE, 400)


def check_new_password(ctx: IamContext, password: str, recent_hashes: Iterable[str] = ()) -> None:
    """Refuse `password` unless the account's policy (or the default one) admits it.

    `recent_hashes` are the user's passwords, newest first (the current one first): with
    `PasswordReusePrevention` N, the password may not be any of the N most recent ones.
    """
    policy = account_policy(ctx)
    if policy is None:
        if not default_policy_admits(password):
            raise violation()
        return
    if not policy.admits(password):
        raise violation()
    if policy.reuse_prevention:
        for index, old_hash in enumerate(recent_hashes):
            if index >= policy.reuse_prevention:
                break
            if verify_password(old_hash, password):
                raise violation()


def _no_policy(account_id: str) -> ServiceError:
    return ServiceError(
        "NoSuchEntity", f"The Password Policy with domain name {account_id} cannot be found.", 404
    )


def _account(ctx: IamContext) -> Account:
    account = ctx.session.get(Account, ctx.account_id)
    if account is None:  # the server creates the account before any request reaches here
        raise _no_policy(ctx.account_id)
    return account


def update_account_password_policy(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    _account(ctx).password_policy = PasswordPolicy.from_params(params).shape()
    return {}


def get_account_password_policy(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    policy = account_policy(ctx)
    if policy is None:
        raise _no_policy(ctx.account_id)
    return {"PasswordPolicy": policy.shape()}


def delete_account_password_policy(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    account = _account(ctx)
    if account.password_policy is None:
        raise _no_policy(ctx.account_id)
    account.password_policy = None
    return {}


HANDLERS: dict[str, Handler] = {
    "UpdateAccountPasswordPolicy": update_account_password_policy,
    "GetAccountPasswordPolicy": get_account_password_policy,
    "DeleteAccountPasswordPolicy": delete_account_password_policy,
}
