"""Virtual MFA: `verify_totp` and the consecutive-code check on a fixed clock, and the MFA
handlers on a migrated SQLite store (each result encoded with the botocore model, so a member
the output shape does not define fails the test)."""

from __future__ import annotations

import io
import random
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyotp
import pytest
import segno

from localiam.catalog import ManagedPolicies
from localiam.policy import parse_caller
from localiam.protocol import ServiceError, encode_query_result, load_service_model
from localiam.services.iam._context import IamContext
from localiam.services.iam._mfa import (
    HANDLERS,
    otpauth_uri,
    qr_code_png,
    time_step,
    verify_consecutive,
    verify_totp,
)
from localiam.services.iam._users import HANDLERS as USERS
from localiam.store import Database, IdGenerator, Secrets
from localiam.store.models import Account

ACCOUNT = "123456789012"
NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
SEED = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
MODEL = load_service_model("iam")
MANAGED = ManagedPolicies({"asOf": "test", "policies": []})
SECRETS = Secrets(Secrets.generate_key())


def code(seed: str, step: int) -> str:
    return pyotp.TOTP(seed).generate_otp(step)


# -- the pure checks ---------------------------------------------------------------------------


def test_time_step_is_thirty_seconds_since_the_epoch() -> None:
    assert time_step(datetime(1970, 1, 1, 0, 0, 59, tzinfo=UTC)) == 1
    assert time_step(NOW) == int(NOW.timestamp()) // 30


def test_codes_are_rfc_6238_totp() -> None:
    # RFC 6238 appendix B: SHA-1, secret "12345678901234567890", T=59 gives 94287082 (8 digits).
    rfc_seed = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    assert code(rfc_seed, 1) == "287082"
    assert verify_totp(SEED, pyotp.TOTP(SEED).at(NOW), NOW, None) == time_step(NOW)


def test_verify_totp_accepts_one_step_of_drift_either_way() -> None:
    step = time_step(NOW)
    for offset in (-1, 0, 1):
        assert verify_totp(SEED, code(SEED, step + offset), NOW, None) == step + offset
    for offset in (-2, 2):
        assert verify_totp(SEED, code(SEED, step + offset), NOW, None) is None
    window = {code(SEED, step + offset) for offset in (-1, 0, 1)}
    wrong = next(f"{n:06d}" for n in range(10) if f"{n:06d}" not in window)
    assert verify_totp(SEED, wrong, NOW, None) is None


def test_verify_totp_refuses_a_code_at_or_before_the_last_accepted_step() -> None:
    step = time_step(NOW)
    current = code(SEED, step)
    assert verify_totp(SEED, current, NOW, step - 1) == step
    assert verify_totp(SEED, current, NOW, step) is None
    assert verify_totp(SEED, code(SEED, step - 1), NOW, step - 1) is None


def test_consecutive_codes_in_order_only() -> None:
    step = time_step(NOW)
    first, second = code(SEED, step - 1), code(SEED, step)
    assert verify_consecutive(SEED, first, second, NOW, None) == step
    assert verify_consecutive(SEED, second, first, NOW, None) is None
    assert verify_consecutive(SEED, first, first, NOW, None) is None
    assert verify_consecutive(SEED, first, second, NOW, step - 1) is None
    # Submitted a while after the codes were read: still within the enrolment window.
    assert verify_consecutive(SEED, first, second, NOW + timedelta(minutes=4), None) == step
    assert verify_consecutive(SEED, first, second, NOW + timedelta(minutes=6), None) is None


def test_qr_code_is_a_png_of_aws_otpauth_uri() -> None:
    uri = otpauth_uri(SEED, "bob-phone", "example-corp")
    assert uri == (
        "otpauth://totp/Amazon%20Web%20Services:bob-phone@example-corp"
        f"?secret={SEED}&issuer=Amazon%20Web%20Services"
    )
    png = qr_code_png(uri)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    expected = io.BytesIO()
    segno.make_qr(uri, error="m").save(expected, kind="png", scale=4, border=4)
    assert png == expected.getvalue()


