"""Console passwords: CreateLoginProfile, GetLoginProfile, UpdateLoginProfile,
DeleteLoginProfile and ChangePassword
(https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_admin-change-user.html).

Passwords are kept only as argon2 hashes; each new one is checked against the account
password policy (`_password_policy.check_new_password`), earlier hashes are kept newest first
for `PasswordReusePrevention`.
"""

from __future__ import annotations

from typing import Any

from localiam.protocol import ServiceError
from localiam.services.iam._context import Handler, IamContext
from localiam.services.iam._lookup import get_user_row, target_user_name
from localiam.services.iam._password_policy import check_new_password
from localiam.store import hash_password, verify_password
from localiam.store.models import LoginProfile, User

#: The most earlier passwords any policy can ask about (`PasswordReusePrevention` is 1 to 24).
HISTORY_LENGTH = 24


def _no_profile(user_name: str) -> ServiceError:
    return ServiceError("NoSuchEntity", f"Login Profile for User {user_name} cannot be found.", 404)


def _user(ctx: IamContext, params: dict[str, Any]) -> User:
    """The user named by `UserName`, else the calling user. The root user's own login profile
    is reachable only from an AssumeRoot session, which localiam does not issue."""
    name = target_user_name(ctx, params.get("UserName"))
    if name is None:
        raise ServiceError(
            "ValidationError",
            "1 validation error detected: Value null at 'userName' failed to satisfy "
            "constraint: Member must not be null",
            400,
        )
    return get_user_row(ctx, name)


def _profile(ctx: IamContext, user: User) -> LoginProfile:
    profile = ctx.session.get(LoginProfile, user.user_id)
    if profile is None:
        raise _no_profile(user.name)
    return profile


def _unsupported_session_duration(params: dict[str, Any]) -> None:
    if "MaxSigninSessionDuration" in params or params.get("ResetMaxSigninSessionDuration"):
        raise ServiceError(
            "NotImplemented",
            "localiam does not implement MaxSigninSessionDuration yet.",
            501,
            sender=False,
        )


def profile_shape(user: User, profile: LoginProfile) -> dict[str, Any]:
    return {
        "UserName": user.name,
        "CreateDate": profile.created_at,
        "PasswordResetRequired": profile.password_reset_required,
    }


def set_password(ctx: IamContext, profile: LoginProfile, password: str) -> None:
    """Check `password` against the policy and the profile's recent passwords, then store it."""
    recent = [profile.password_hash, *profile.previous_password_hashes]
    check_new_password(ctx, password, recent)
    profile.previous_password_hashes = recent[:HISTORY_LENGTH]
    profile.password_hash = hash_password(password)
    profile.password_changed_at = ctx.now


def create_login_profile(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    _unsupported_session_duration(params)
    user = _user(ctx, params)
    if ctx.session.get(LoginProfile, user.user_id) is not None:
        raise ServiceError(
            "EntityAlreadyExists", f"Login Profile for user {user.name} already exists.", 409
        )
    password = params.get("Password")
    if password is None:
        raise ServiceError(
            "ValidationError",
            "1 validation error detected: Value null at 'password' failed to satisfy "
            "constraint: Member must not be null",
            400,
        )
    check_new_password(ctx, password)
    profile = LoginProfile(
        user_id=user.user_id,
        account_id=ctx.account_id,
        password_hash=hash_password(password),
        created_at=ctx.now,
        password_reset_required=bool(params.get("PasswordResetRequired", False)),
        password_changed_at=ctx.now,
    )
    ctx.session.add(profile)
    return {"LoginProfile": profile_shape(user, profile)}


def get_login_profile(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    user = _user(ctx, params)
    return {"LoginProfile": profile_shape(user, _profile(ctx, user))}


def update_login_profile(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    """Set a new password and/or the reset flag; members left out stay as they are."""
    _unsupported_session_duration(params)
    user = get_user_row(ctx, params["UserName"])
    profile = _profile(ctx, user)
    if "Password" in params:
        set_password(ctx, profile, params["Password"])
    if "PasswordResetRequired" in params:
        profile.password_reset_required = bool(params["PasswordResetRequired"])
    return {}


def delete_login_profile(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    user = _user(ctx, params)
    ctx.session.delete(_profile(ctx, user))
    return {}


def change_password(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    """The calling IAM user changes their own password; the root user cannot
    (https://docs.aws.amazon.com/IAM/latest/APIReference/API_ChangePassword.html)."""
    if ctx.caller_user_id is None:
        raise ServiceError(
            "InvalidUserType",
            "The request was rejected because the type of user for the transaction was incorrect.",
            400,
        )
    user = ctx.session.get(User, ctx.caller_user_id)
    if user is None:
        raise ServiceError("NoSuchEntity", "The user cannot be found.", 404)
    profile = _profile(ctx, user)
    if not verify_password(profile.password_hash, params["OldPassword"]):
        raise ServiceError("InvalidUserType", "The old password was incorrect.", 400)
    set_password(ctx, profile, params["NewPassword"])
    profile.password_reset_required = False
    return {}


HANDLERS: dict[str, Handler] = {
    "CreateLoginProfile": create_login_profile,
    "GetLoginProfile": get_login_profile,
    "UpdateLoginProfile": update_login_profile,
    "DeleteLoginProfile": delete_login_profile,
    "ChangePassword": change_password,
}
