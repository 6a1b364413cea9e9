"""Input the backend must never see: values of the wrong type and breaches of the model's
constraints (required members, lengths, patterns, ranges), refused in each service's words
before anything is forwarded, so that bad input gets the service's error and never a failure
of the backend."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from localiam.protocol import ConstraintViolation, ServiceError, input_violations

_INTEGERS = ("integer", "long", "byte", "short")


def wrong_types(shape: Any, value: Any, path: str = "") -> list[tuple[str, Any, str]]:
    """(path, value, expected type) of every value whose JSON/form type the model refuses."""
    kind = shape.type_name
    found: list[tuple[str, Any, str]] = []
    if kind == "structure":
        if not isinstance(value, Mapping):
            return [(path, value, "structure")]
        for name, member in shape.members.items():
            if name in value and value[name] is not None:
                found += wrong_types(member, value[name], f"{path}.{name}" if path else name)
    elif kind == "list":
        if isinstance(value, str) or not isinstance(value, Sequence):
            return [(path, value, "list")]
        for index, item in enumerate(value, 1):
            found += wrong_types(shape.member, item, f"{path}.{index}")
    elif kind in _INTEGERS and (isinstance(value, bool) or not isinstance(value, int)):
        found.append((path, value, "integer"))
    elif kind == "boolean" and not isinstance(value, bool):
        found.append((path, value, "boolean"))
    elif kind == "string" and not isinstance(value, str):
        found.append((path, value, "string"))
    return found


def parameter_style(operation: Any, params: Mapping[str, Any], *, constraints: bool = True) -> None:
    """EC2's and SQS's answers: `MissingParameter` for a missing member, `InvalidParameterValue`
    for a value they refuse (SQS, which finds its queue in the request's path too, checks its
    required members itself: `constraints=False` checks only the types)
    (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html,
    https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/CommonErrors.html)."""
    shape = operation.input_shape
    if shape is None:
        return
    for path, value, _ in wrong_types(shape, params):
        raise ServiceError(
            "InvalidParameterValue", f"Value ({value}) for parameter {path} is invalid.", 400
        )
    for violation in input_violations(operation, params) if constraints else ():
        if violation.kind == "required":
            name = _capitalized(violation.path)
            raise ServiceError(
                "MissingParameter", f"The request must contain the parameter {name}", 400
            )
        detail = "" if violation.kind == "enum" else f" {violation.constraint}"
        raise ServiceError(
            "InvalidParameterValue",
            f"Value ({violation.value}) for parameter {_capitalized(violation.path)} is "
            f"invalid.{detail}",
            400,
        )


def validation_style(
    operation: Any, params: Mapping[str, Any], code: str = "ValidationError"
) -> None:
    """The query services' `ValidationError` ("1 validation error detected: ..."), for values
    of the wrong type too."""
    shape = operation.input_shape
    if shape is None:
        return
    found: list[ConstraintViolation] = [
        ConstraintViolation(path, f"Member must be of type {expected}", str(value))
        for path, value, expected in wrong_types(shape, params)
    ]
    found += input_violations(operation, params)
    if found:
        error = ServiceError.validation(found)
        raise ServiceError(code, error.message, 400)


def _capitalized(path: str) -> str:
    """`tagSpecifications.1.member.resourceType` -> `TagSpecifications.1.ResourceType`."""
    parts = [p for p in path.split(".") if p != "member"]
    return ".".join(part[:1].upper() + part[1:] for part in parts)
