"""AWS service errors: a code, a message, an HTTP status, and who is at fault."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final

# AWS's common errors for query-protocol services, which no service model lists as a shape.
# Source: the "Common Errors" page of each query API reference (for example the IAM API
# Reference, https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html), plus IAM's
# own `AccessDenied`, which it answers with HTTP 403.
_COMMON_ERRORS: Final = MappingProxyType(
    {
        "AccessDenied": 403,
        "IncompleteSignature": 400,
        "InternalFailure": 500,
        "InvalidAction": 400,
        "InvalidClientTokenId": 403,
        "InvalidParameterCombination": 400,
        "InvalidParameterValue": 400,
        "InvalidQueryParameter": 400,
        "MalformedQueryString": 404,
        "MissingAction": 400,
        "MissingAuthenticationToken": 403,
        "MissingParameter": 400,
        "NotAuthorized": 400,
        "OptInRequired": 403,
        "RequestExpired": 400,
        "ServiceUnavailable": 503,
        "Throttling": 400,
        "ValidationError": 400,
    }
)


class ServiceError(Exception):
    """An error AWS answers with an error document (XML `ErrorResponse` or a JSON object).

    `code` is AWS's error code (`NoSuchEntity`, `ValidationError`), `message` its sentence,
    `status` the HTTP status and `sender` whether the caller is at fault (`<Type>Sender</Type>`)
    or the service is (`<Type>Receiver</Type>`). `fields` are further string members of the
    error shape, written beside the message by the JSON protocol, such as the `Reason` of
    Organizations' `ConstraintViolationException` (`ACCOUNT_NUMBER_LIMIT_EXCEEDED`).
    """

    def __init__(
        self,
        code: str,
        message: str,
        status: int = 400,
        sender: bool = True,
        *,
        fields: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.sender = sender
        self.fields: Mapping[str, str] = MappingProxyType(dict(fields or {}))

    def __repr__(self) -> str:
        extra = f", fields={dict(self.fields)!r}" if self.fields else ""
        return (
            f"ServiceError(code={self.code!r}, message={self.message!r}, "
            f"status={self.status!r}, sender={self.sender!r}{extra})"
        )

    @classmethod
    def from_model(
        cls, model: Any, code: str, message: str, fields: Mapping[str, str] | None = None
    ) -> ServiceError:
        """The error `code` as `model` (a botocore `ServiceModel`) defines it.

        The error shape is found by its wire code (`error.code`, such as `NoSuchEntity`) or by
        its shape name (`NoSuchEntityException`); the wire code, its `httpStatusCode` and its
        `senderFault` are used. A code no shape defines is looked up among AWS's common errors
        (`AccessDenied`, `InvalidAction`, ...) and otherwise answered with HTTP 400, sender fault.
        `fields` (extra members of the error shape, such as `Reason`) are carried unchanged.
        """
        for shape in model.error_shapes:
            error = shape.metadata.get("error") or {}
            wire_code = error.get("code", shape.name)
            if code in (wire_code, shape.name):
                status = int(error.get("httpStatusCode", 400))
                sender = bool(error.get("senderFault", status < 500))
                return cls(wire_code, message, status, sender, fields=fields)
        status = _COMMON_ERRORS.get(code, 400)
        return cls(code, message, status, status < 500, fields=fields)

    @classmethod
    def validation(cls, violations: Iterable[ConstraintViolation]) -> ServiceError:
        """AWS's `ValidationError`: "2 validation errors detected: ...; ..." (HTTP 400)."""
        found = [str(v) for v in violations]
        noun = "error" if len(found) == 1 else "errors"
        return cls(
            "ValidationError", f"{len(found)} validation {noun} detected: {'; '.join(found)}"
        )


@dataclass(frozen=True, slots=True)
class ConstraintViolation:
    """One input value that breaks a constraint of the service model, in AWS's words.

    `path` names the member as AWS prints it (`userName`, `tags.2.member.key`), `value` is the
    value as AWS prints it (`None` for a missing value, printed `null`) and `constraint` is the
    sentence such as "Member must have length less than or equal to 64". The value of a member
    the model marks `sensitive` is not printed. `kind` names the rule that broke, for services
    that answer with a reason code rather than the sentence (Organizations' `InvalidInput`
    reasons): `required`, `min_length`, `max_length`, `pattern`, `enum`, `min_value` or
    `max_value`; it is empty for violations no rule of the model describes.
    """

    path: str
    constraint: str
    value: str | None
    sensitive: bool = False
    kind: str = ""

    def __str__(self) -> str:
        if self.value is None:
            shown = "Value null"
        elif self.sensitive:
            shown = "Value"
        else:
            shown = f"Value '{self.value}'"
        return f"{shown} at '{self.path}' failed to satisfy constraint: {self.constraint}"


def member_path(parent: str, member_name: str) -> str:
    """The path AWS prints for `member_name` inside `parent`: `UserName` -> `userName`."""
    name = member_name[:1].lower() + member_name[1:]
    return f"{parent}.{name}" if parent else name


def element_path(parent: str, index: int) -> str:
    """The path AWS prints for the `index`-th (from 1) element of a list: `tags.1.member`."""
    return f"{parent}.{index}.member"