# -- the handlers ------------------------------------------------------------------------------


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'localiam.db'}")
    with database.transaction() as session:
        session.add(Account(id=ACCOUNT, created_at=NOW))
    yield database
    database.close()


Call = Callable[..., dict[str, Any]]


@pytest.fixture
def call(db: Database) -> Call:
    """Run one handler as the root user at `now`, in its own transaction."""
    ids = IdGenerator(random.Random(5))

    def run(operation: str, *, now: datetime = NOW, **params: Any) -> dict[str, Any]:
        handler = HANDLERS.get(operation) or USERS[operation]
        with db.transaction() as session:
            ctx = IamContext(
                session=session,
                account_id=ACCOUNT,
                caller=parse_caller(f"arn:aws:iam::{ACCOUNT}:root"),
                caller_user_id=None,
                now=now,
                ids=ids,
                secrets=SECRETS,
                managed=MANAGED,
            )
            result = handler(ctx, params)
        encode_query_result(MODEL.operation_model(operation), result, "req")
        return result

    return run


def error(run: Callable[[], object]) -> ServiceError:
    with pytest.raises(ServiceError) as info:
        run()
    return info.value


def test_enable_deactivate_and_resync(call: Call) -> None:
    call("CreateUser", UserName="bob")
    made = call("CreateVirtualMFADevice", VirtualMFADeviceName="phone", Path="/p/")
    device = made["VirtualMFADevice"]
    serial = device["SerialNumber"]
    assert serial == f"arn:aws:iam::{ACCOUNT}:mfa/p/phone"
    seed = device["Base32StringSeed"].decode()
    step = time_step(NOW)
    first, second = code(seed, step - 1), code(seed, step)

    wrong = error(
        lambda: call(
            "EnableMFADevice",
            UserName="bob",
            SerialNumber=serial,
            AuthenticationCode1=second,
            AuthenticationCode2=first,
        )
    )
    assert (wrong.code, wrong.status) == ("InvalidAuthenticationCode", 403)
    call(
        "EnableMFADevice",
        UserName="bob",
        SerialNumber=serial,
        AuthenticationCode1=first,
        AuthenticationCode2=second,
    )
    again = error(
        lambda: call(
            "EnableMFADevice",
            UserName="bob",
            SerialNumber=serial,
            AuthenticationCode1=first,
            AuthenticationCode2=second,
        )
    )
    assert (again.code, again.message) == ("EntityAlreadyExists", "MFA Device is already in use.")
    listed = call("ListMFADevices", UserName="bob")["MFADevices"]
    assert listed == [{"UserName": "bob", "SerialNumber": serial, "EnableDate": NOW}]
    got = call("GetMFADevice", UserName="bob", SerialNumber=serial)
    assert got == {"UserName": "bob", "SerialNumber": serial, "EnableDate": NOW}

    # Resync with the same codes: refused (already used); with later ones: accepted.
    later = NOW + timedelta(minutes=2)
    resync = {"UserName": "bob", "SerialNumber": serial}
    assert (
        error(
            lambda: call(
                "ResyncMFADevice",
                now=later,
                AuthenticationCode1=first,
                AuthenticationCode2=second,
                **resync,
            )
        ).code
        == "InvalidAuthenticationCode"
    )
    call(
        "ResyncMFADevice",
        now=later,
        AuthenticationCode1=code(seed, time_step(later) - 1),
        AuthenticationCode2=code(seed, time_step(later)),
        **resync,
    )

    other = error(lambda: call("DeactivateMFADevice", UserName="bob", SerialNumber=serial + "x"))
    assert other.code == "NoSuchEntity"
    call("DeactivateMFADevice", UserName="bob", SerialNumber=serial)
    not_assigned = error(lambda: call("DeactivateMFADevice", UserName="bob", SerialNumber=serial))
    assert (not_assigned.code, not_assigned.message) == (
        "NoSuchEntity",
        "MFA Device invalid for user.",
    )
    assert call("ListMFADevices", UserName="bob")["MFADevices"] == []


