"""Signed JSON Web Tokens for outbound identity federation (GetWebIdentityToken): ES384 and RS256
keys derived from the server's secret key material, and the compact JWS encoding.

The encoding is written here rather than taken from a JWT library because it is three base64url
segments and one `cryptography` signature, and localiam adds no runtime dependency for that
(https://www.rfc-editor.org/rfc/rfc7515#section-7.1, https://www.rfc-editor.org/rfc/rfc7518#section-3).

The keys are derived, not stored: the same `secret.key` gives the same signing keys after a
restart, so a token stays verifiable for its whole life, and no new file needs protecting.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from localiam.store import Secrets

#: The algorithms GetWebIdentityToken accepts (the model's SigningAlgorithm documentation).
ALGORITHMS = ("ES384", "RS256")

_P384_ORDER = int(
    "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196acc"
    "c52973",
    16,
)
_RSA_BITS = 2048
_RSA_EXPONENT = 65537
_SMALL_PRIMES = [p for p in range(3, 2000) if all(p % d for d in range(2, int(p**0.5) + 1))]


def b64url(data: bytes) -> str:
    """Base64url without padding (RFC 7515, section 2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _json(value: Mapping[str, Any]) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


@dataclass(frozen=True)  # no slots: the derived keys are cached in the instance's __dict__
class SigningKeys:
    """The server's two token-signing keys, derived from `seed` (32 secret bytes) with HKDF;
    each is made on first use (the RSA key takes a moment) and kept."""

    seed: bytes

    @classmethod
    def of(cls, secrets: Secrets) -> SigningKeys:
        """The keys of the server whose secrets are `secrets` (derived from its secret key)."""
        return cls(secrets.derive("localiam sts web identity token keys"))

    def _derive(self, label: str, length: int) -> bytes:
        info = f"localiam sts web identity token {label}".encode()
        hkdf = HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info)
        return hkdf.derive(self.seed)

    @cached_property
    def es384(self) -> ec.EllipticCurvePrivateKey:
        scalar = int.from_bytes(self._derive("ES384", 64)) % (_P384_ORDER - 1) + 1
        return ec.derive_private_key(scalar, ec.SECP384R1())

    @cached_property
    def rs256(self) -> rsa.RSAPrivateKey:
        stream = _stream(self._derive("RS256", 32))
        p = _prime(stream, _RSA_BITS // 2)
        q = _prime(stream, _RSA_BITS // 2)
        while q == p:
            q = _prime(stream, _RSA_BITS // 2)
        d = pow(_RSA_EXPONENT, -1, (p - 1) * (q - 1))
        public = rsa.RSAPublicNumbers(_RSA_EXPONENT, p * q)
        numbers = rsa.RSAPrivateNumbers(
            p, q, d, rsa.rsa_crt_dmp1(d, p), rsa.rsa_crt_dmq1(d, q), rsa.rsa_crt_iqmp(p, q), public
        )
        return numbers.private_key()

    def public_key(self, algorithm: str) -> ec.EllipticCurvePublicKey | rsa.RSAPublicKey:
        """The verification key of `algorithm`, as the issuer's JWKS would publish it."""
        return self.es384.public_key() if algorithm == "ES384" else self.rs256.public_key()

    def key_id(self, algorithm: str) -> str:
        """The `kid` of `algorithm`'s key: a digest of its public key."""
        der = self.public_key(algorithm).public_bytes(
            Encoding.DER, PublicFormat.SubjectPublicKeyInfo
        )
        return b64url(hashlib.sha256(der).digest()[:16])

    def sign(self, algorithm: str, claims: Mapping[str, Any]) -> str:
        """The compact JWS of `claims` signed with `algorithm` (ES384 or RS256)."""
        header = {"alg": algorithm, "typ": "JWT", "kid": self.key_id(algorithm)}
        signing_input = f"{b64url(_json(header))}.{b64url(_json(claims))}".encode("ascii")
        if algorithm == "ES384":
            der = self.es384.sign(signing_input, ec.ECDSA(hashes.SHA384()))
            r, s = decode_dss_signature(der)
            # JWS wants the raw r || s, each 48 bytes for P-384 (RFC 7518, section 3.4).
            signature = r.to_bytes(48) + s.to_bytes(48)
        else:
            signature = self.rs256.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input.decode('ascii')}.{b64url(signature)}"


def _stream(seed: bytes) -> Iterator[int]:
    """An endless deterministic sequence of 64-byte integers (SHA-512 in counter mode)."""
    counter = 0
    while True:
        counter += 1
        yield int.from_bytes(hashlib.sha512(seed + counter.to_bytes(8)).digest())


def _prime(stream: Iterator[int], bits: int) -> int:
    """The first probable prime drawn from `stream` with its two top bits set, so that the
    product of two such primes has exactly twice as many bits."""
    while True:
        candidate = 0
        while candidate.bit_length() < bits:
            candidate = (candidate << 512) | next(stream)
        candidate >>= candidate.bit_length() - bits
        candidate |= (3 << (bits - 2)) | 1
        if (candidate - 1) % _RSA_EXPONENT and _probably_prime(candidate, stream):
            return candidate


def _probably_prime(n: int, stream: Iterator[int], rounds: int = 40) -> bool:
    """Trial division, then Miller-Rabin with `rounds` bases drawn from `stream`."""
    if any(n % p == 0 for p in _SMALL_PRIMES):
        return False
    d, r = n - 1, 0
    while d % 2 == 0:
        d, r = d // 2, r + 1
    for _ in range(rounds):
        x = pow(next(stream) % (n - 3) + 2, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(r - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True
