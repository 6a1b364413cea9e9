"""Access keys: CreateAccessKey, ListAccessKeys, UpdateAccessKey, DeleteAccessKey,
GetAccessKeyLastUsed. At most two per user
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html)."""

from __future__ import annotations

from typing import Any

from localiam.protocol import ServiceError
from localiam.services.iam._context import Handler, IamContext
from localiam.services.iam._errors import invalid_input, limit_exceeded
from localiam.services.iam._lookup import target_user
from localiam.store import select
from localiam.store.models import AccessKey, KeyStatus

MAX_KEYS = 2


def _keys(ctx: IamContext, user_id: str | None) -> list[AccessKey]:
    query = select(AccessKey).where(AccessKey.account_id == ctx.account_id)
    query = query.where(
        AccessKey.user_id.is_(None) if user_id is None else AccessKey.user_id == user_id
    )
    return list(ctx.session.scalars(query.order_by(AccessKey.created_at)))


def _no_such_key(key_id: str) -> ServiceError:
    return ServiceError("NoSuchEntity", f"The Access Key with id {key_id} cannot be found.", 404)


def create_access_key(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    user_id, name = target_user(ctx, params.get("UserName"))
    if len(_keys(ctx, user_id)) >= MAX_KEYS:
        raise limit_exceeded(f"Cannot exceed quota for AccessKeysPerUser: {MAX_KEYS}")
    key_id = ctx.ids.new_access_key_id()
    secret = ctx.ids.new_secret_access_key()
    ctx.session.add(
        AccessKey(
            access_key_id=key_id,
            account_id=ctx.account_id,
            user_id=user_id,
            secret_encrypted=ctx.secrets.encrypt(secret),
            created_at=ctx.now,
        )
    )
    return {
        "AccessKey": {
            "UserName": name,
            "AccessKeyId": key_id,
            "Status": "Active",
            "SecretAccessKey": secret,
            "CreateDate": ctx.now,
        }
    }


def list_access_keys(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    user_id, name = target_user(ctx, params.get("UserName"))
    return {
        "AccessKeyMetadata": [
            {
                "UserName": name,
                "AccessKeyId": k.access_key_id,
                "Status": str(k.status),
                "CreateDate": k.created_at,
            }
            for k in _keys(ctx, user_id)
        ],
        "IsTruncated": False,
    }


def _find(ctx: IamContext, params: dict[str, Any]) -> AccessKey:
    user_id, _ = target_user(ctx, params.get("UserName"))
    key = ctx.session.get(AccessKey, params["AccessKeyId"])
    if key is None or key.account_id != ctx.account_id or key.user_id != user_id:
        raise _no_such_key(params["AccessKeyId"])
    return key


def update_access_key(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    status = params["Status"]
    if status not in (KeyStatus.ACTIVE.value, KeyStatus.INACTIVE.value):
        # The model's enum also lists Expired, which access keys never take.
        raise invalid_input(f"Invalid status {status}: an access key is Active or Inactive.")
    _find(ctx, params).status = KeyStatus(status)
    return {}


def delete_access_key(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    ctx.session.delete(_find(ctx, params))
    return {}


def get_access_key_last_used(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    key = ctx.session.get(AccessKey, params["AccessKeyId"])
    if key is None or key.account_id != ctx.account_id:
        raise _no_such_key(params["AccessKeyId"])
    from localiam.store.models import User

    user = None if key.user_id is None else ctx.session.get(User, key.user_id)
    last: dict[str, Any] = {
        "ServiceName": key.last_used_service or "N/A",
        "Region": key.last_used_region or "N/A",
    }
    if key.last_used_at is not None:
        last["LastUsedDate"] = key.last_used_at
    return {"UserName": "" if user is None else user.name, "AccessKeyLastUsed": last}


HANDLERS: dict[str, Handler] = {
    "CreateAccessKey": create_access_key,
    "ListAccessKeys": list_access_keys,
    "UpdateAccessKey": update_access_key,
    "DeleteAccessKey": delete_access_key,
    "GetAccessKeyLastUsed": get_access_key_last_used,
}
