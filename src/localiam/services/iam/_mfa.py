"""Virtual MFA devices: CreateVirtualMFADevice, EnableMFADevice, DeactivateMFADevice,
ResyncMFADevice, ListMFADevices, ListVirtualMFADevices, DeleteVirtualMFADevice, GetMFADevice,
TagMFADevice, UntagMFADevice, ListMFADeviceTags
(https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_enable_virtual.html).

A device is an RFC 6238 TOTP seed (HMAC-SHA1, 30-second steps, 6 digits), stored encrypted.
The time step of the last accepted code is recorded so that no code is accepted twice;
`verify_totp` is the check STS reuses for MFA-protected calls.
"""

from __future__ import annotations

import base64
import hmac
import io
import secrets
from datetime import datetime
from typing import Any
from urllib.parse import quote

import pyotp
import segno

from localiam.protocol import ServiceError
from localiam.services.iam._context import Handler, IamContext
from localiam.services.iam._lookup import get_user_row, target_user
from localiam.services.iam._tags import drop_all_tags, set_tags, tag_handlers, tags_of
from localiam.store import find_by_name, func, select
from localiam.store.models import Account, MfaDevice, User

STEP_SECONDS = 30
DIGITS = 6
#: Steps either side of the current one a sign-in code may come from (clock drift).
CODE_WINDOW = 1
#: Steps either side of the current one that EnableMFADevice and ResyncMFADevice search for
#: the two consecutive codes. AWS does not publish its window; it is wider than a sign-in's
#: ("if you wait too long to submit the request, the MFA device successfully associates with
#: the user but the MFA device becomes out of sync", API_EnableMFADevice.html).
SYNC_WINDOW = 10
#: Bytes of seed: AWS's Base32StringSeed is 64 base32 characters.
SEED_BYTES = 40
#: MFA devices in use by one IAM user (IAM and AWS STS quotas).
MAX_DEVICES_PER_USER = 8
#: Virtual MFA devices in an account: equal to the user quota.
MAX_DEVICES = 5000
ISSUER = "Amazon Web Services"


def time_step(now: datetime) -> int:
    """The RFC 6238 time step (30-second counter since the epoch) that `now` falls in."""
    return int(now.timestamp()) // STEP_SECONDS


def _code_at(seed: str, step: int) -> str:
    return pyotp.TOTP(seed, digits=DIGITS, interval=STEP_SECONDS).generate_otp(step)


def _matches(seed: str, code: str, step: int) -> bool:
    return step >= 0 and hmac.compare_digest(_code_at(seed, step), code)


def verify_totp(seed: str, code: str, now: datetime, last_step: int | None) -> int | None:
    """The time step `code` belongs to, if it is the device's code within one step of `now`
    and newer than `last_step` (the step of the last code accepted); else None.

    Pure: the caller records the returned step as the device's new `last_time_step`.
    """
    current = time_step(now)
    for step in range(current - CODE_WINDOW, current + CODE_WINDOW + 1):
        if last_step is not None and step <= last_step:
            continue
        if _matches(seed, code, step):
            return step
    return None


def verify_consecutive(
    seed: str, first: str, second: str, now: datetime, last_step: int | None
) -> int | None:
    """The step of `second` if `first` and `second` are the codes of two consecutive steps
    near `now`, both newer than `last_step`; else None (EnableMFADevice, ResyncMFADevice)."""
    current = time_step(now)
    for step in range(current - SYNC_WINDOW, current + SYNC_WINDOW + 1):
        if last_step is not None and step - 1 <= last_step:
            continue
        if _matches(seed, first, step - 1) and _matches(seed, second, step):
            return step
    return None


def otpauth_uri(seed: str, device_name: str, account_label: str) -> str:
    """The URI the QR code carries, as AWS writes it:
    `otpauth://totp/Amazon%20Web%20Services:<device>@<alias or account id>?secret=..&issuer=..`."""
    label = quote(f"{ISSUER}:{device_name}@{account_label}", safe=":@")
    return f"otpauth://totp/{label}?secret={seed}&issuer={quote(ISSUER)}"


def qr_code_png(uri: str) -> bytes:
    buffer = io.BytesIO()
    segno.make_qr(uri, error="m").save(buffer, kind="png", scale=4, border=4)
    return buffer.getvalue()


def _invalid_code() -> ServiceError:
    return ServiceError(
        "InvalidAuthenticationCode", "Authentication code for device is not valid.", 403
    )


