"""Finding the signature a request claims: in its `Authorization` header or in its query string.

The checks here are the structural ones AWS makes first, with its wording: an unsupported
algorithm, a `key=value` pair without `=`, missing parameters (all reported at once), both forms
at once. Observed AWS responses: aws/chalice#828 and brendanhay/amazonka#316 (header form),
dacut/scratchstack-aws-signature's AWS-derived error-ordering tests (query form).
"""

from __future__ import annotations

from dataclasses import dataclass

from localiam.auth._canonical import ALGORITHM, query_pairs
from localiam.auth._errors import incomplete_signature, signature_does_not_match
from localiam.auth._model import HttpRequestView

#: Query parameters of a presigned request, in the order AWS reports missing ones.
_QUERY_REQUIRED = (
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Signature",
    "X-Amz-SignedHeaders",
    "X-Amz-Date",
)
SIGNATURE_PARAM = "X-Amz-Signature"


@dataclass(frozen=True, slots=True)
class SignatureClaim:
    """The raw signature parts a request carries, before any of them is checked against the key.

    `timestamp` is the `X-Amz-Date` value or, failing that, the HTTP `Date` header
    (`timestamp_is_http_date`). `expires` is the raw `X-Amz-Expires` of a presigned request.
    """

    presigned: bool
    credential: str
    signed_headers: str
    signature: str
    timestamp: str
    timestamp_is_http_date: bool
    security_token: str | None
    expires: str | None


def query_parameters(request: HttpRequestView) -> dict[str, str]:
    """The first value of each query parameter, percent-decoded."""
    found: dict[str, str] = {}
    for name, value in query_pairs(request.query_string):
        found.setdefault(name.decode("utf-8", "replace"), value.decode("utf-8", "replace"))
    return found


def find_claim(request: HttpRequestView) -> SignatureClaim | None:
    """The signature the request claims, or None when it carries none.

    A request is presigned when its query string has `X-Amz-Algorithm` or `X-Amz-Signature`;
    otherwise a non-blank `Authorization` header is read.
    """
    query = query_parameters(request)
    header = (request.headers.get("authorization") or "").strip()
    if header and "X-Amz-Algorithm" in query:
        raise signature_does_not_match(
            "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP "
            "header."
        )
    if header:
        return _from_header(header, request)
    if "X-Amz-Algorithm" in query or SIGNATURE_PARAM in query:
        return _from_query(query)
    return None


def _from_header(header: str, request: HttpRequestView) -> SignatureClaim:
    algorithm, _, rest = header.partition(" ")
    if algorithm != ALGORITHM:
        raise incomplete_signature(f"Unsupported AWS 'algorithm': '{algorithm}'.")
    params: dict[str, str] = {}
    for piece in rest.split(","):
        piece = piece.strip()
        if not piece:
            continue
        name, equals, value = piece.partition("=")
        if not equals:
            raise incomplete_signature(
                f"'{piece}' not a valid key=value pair (missing equal-sign) in Authorization "
                f"header: '{header}'"
            )
        params.setdefault(name.strip(), value.strip())

    amz_date = request.headers.get("x-amz-date")
    http_date = request.headers.get("date")
    problems = [
        f"Authorization header requires '{name}' parameter."
        for name in ("Credential", "Signature", "SignedHeaders")
        if not params.get(name) and not (name == "SignedHeaders" and name in params)
    ]
    if amz_date is None and http_date is None:
        problems.append(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
        )
    if problems:
        raise incomplete_signature(" ".join([*problems, f"Authorization={header}"]))

    return SignatureClaim(
        presigned=False,
        credential=params["Credential"],
        signed_headers=params["SignedHeaders"],
        signature=params["Signature"],
        timestamp=(amz_date if amz_date is not None else http_date or "").strip(),
        timestamp_is_http_date=amz_date is None,
        security_token=request.headers.get("x-amz-security-token"),
        expires=None,
    )


def _from_query(query: dict[str, str]) -> SignatureClaim:
    missing = [
        f"AWS query-string parameters must include '{name}'."
        for name in _QUERY_REQUIRED
        if not query.get(name)
    ]
    if missing:
        raise incomplete_signature(" ".join([*missing, "Re-examine the query-string parameters."]))
    algorithm = query["X-Amz-Algorithm"]
    if algorithm != ALGORITHM:
        raise incomplete_signature(f"Unsupported AWS 'algorithm': '{algorithm}'.")
    return SignatureClaim(
        presigned=True,
        credential=query["X-Amz-Credential"],
        signed_headers=query["X-Amz-SignedHeaders"],
        signature=query[SIGNATURE_PARAM],
        timestamp=query["X-Amz-Date"],
        timestamp_is_http_date=False,
        security_token=query.get("X-Amz-Security-Token"),
        expires=query.get("X-Amz-Expires"),
    )
