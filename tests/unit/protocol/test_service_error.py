"""ServiceError and encode_query_error: codes and statuses from the model, documents botocore
reads as the right error."""

from typing import Any

import pytest

from localiam.protocol import (
    ConstraintViolation,
    ServiceError,
    encode_query_error,
    load_service_model,
)


@pytest.mark.parametrize(
    ("code", "wire_code", "status", "sender"),
    [
        ("NoSuchEntity", "NoSuchEntity", 404, True),
        ("NoSuchEntityException", "NoSuchEntity", 404, True),
        ("EntityAlreadyExists", "EntityAlreadyExists", 409, True),
        ("ReportInProgress", "ReportInProgress", 404, True),
        ("ServiceFailure", "ServiceFailure", 500, False),
        ("AccessDenied", "AccessDenied", 403, True),
        ("InvalidClientTokenId", "InvalidClientTokenId", 403, True),
        ("ServiceUnavailable", "ServiceUnavailable", 503, False),
        ("SomethingNew", "SomethingNew", 400, True),
    ],
)
def test_from_model_takes_status_from_the_error_shape(
    iam: Any, code: str, wire_code: str, status: int, sender: bool
) -> None:
    error = ServiceError.from_model(iam, code, "message")
    assert (error.code, error.message, error.status, error.sender) == (
        wire_code,
        "message",
        status,
        sender,
    )


def test_sts_codes(sts: Any) -> None:
    error = ServiceError.from_model(sts, "RegionDisabledException", "STS is not activated")
    assert (error.code, error.status) == ("RegionDisabledException", 403)
    assert ServiceError.from_model(sts, "PackedPolicyTooLarge", "m").status == 400


def test_defaults_and_text() -> None:
    error = ServiceError("InvalidInput", "bad")
    assert (error.status, error.sender) == (400, True)
    assert str(error) == "InvalidInput: bad"
    assert "InvalidInput" in repr(error)


def test_error_document_is_aws(iam: Any) -> None:
    error = ServiceError.from_model(iam, "NoSuchEntity", "The user with name bob cannot be found.")
    status, body = encode_query_error(iam, error, "req-1")
    assert status == 404
    assert body == (
        b'<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error>'
        b"<Type>Sender</Type><Code>NoSuchEntity</Code>"
        b"<Message>The user with name bob cannot be found.</Message>"
        b"</Error><RequestId>req-1</RequestId></ErrorResponse>"
    )


@pytest.mark.parametrize("service", ["iam", "sts"])
def test_botocore_reads_error_documents(request: Any, parse: Any, service: str) -> None:
    model = request.getfixturevalue(service)
    error = ServiceError("MalformedPolicyDocument", "Syntax errors in policy: <\"&'>", 400)
    status, body = encode_query_error(model, error, "req-1")
    assert parse(model, None, body, status) == {
        "Error": {"Type": "Sender", "Code": "MalformedPolicyDocument", "Message": error.message},
        "ResponseMetadata": {"RequestId": "req-1"},
    }


def test_receiver_errors_and_no_model(parse: Any, iam: Any) -> None:
    status, body = encode_query_error(
        None, ServiceError("InternalFailure", "oops", 500, False), "r"
    )
    assert status == 500
    assert body.startswith(b"<ErrorResponse><Error><Type>Receiver</Type>")
    assert parse(iam, None, body, status)["Error"]["Type"] == "Receiver"


def test_validation_error_counts_and_joins() -> None:
    one = ConstraintViolation("userName", "Member must not be null", None)
    two = ConstraintViolation("path", "Member must have length less than or equal to 512", "/x/")
    assert ServiceError.validation([one]).message == (
        "1 validation error detected: Value null at 'userName' failed to satisfy constraint: "
        "Member must not be null"
    )
    error = ServiceError.validation([one, two])
    assert (error.code, error.status) == ("ValidationError", 400)
    assert error.message == (
        "2 validation errors detected: Value null at 'userName' failed to satisfy constraint: "
        "Member must not be null; Value '/x/' at 'path' failed to satisfy constraint: "
        "Member must have length less than or equal to 512"
    )


def test_sensitive_values_are_not_printed() -> None:
    violation = ConstraintViolation("password", "Member must have length ...", "hunter2", True)
    assert str(violation) == (
        "Value at 'password' failed to satisfy constraint: Member must have length ..."
    )


def test_fields_default_to_empty_and_are_immutable() -> None:
    error = ServiceError("InvalidInput", "bad", 400, sender=True)
    assert dict(error.fields) == {}
    given = {"Reason": "INVALID_PATTERN"}
    with_fields = ServiceError("InvalidInputException", "bad", fields=given)
    given["Reason"] = "changed"
    assert dict(with_fields.fields) == {"Reason": "INVALID_PATTERN"}
    with pytest.raises(TypeError):
        with_fields.fields["Reason"] = "x"  # type: ignore[index]
    assert "fields={'Reason': 'INVALID_PATTERN'}" in repr(with_fields)
    assert "fields" not in repr(error)


def test_from_model_carries_fields() -> None:
    orgs = load_service_model("organizations")
    error = ServiceError.from_model(
        orgs, "ConstraintViolationException", "m", {"Reason": "ACCOUNT_NUMBER_LIMIT_EXCEEDED"}
    )
    assert (error.code, error.status, error.sender) == ("ConstraintViolationException", 400, True)
    assert dict(error.fields) == {"Reason": "ACCOUNT_NUMBER_LIMIT_EXCEEDED"}
    assert dict(ServiceError.from_model(orgs, "Unmodelled", "m", {"A": "b"}).fields) == {"A": "b"}
    assert dict(ServiceError.from_model(orgs, "AccountNotFoundException", "m").fields) == {}


def test_constraint_violation_kind_defaults_to_empty() -> None:
    violation = ConstraintViolation("userName", "Member must not be null", None)
    assert violation.kind == ""
    assert ConstraintViolation("a", "c", None, kind="required").kind == "required"
