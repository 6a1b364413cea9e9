"""The simulator's pure parts: statement positions, context entries, referenced context keys and
resource-type ARN templates."""

from __future__ import annotations

import json

import pytest

from localiam.protocol import ServiceError
from localiam.services.iam._sim_arns import ArnTemplates
from localiam.services.iam._sim_context import context_from_entries
from localiam.services.iam._sim_keys import distinct_keys, policy_keys
from localiam.services.iam._sim_positions import Position, Span, statement_spans

# -- positions ---------------------------------------------------------------------------------
# Each expectation below is a position the real service reported for that exact text.

DYNAMODB = (
    '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*",'
    '"Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}'
)


def span(line1: int, col1: int, line2: int, col2: int) -> Span:
    return Span(Position(line1, col1), Position(line2, col2))


def test_a_single_statement_object_starts_after_its_brace() -> None:
    # AWS CLI example for simulate-custom-policy: StartPosition 1:38, EndPosition 1:167.
    assert statement_spans(DYNAMODB) == (span(1, 38, 1, 167),)


def test_array_statements_start_after_the_bracket_or_the_previous_statement() -> None:
    bucket = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "*",
                "Resource": ["arn:aws:s3:::tims-fancy-bucket/*", "arn:aws:s3:::tims-fancy-bucket"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
            {
                "Sid": "DenyTimDelete",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:DeleteObject",
                "Resource": "arn:aws:s3:::tims-fancy-bucket/*",
                "Condition": {
                    "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::112233445566:role/tims-test-role"}
                },
            },
        ],
    }
    text = json.dumps(bucket, separators=(",", ":"))
    assert statement_spans(text) == (span(1, 38, 1, 248), span(1, 248, 1, 470))


def test_indented_documents_count_lines_and_columns() -> None:
    admin = (
        '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Effect": "Allow",\n'
        '      "Action": "*",\n      "Resource": "*"\n    }\n  ]\n}'
    )
    # AdministratorAccess as simulate-principal-policy reports it: 3:17 to 8:6.
    assert statement_spans(admin) == (span(3, 17, 8, 6),)
    assert statement_spans(admin.replace("\n", "\r\n")) == (span(3, 17, 8, 6),)
    assert statement_spans(admin.replace("\n", "\r")) == (span(3, 17, 8, 6),)


def test_strings_with_braces_and_escapes_do_not_confuse_the_scan() -> None:
    text = (
        '{"Id": "x}{[", "Statement": [{"Sid": "a", "Effect": "Allow", "Action": "s3:*", '
        '"Resource": "arn:aws:s3:::b/\\"}]{"}, {"Effect": "Deny", "Action": "*", "Resource": "*"}]}'
    )
    first, second = statement_spans(text)
    start = text.index("[{") + 2
    assert first.start == Position(1, start)
    assert text[first.end.column - 2] == "}"
    assert second.start == first.end
    assert text[second.end.column - 2 : second.end.column] == "}]"


def test_the_last_of_repeated_statement_keys_counts_as_in_json() -> None:
    text = '{"Statement": {"Effect": "Deny"}, "Statement": [{"Effect": "Allow"}]}'
    (only,) = statement_spans(text)
    assert only.start == Position(1, text.index("[") + 2)


def test_text_that_is_not_a_policy_has_no_spans() -> None:
    assert statement_spans("[]") == ()
    assert statement_spans('{"Statement": "x"}') == ()
    assert statement_spans('{"Statement": [') == ()


# -- context entries ---------------------------------------------------------------------------


def entry(name: str, kind: str, *values: str) -> dict[str, object]:
    return {"ContextKeyName": name, "ContextKeyType": kind, "ContextKeyValues": list(values)}


