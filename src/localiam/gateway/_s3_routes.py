"""Which S3 operation a REST request is, read off the botocore model: each operation's method,
path form (`/`, `/{Bucket}`, `/{Bucket}/{Key+}`), the literal query keys of its `requestUri`
(`?uploads`, `?list-type=2`) and its required query-string and header members
(UploadPart needs `partNumber` and `uploadId`; CopyObject the `x-amz-copy-source` header).

Among the operations a request fits, the most specific wins (most literal keys, then most
required members), which tells ListObjectsV2 from ListObjects and UploadPartCopy from
UploadPart; between operations identical on the wire (PutBucketLifecycle and its successor
PutBucketLifecycleConfiguration) the one the model does not mark deprecated. An S3 Express
operation that wins (CreateSession, `GET /bucket?session`) is not served: no match, rather than
the ListObjects it would otherwise pass for. botocore has no server-side router and moto's is
internal, hence this small one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qsl

from localiam.protocol import load_service_model

#: S3 Express (directory buckets: CreateSession, ListDirectoryBuckets and RenameObject, which
#: only directory buckets have) is a different endpoint and credential model; S3 Object
#: Lambda's WriteGetObjectResponse is signed for, and authorized as, `s3-object-lambda`.
_NOT_SERVED = frozenset(
    {"CreateSession", "ListDirectoryBuckets", "RenameObject", "WriteGetObjectResponse"}
)


@dataclass(frozen=True, slots=True)
class Route:
    operation: str
    method: str
    form: str  # "service", "bucket" or "object"
    literal: tuple[tuple[str, str | None], ...]
    query_members: tuple[str, ...]
    headers: tuple[str, ...]
    current: bool = True  # not marked deprecated in the model
    served: bool = True

    @property
    def weight(self) -> tuple[int, int, bool]:
        return (len(self.literal), len(self.query_members) + len(self.headers), self.current)


def _form(path: str) -> str:
    if path in ("", "/"):
        return "service"
    return "object" if "{Key+}" in path else "bucket"


@lru_cache(maxsize=1)
def routes() -> tuple[Route, ...]:
    model = load_service_model("s3")
    out: list[Route] = []
    for name in model.operation_names:
        op = model.operation_model(name)
        path, _, query = op.http["requestUri"].partition("?")
        literal: list[tuple[str, str | None]] = []
        for key, value in parse_qsl(query, keep_blank_values=True):
            if key == "x-id":
                continue  # botocore's own hint, which other SDKs do not send
            literal.append((key, value or None))
        shape = op.input_shape
        required = set(shape.required_members) if shape is not None else set()
        query_members: list[str] = []
        headers: list[str] = []
        for member_name, member in shape.members.items() if shape is not None else ():
            if member_name not in required:
                continue
            location = member.serialization.get("location")
            wire = str(member.serialization.get("name") or member_name)
            if location == "querystring":
                query_members.append(wire)
            elif location == "header":
                headers.append(wire.lower())
        out.append(
            Route(
                name,
                op.http["method"],
                _form(path),
                tuple(literal),
                tuple(query_members),
                tuple(headers),
                current=not op.deprecated,
                served=name not in _NOT_SERVED,
            )
        )
    return tuple(out)


def match(
    method: str, form: str, query: Mapping[str, str], headers: Mapping[str, str]
) -> str | None:
    """The operation a request is, or None when no operation of the model fits."""
    best: Route | None = None
    for route in routes():
        if route.method != method or route.form != form:
            continue
        if any(k not in query or (v is not None and query[k] != v) for k, v in route.literal):
            continue
        if any(k not in query for k in route.query_members):
            continue
        if any(h not in headers for h in route.headers):
            continue
        if best is None or route.weight > best.weight:
            best = route
    return None if best is None or not best.served else best.operation
