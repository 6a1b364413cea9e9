"""What authentication reads (the request as the server received it, the caller's keys) and what
it concludes."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime

HeaderSource = Mapping[str, str] | Iterable[tuple[str, str]]


class Headers:
    """Immutable, case-insensitive, multi-valued request headers, in the order received.

    Built from `(name, value)` pairs or from a mapping whose `items()` yields every value, such as
    Starlette's `request.headers` (so `Headers(request.headers)` keeps repeated headers).
    """

    __slots__ = ("_items",)

    _items: tuple[tuple[str, str], ...]

    def __init__(self, source: HeaderSource = ()) -> None:
        pairs: Iterable[tuple[str, str]] = source.items() if isinstance(source, Mapping) else source
        object.__setattr__(self, "_items", tuple((name.lower(), value) for name, value in pairs))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Headers are immutable")

    def getlist(self, name: str) -> list[str]:
        """Every value of the header `name`, in the order received."""
        wanted = name.lower()
        return [value for key, value in self._items if key == wanted]

    def get(self, name: str) -> str | None:
        """The first value of the header `name`, or None."""
        wanted = name.lower()
        return next((value for key, value in self._items if key == wanted), None)

    def items(self) -> tuple[tuple[str, str], ...]:
        """Every `(lowercase name, value)` pair."""
        return self._items

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys(key for key, _ in self._items))

    def __len__(self) -> int:
        return len(self._items)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Headers) and other._items == self._items

    def __hash__(self) -> int:
        return hash(self._items)

    def __repr__(self) -> str:
        return f"Headers({list(self._items)!r})"


@dataclass(frozen=True, slots=True, init=False)
class HttpRequestView:
    """An HTTP request exactly as it arrived, which is what a signature covers.

    `path` is the raw, still percent-encoded path (ASGI `scope["raw_path"]` decoded as UTF-8, not
    the decoded `scope["path"]`); `query_string` the raw query without `?`; `headers` every header
    line, repeated names included; `body` the raw bytes, form-encoded or not.
    """

    method: str
    path: str
    query_string: str
    headers: Headers
    body: bytes

    def __init__(
        self,
        method: str,
        path: str,
        query_string: str = "",
        headers: Headers | HeaderSource = (),
        body: bytes = b"",
    ) -> None:
        object.__setattr__(self, "method", method)
        object.__setattr__(self, "path", path)
        object.__setattr__(self, "query_string", query_string)
        object.__setattr__(
            self, "headers", headers if isinstance(headers, Headers) else Headers(headers)
        )
        object.__setattr__(self, "body", body)


@dataclass(frozen=True, slots=True)
class SigningKey:
    """An access key as the credential store knows it.

    `session_token` is set for temporary credentials: requests signed with them must carry that
    token. `owner` is whatever the caller wants back on success (a user, a role session...).
    """

    access_key_id: str
    secret_access_key: str = field(repr=False)
    session_token: str | None = field(default=None, repr=False)
    owner: object = None


@dataclass(frozen=True, slots=True)
class Authenticated:
    """A request whose signature verified: the key that signed it, the region and service of its
    credential scope, when it was signed, and whether the signature came in the query string."""

    key: SigningKey
    region: str
    service: str
    signed_at: datetime
    presigned: bool
    #: The signature, its timestamp and credential scope, and the derived signing key: what
    #: the chunk signatures of an aws-chunked payload chain from.
    signature: str = field(default="", compare=False, repr=False)
    timestamp: str = field(default="", compare=False, repr=False)
    scope: str = field(default="", compare=False, repr=False)
    signing_key: bytes = field(default=b"", compare=False, repr=False)
