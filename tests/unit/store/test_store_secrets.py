"""localiam.store secrets: Fernet encryption with a 0600 key file, argon2 password hashes."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from localiam.store import Secrets, StoreError, hash_password, verify_password


def test_encryption_round_trips_and_hides_the_plaintext() -> None:
    secrets = Secrets(Secrets.generate_key())
    token = secrets.encrypt("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    assert "wJalrXUtnFEMI" not in token
    assert secrets.decrypt(token) == "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def test_encrypting_twice_gives_different_tokens() -> None:
    secrets = Secrets(Secrets.generate_key())
    assert secrets.encrypt("seed") != secrets.encrypt("seed")


def test_another_key_cannot_decrypt() -> None:
    token = Secrets(Secrets.generate_key()).encrypt("seed")
    with pytest.raises(StoreError, match="cannot be decrypted"):
        Secrets(Secrets.generate_key()).decrypt(token)


def test_an_invalid_key_is_refused() -> None:
    with pytest.raises(StoreError, match="invalid secret key"):
        Secrets(b"too short")


def test_load_or_create_writes_a_key_readable_only_by_its_owner(tmp_path: Path) -> None:
    path = tmp_path / "secret.key"
    token = Secrets.load_or_create(path).encrypt("seed")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert Secrets.load_or_create(path).decrypt(token) == "seed"  # the same key, loaded


def test_load_or_create_refuses_a_damaged_key_file(tmp_path: Path) -> None:
    path = tmp_path / "secret.key"
    path.write_text("not a key\n")
    with pytest.raises(StoreError, match="does not hold a valid key"):
        Secrets.load_or_create(path)


def test_a_password_verifies_against_its_hash_only() -> None:
    hashed = hash_password("correct horse battery staple")
    assert hashed.startswith("$argon2id$")
    assert "correct horse" not in hashed
    assert verify_password(hashed, "correct horse battery staple")
    assert not verify_password(hashed, "Correct horse battery staple")
    assert not verify_password("not a hash", "anything")


def test_hashes_are_salted() -> None:
    assert hash_password("same") != hash_password("same")


def test_derived_key_material_is_stable_and_purpose_bound() -> None:
    key = Secrets.generate_key()
    a, b = Secrets(key), Secrets(key)
    assert a.derive("tokens") == b.derive("tokens")
    assert a.derive("tokens") != a.derive("other")
    assert a.derive("tokens") != Secrets(Secrets.generate_key()).derive("tokens")
    assert len(a.derive("tokens", 48)) == 48
