"""AWS wire protocols, driven by botocore service models. Pure: no HTTP framework, no I/O
beyond reading the models botocore ships.

The query protocol (IAM, STS): `decode_query` turns a request's form fields into an operation
and its parameters, `validate_input` checks them against the model's constraints,
`encode_query_result` and `encode_query_error` write AWS's XML documents.
"""

from localiam.protocol._errors import ConstraintViolation, ServiceError
from localiam.protocol._model import load_service_model
from localiam.protocol._query_decode import decode_query
from localiam.protocol._query_encode import encode_query_error, encode_query_result
from localiam.protocol._validate import validate_input

__all__ = [
    "ConstraintViolation",
    "ServiceError",
    "decode_query",
    "encode_query_error",
    "encode_query_result",
    "load_service_model",
    "validate_input",
]