def test_list_virtual_devices_by_status_and_pages(call: Call) -> None:
    call("CreateUser", UserName="bob")
    serials = [
        call("CreateVirtualMFADevice", VirtualMFADeviceName=name)["VirtualMFADevice"]
        for name in ("a", "b", "c")
    ]
    seed = serials[1]["Base32StringSeed"].decode()
    step = time_step(NOW)
    call(
        "EnableMFADevice",
        UserName="bob",
        SerialNumber=serials[1]["SerialNumber"],
        AuthenticationCode1=code(seed, step - 1),
        AuthenticationCode2=code(seed, step),
    )
    assigned = call("ListVirtualMFADevices", AssignmentStatus="Assigned")["VirtualMFADevices"]
    assert [d["SerialNumber"] for d in assigned] == [serials[1]["SerialNumber"]]
    assert assigned[0]["User"]["UserName"] == "bob" and assigned[0]["EnableDate"] == NOW
    unassigned = call("ListVirtualMFADevices", AssignmentStatus="Unassigned")
    assert [d["SerialNumber"] for d in unassigned["VirtualMFADevices"]] == [
        serials[0]["SerialNumber"],
        serials[2]["SerialNumber"],
    ]
    first = call("ListVirtualMFADevices", MaxItems=2)
    assert first["IsTruncated"] is True and len(first["VirtualMFADevices"]) == 2
    rest = call("ListVirtualMFADevices", Marker=first["Marker"])
    assert rest["IsTruncated"] is False
    assert [d["SerialNumber"] for d in rest["VirtualMFADevices"]] == [serials[2]["SerialNumber"]]


def test_device_names_collide_ignoring_case_and_path(call: Call) -> None:
    call("CreateVirtualMFADevice", VirtualMFADeviceName="Phone")
    clash = error(lambda: call("CreateVirtualMFADevice", VirtualMFADeviceName="phone", Path="/x/"))
    assert (clash.code, clash.status) == ("EntityAlreadyExists", 409)
    assert clash.message == "MFADevice entity at the same path and name already exists."


def test_tags_and_delete(call: Call) -> None:
    serial = call(
        "CreateVirtualMFADevice",
        VirtualMFADeviceName="phone",
        Tags=[{"Key": "a", "Value": "1"}],
    )["VirtualMFADevice"]["SerialNumber"]
    call("TagMFADevice", SerialNumber=serial, Tags=[{"Key": "b", "Value": "2"}])
    call("UntagMFADevice", SerialNumber=serial, TagKeys=["a"])
    assert call("ListMFADeviceTags", SerialNumber=serial)["Tags"] == [{"Key": "b", "Value": "2"}]
    call("DeleteVirtualMFADevice", SerialNumber=serial)
    gone = error(lambda: call("ListMFADeviceTags", SerialNumber=serial))
    assert (gone.code, gone.message) == (
        "NoSuchEntity",
        f"VirtualMFADevice with serial number {serial} does not exist.",
    )
    # A new device of the same name starts without the old one's tags.
    again = call("CreateVirtualMFADevice", VirtualMFADeviceName="phone")
    assert (
        call("ListMFADeviceTags", SerialNumber=again["VirtualMFADevice"]["SerialNumber"])["Tags"]
        == []
    )


def test_seed_is_stored_encrypted(call: Call, db: Database) -> None:
    from localiam.store import select
    from localiam.store.models import MfaDevice

    made = call("CreateVirtualMFADevice", VirtualMFADeviceName="phone")["VirtualMFADevice"]
    seed = made["Base32StringSeed"].decode()
    with db.transaction() as session:
        stored = session.scalars(select(MfaDevice)).one().seed_encrypted
    assert seed not in stored
    assert SECRETS.decrypt(stored) == seed
