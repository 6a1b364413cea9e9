"""Secrets at rest: Fernet encryption of secret keys and MFA seeds, argon2 password hashes."""

from __future__ import annotations

import base64
import os
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from localiam.store._errors import StoreError

#: argon2id with argon2-cffi's defaults (RFC 9106 low-memory profile). Immutable configuration.
_PASSWORD_HASHER = PasswordHasher()


class Secrets:
    """Encrypts and decrypts the secrets the store keeps (secret access keys, MFA seeds).

    `key` is a Fernet key: 32 random bytes, URL-safe base64 encoded (`Secrets.generate_key()`).
    """

    __slots__ = ("_fernet", "_key")

    def __init__(self, key: bytes) -> None:
        try:
            self._fernet = Fernet(key)
        except ValueError as error:
            raise StoreError(f"invalid secret key: {error}") from error
        self._key = base64.urlsafe_b64decode(key)

    def derive(self, purpose: str, length: int = 32) -> bytes:
        """Key material for one `purpose` (for example signing tokens), derived from the secret
        key with HKDF: stable across restarts, never the key itself."""
        hkdf = HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=purpose.encode())
        return hkdf.derive(self._key)

    @staticmethod
    def generate_key() -> bytes:
        """A new random key."""
        return Fernet.generate_key()

    @classmethod
    def load_or_create(cls, path: Path) -> Secrets:
        """The key in the file at `path`; a new key written there (mode 0600) if there is none."""
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            try:
                return cls(path.read_bytes().strip())
            except StoreError as error:
                raise StoreError(f"secret key file `{path}` does not hold a valid key") from error
        key = cls.generate_key()
        with os.fdopen(descriptor, "wb") as file:
            os.fchmod(file.fileno(), 0o600)  # whatever the umask
            file.write(key + b"\n")
            file.flush()
            os.fsync(file.fileno())
        return cls(key)

    def encrypt(self, plaintext: str) -> str:
        """The Fernet token of `plaintext` (ASCII, safe to store in a text column)."""
        return self._fernet.encrypt(plaintext.encode()).decode("ascii")

    def decrypt(self, token: str) -> str:
        """The plaintext of a token made by `encrypt` with the same key."""
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode()
        except (InvalidToken, UnicodeEncodeError) as error:
            raise StoreError("secret cannot be decrypted: wrong key or damaged value") from error


def hash_password(password: str) -> str:
    """An argon2id hash of `password` (with its salt and parameters), for `verify_password`."""
    return _PASSWORD_HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether `password` is the one `password_hash` was made from."""
    try:
        return _PASSWORD_HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