def _no_device(serial: str) -> ServiceError:
    return ServiceError(
        "NoSuchEntity", f"VirtualMFADevice with serial number {serial} does not exist.", 404
    )


def _device(ctx: IamContext, serial: str) -> MfaDevice:
    device = ctx.session.get(MfaDevice, serial)
    if device is None or device.account_id != ctx.account_id:
        raise _no_device(serial)
    return device


def _seed(ctx: IamContext, device: MfaDevice) -> str:
    return ctx.secrets.decrypt(device.seed_encrypted)


def _assigned_to(device: MfaDevice, user_id: str | None) -> bool:
    return device.enabled_at is not None and device.user_id == user_id


def create_virtual_mfa_device(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    name = params["VirtualMFADeviceName"]
    path = params.get("Path", "/")
    if find_by_name(ctx.session, MfaDevice, ctx.account_id, name) is not None:
        raise ServiceError(
            "EntityAlreadyExists", "MFADevice entity at the same path and name already exists.", 409
        )
    count = ctx.session.scalar(
        select(func.count()).select_from(MfaDevice).where(MfaDevice.account_id == ctx.account_id)
    )
    if (count or 0) >= MAX_DEVICES:
        raise ServiceError(
            "LimitExceeded", f"Cannot exceed quota for MFADevices: {MAX_DEVICES}.", 409
        )
    seed = base64.b32encode(secrets.token_bytes(SEED_BYTES)).decode("ascii")
    serial = ctx.arn("mfa", path, name)
    ctx.session.add(
        MfaDevice(
            serial_number=serial,
            account_id=ctx.account_id,
            name=name,
            path=path,
            seed_encrypted=ctx.secrets.encrypt(seed),
            created_at=ctx.now,
        )
    )
    set_tags(ctx.session, ctx.account_id, serial, params.get("Tags"))
    account = ctx.session.get(Account, ctx.account_id)
    label = account.alias if account is not None and account.alias else ctx.account_id
    out: dict[str, Any] = {
        "SerialNumber": serial,
        "Base32StringSeed": seed.encode("ascii"),
        "QRCodePNG": qr_code_png(otpauth_uri(seed, name, label)),
    }
    if params.get("Tags"):
        out["Tags"] = tags_of(ctx.session, serial)
    return {"VirtualMFADevice": out}


def enable_mfa_device(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    user = get_user_row(ctx, params["UserName"])
    device = _device(ctx, params["SerialNumber"])
    if device.enabled_at is not None:
        raise ServiceError("EntityAlreadyExists", "MFA Device is already in use.", 409)
    in_use = ctx.session.scalar(
        select(func.count())
        .select_from(MfaDevice)
        .where(MfaDevice.user_id == user.user_id, MfaDevice.enabled_at.is_not(None))
    )
    if (in_use or 0) >= MAX_DEVICES_PER_USER:
        raise ServiceError(
            "LimitExceeded",
            f"Cannot exceed quota for MFADevicesPerUser: {MAX_DEVICES_PER_USER}.",
            409,
        )
    step = verify_consecutive(
        _seed(ctx, device),
        params["AuthenticationCode1"],
        params["AuthenticationCode2"],
        ctx.now,
        device.last_time_step,
    )
    if step is None:
        raise _invalid_code()
    device.user_id = user.user_id
    device.enabled_at = ctx.now
    device.last_time_step = step
    return {}


def _assigned_device(ctx: IamContext, serial: str, user_id: str | None) -> MfaDevice:
    device = _device(ctx, serial)
    if not _assigned_to(device, user_id):
        raise ServiceError("NoSuchEntity", "MFA Device invalid for user.", 404)
    return device


def deactivate_mfa_device(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    user_id, _ = target_user(ctx, params.get("UserName"))
    device = _assigned_device(ctx, params["SerialNumber"], user_id)
    device.user_id = None
    device.enabled_at = None
    return {}


def resync_mfa_device(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    user = get_user_row(ctx, params["UserName"])
    device = _assigned_device(ctx, params["SerialNumber"], user.user_id)
    step = verify_consecutive(
        _seed(ctx, device),
        params["AuthenticationCode1"],
        params["AuthenticationCode2"],
        ctx.now,
        device.last_time_step,
    )
    if step is None:
        raise _invalid_code()
    device.last_time_step = step
    return {}


def _page(
    rows: list[MfaDevice], marker: str | None, max_items: int
) -> tuple[list[MfaDevice], str | None]:
    """A page of `rows` (ordered by serial number) after `marker`, and the next marker."""
    if marker is not None:
        rows = [row for row in rows if row.serial_number > marker]
    page = rows[:max_items]
    return page, (page[-1].serial_number if len(rows) > max_items else None)


def _listing(key: str, items: list[dict[str, Any]], marker: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {key: items, "IsTruncated": marker is not None}
    if marker is not None:
        out["Marker"] = marker
    return out


def list_mfa_devices(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    user_id, user_name = target_user(ctx, params.get("UserName"))
    query = select(MfaDevice).where(
        MfaDevice.account_id == ctx.account_id, MfaDevice.enabled_at.is_not(None)
    )
    query = query.where(
        MfaDevice.user_id.is_(None) if user_id is None else MfaDevice.user_id == user_id
    )
    rows = list(ctx.session.scalars(query.order_by(MfaDevice.serial_number)))
    page, marker = _page(rows, params.get("Marker"), params.get("MaxItems", 100))
    items = [
        {"UserName": user_name, "SerialNumber": d.serial_number, "EnableDate": d.enabled_at}
        for d in page
    ]
    return _listing("MFADevices", items, marker)


def _user_shape(ctx: IamContext, user_id: str | None) -> dict[str, Any] | None:
    if user_id is None:
        account = ctx.session.get(Account, ctx.account_id)
        return {
            "Path": "/",
            "UserId": ctx.account_id,
            "Arn": f"arn:aws:iam::{ctx.account_id}:root",
            "CreateDate": account.created_at if account is not None else ctx.now,
        }
    user = ctx.session.get(User, user_id)
    if user is None:
        return None
    out: dict[str, Any] = {
        "Path": user.path,
        "UserName": user.name,
        "UserId": user.user_id,
        "Arn": user.arn,
        "CreateDate": user.created_at,
    }
    if user.password_last_used is not None:
        out["PasswordLastUsed"] = user.password_last_used
    return out


def list_virtual_mfa_devices(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    """Devices by assignment status (`Assigned`, `Unassigned`, or `Any`, the default); the
    listing leaves out seeds, QR codes and tags, as AWS's does."""
    status = params.get("AssignmentStatus", "Any")
    query = select(MfaDevice).where(MfaDevice.account_id == ctx.account_id)
    if status == "Assigned":
        query = query.where(MfaDevice.enabled_at.is_not(None))
    elif status == "Unassigned":
        query = query.where(MfaDevice.enabled_at.is_(None))
    rows = list(ctx.session.scalars(query.order_by(MfaDevice.serial_number)))
    page, marker = _page(rows, params.get("Marker"), params.get("MaxItems", 100))
    items: list[dict[str, Any]] = []
    for device in page:
        item: dict[str, Any] = {"SerialNumber": device.serial_number}
        if device.enabled_at is not None:
            item["User"] = _user_shape(ctx, device.user_id)
            item["EnableDate"] = device.enabled_at
        items.append(item)
    return _listing("VirtualMFADevices", items, marker)


def delete_virtual_mfa_device(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    device = _device(ctx, params["SerialNumber"])
    if device.enabled_at is not None:
        raise ServiceError(
            "DeleteConflict", "MFA VirtualDevice in use. Must deactivate first.", 409
        )
    drop_all_tags(ctx.session, device.serial_number)
    ctx.session.delete(device)
    return {}


def get_mfa_device(ctx: IamContext, params: dict[str, Any]) -> dict[str, Any]:
    user_id, user_name = target_user(ctx, params.get("UserName"))
    device = _assigned_device(ctx, params["SerialNumber"], user_id)
    out: dict[str, Any] = {"SerialNumber": device.serial_number, "EnableDate": device.enabled_at}
    if user_name:
        out["UserName"] = user_name
    return out


tag_mfa_device, untag_mfa_device, list_mfa_device_tags = tag_handlers(
    lambda ctx, params: _device(ctx, params["SerialNumber"]).serial_number
)


HANDLERS: dict[str, Handler] = {
    "CreateVirtualMFADevice": create_virtual_mfa_device,
    "EnableMFADevice": enable_mfa_device,
    "DeactivateMFADevice": deactivate_mfa_device,
    "ResyncMFADevice": resync_mfa_device,
    "ListMFADevices": list_mfa_devices,
    "ListVirtualMFADevices": list_virtual_mfa_devices,
    "DeleteVirtualMFADevice": delete_virtual_mfa_device,
    "GetMFADevice": get_mfa_device,
    "TagMFADevice": tag_mfa_device,
    "UntagMFADevice": untag_mfa_device,
    "ListMFADeviceTags": list_mfa_device_tags,
}