def test_entries_become_the_context_with_lowercased_keys() -> None:
    context = context_from_entries(
        [
            entry("aws:CurrentTime", "date", "2019-04-25T11:00:00Z"),
            entry("aws:TagKeys", "stringList", "a", "b"),
            entry("aws:SecureTransport", "boolean", "TRUE"),
            entry("aws:SourceIp", "ip", "203.0.113.7"),
            entry("aws:MultiFactorAuthAge", "numeric", "30"),
            entry("s3:max-keys", "numericList", "1", "2.5"),
            entry("ec2:Blob", "binary", "QmluYXJ5"),
            entry("aws:EpochTime", "dateList", "1700000000"),
        ]
    )
    assert context == {
        "aws:currenttime": "2019-04-25T11:00:00Z",
        "aws:tagkeys": ("a", "b"),
        "aws:securetransport": "true",
        "aws:sourceip": "203.0.113.7",
        "aws:multifactorauthage": "30",
        "s3:max-keys": ("1", "2.5"),
        "ec2:blob": "QmluYXJ5",
        "aws:epochtime": ("1700000000",),
    }


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        (entry("aws:MultiFactorAuthAge", "numeric", "thirty"), "Invalid value thirty"),
        (entry("aws:SecureTransport", "boolean", "yes"), "Invalid value yes"),
        (entry("aws:SourceIp", "ip", "300.1.1.1"), "Invalid value 300.1.1.1"),
        (entry("aws:CurrentTime", "date", "yesterday"), "Invalid value yesterday"),
        (entry("ec2:Blob", "binary", "not base64!"), "Invalid value not base64!"),
        (entry("aws:username", "string", "a", "b"), "takes exactly one value"),
        (entry("aws:username", "string"), "takes exactly one value"),
        ({"ContextKeyName": "aws:username", "ContextKeyValues": ["a"]}, "ContextKeyType"),
        ({"ContextKeyType": "string", "ContextKeyValues": ["a"]}, "ContextKeyName"),
    ],
)
def test_bad_entries_are_invalid_input(bad: dict[str, object], words: str) -> None:
    with pytest.raises(ServiceError) as info:
        context_from_entries([bad])
    assert info.value.code == "InvalidInput"
    assert words in info.value.message


# -- referenced context keys -------------------------------------------------------------------


def test_keys_in_document_order_as_written_with_variables() -> None:
    # The example of get-context-keys-for-custom-policy in the AWS CLI reference.
    policy = {
        "Version": "2012-10-17",
        "Statement": {
            "Effect": "Allow",
            "Action": "dynamodb:*",
            "Resource": "arn:aws:dynamodb:us-west-2:123456789012:table/${aws:username}",
            "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2015-08-16T12:00:00Z"}},
        },
    }
    assert list(policy_keys(json.dumps(policy))) == ["aws:username", "aws:CurrentTime"]


def test_escapes_defaults_and_the_2008_version() -> None:
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "s3:*",
                "NotResource": "arn:aws:s3:::b/${*}/${aws:PrincipalTag/team, 'none'}",
                "Condition": {"StringLike": {"s3:prefix": ["${aws:userid}/*"]}},
            }
        ],
    }
    assert list(policy_keys(json.dumps(policy))) == [
        "aws:PrincipalTag/team",
        "s3:prefix",
        "aws:userid",
    ]
    policy["Version"] = "2008-10-17"
    assert list(policy_keys(json.dumps(policy))) == ["s3:prefix"]


def test_distinct_keys_ignore_case_and_keep_the_first_spelling() -> None:
    one = '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}}'
    two = one.replace("aws:SecureTransport", "AWS:securetransport")
    assert distinct_keys([one, two]) == ["aws:SecureTransport"]


# -- ARN templates -----------------------------------------------------------------------------


def test_templates_follow_the_requested_resource_type() -> None:
    templates = ArnTemplates()
    object_arn = "arn:${Partition}:s3:::${BucketName}/${ObjectName}"
    assert templates.template_for("s3:GetObject", ["arn:aws:s3:::b/k"]) == object_arn
    assert templates.template_for("s3:ListBucket", ["arn:aws:s3:::b"]) == (
        "arn:${Partition}:s3:::${BucketName}"
    )
    assert templates.template_for("s3:GetObject", []) == "*"
    assert templates.template_for("s3:ListAllMyBuckets", ["arn:aws:s3:::b"]) == "*"
    assert templates.template_for("nosuchservice:Do", ["arn:aws:x:::y"]) == "*"
