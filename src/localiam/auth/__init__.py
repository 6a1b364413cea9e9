"""AWS Signature Version 4 verification, header and presigned forms.

Pure: no I/O, no clock, no globals. The server passes the request as received, a credential
lookup and the current time; `authenticate` answers with the verified key or raises `AuthError`
carrying AWS's code, HTTP status and message.
"""

from localiam.auth._chunked import MODES as CHUNKED_MODES
from localiam.auth._chunked import ChunkSigning, decode_chunked
from localiam.auth._errors import AuthError, expired_token
from localiam.auth._model import Authenticated, Headers, HttpRequestView, SigningKey
from localiam.auth._verify import KeyLookup, authenticate

__all__ = [  # noqa: RUF022 (plain sorted order, as tests/unit/auth/test_auth_api.py checks)
    "AuthError",
    "Authenticated",
    "CHUNKED_MODES",
    "ChunkSigning",
    "Headers",
    "HttpRequestView",
    "KeyLookup",
    "SigningKey",
    "authenticate",
    "decode_chunked",
    "expired_token",
]
