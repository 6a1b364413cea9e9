"""AWS wire protocols, driven by botocore service models. Pure: no HTTP framework, no I/O
beyond reading the models botocore ships.

The query protocol (IAM, STS): `decode_query` turns a request's form fields into an operation
and its parameters, `validate_input` checks them against the model's constraints (and
`input_violations` lists what breaks them), `encode_query_result` and `encode_query_error`
write AWS's XML documents.

The JSON 1.1 protocol (Organizations): `decode_json` turns the `X-Amz-Target` header and the
JSON body into an operation and its parameters, checked by the same `validate_input`;
`encode_json_result` and `encode_json_error` write the JSON bodies, sent as
`JSON_CONTENT_TYPE`.
"""

from localiam.protocol._errors import ConstraintViolation, ServiceError
from localiam.protocol._json_decode import decode_json
from localiam.protocol._json_encode import JSON_CONTENT_TYPE, encode_json_error, encode_json_result
from localiam.protocol._model import load_service_model
from localiam.protocol._query_decode import decode_query, form_parameters
from localiam.protocol._query_encode import encode_query_error, encode_query_result
from localiam.protocol._validate import input_violations, validate_input

# Plainly sorted, as tests/unit/protocol/test_protocol_api.py checks; ruff's RUF022 would put
# the constant first.
__all__ = [  # noqa: RUF022
    "ConstraintViolation",
    "JSON_CONTENT_TYPE",
    "ServiceError",
    "decode_json",
    "decode_query",
    "encode_json_error",
    "encode_json_result",
    "encode_query_error",
    "encode_query_result",
    "form_parameters",
    "input_violations",
    "load_service_model",
    "validate_input",
]
