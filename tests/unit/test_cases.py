"""localiam.cases: the `localiam authorize` case format; bad input becomes a CaseError naming
the field, never a traceback."""

from __future__ import annotations

import json
from typing import Any

import pytest

from localiam.authz import evaluate
from localiam.cases import CaseError, CaseReader
from localiam.policy import PolicyKind, parse_policy

USER = "arn:aws:iam::111122223333:user/alice"
REQUEST = {"principal": USER, "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"}
ALLOW: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}
RP = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*"}]}
RCP = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}],
}


def case(**fields: Any) -> dict[str, Any]:
    return {"request": dict(REQUEST), **fields}


def error(raw: object, reader: CaseReader | None = None) -> str:
    with pytest.raises(CaseError) as info:
        (reader or CaseReader()).read(raw)
    return str(info.value)


# --- well-formed cases -------------------------------------------------------------------------


def test_full_case() -> None:
    c = CaseReader().read(
        case(
            id="c1",
            identityPolicies=[
                ALLOW,
                {"id": "arn:aws:iam::111122223333:policy/p", "document": ALLOW},
            ],
            permissionsBoundary=ALLOW,
            sessionPolicy=json.dumps(ALLOW),
            resourcePolicy=RP,
            scps=[[ALLOW], [ALLOW]],
            rcps=[[], [RCP]],
            managementAccount="999999999999",
        )
    )
    assert c.case_id == "c1"
    assert c.request.caller.name == "alice"
    p = c.policies
    assert [pid for pid, _ in p.identity.policies] == [
        "identityPolicies[0]",
        "arn:aws:iam::111122223333:policy/p",
    ]
    assert p.boundary is not None and p.session is not None and p.resource is not None
    assert p.scps is not None and len(p.scps) == 2
    assert p.rcps is not None and [len(level) for level in p.rcps] == [0, 1]
    assert p.rcps[1].policies[0][0] == "rcps[1][0]"
    assert p.rcps[1].policies[0][1].kind is PolicyKind.RCP
    assert p.management_account == "999999999999"
    assert evaluate(c.request, p).decision.value == "explicitDeny"


def test_minimal_case() -> None:
    c = CaseReader().read({"request": {"principal": USER, "action": "s3:ListAllMyBuckets"}})
    assert c.case_id is None
    assert c.request.resource == "*"
    assert len(c.policies.identity) == 0
    assert c.policies.scps is None and c.policies.rcps is None


def test_request_context_and_resource_account() -> None:
    c = CaseReader().read(
        case(
            request={
                **REQUEST,
                "resourceAccount": "444455556666",
                "context": {"aws:TagKeys": ["a", 1]},
            }
        )
    )
    assert c.request.resource_account == "444455556666"
    assert c.request.context["aws:tagkeys"] == ("a", "1")


def test_each_distinct_document_is_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[PolicyKind] = []
    real = parse_policy

    def counting(document: Any, kind: PolicyKind) -> Any:
        calls.append(kind)
        return real(document, kind)

    monkeypatch.setattr("localiam.cases.parse_policy", counting)
    reader = CaseReader()
    reordered = {"Statement": ALLOW["Statement"], "Version": "2012-10-17"}
    for _ in range(3):
        reader.read(case(identityPolicies=[ALLOW, reordered, json.dumps(ALLOW)]))
    assert calls == [PolicyKind.IDENTITY]
    # the same text as another kind is parsed again (the kinds have different rules)
    reader.read(case(permissionsBoundary=ALLOW))
    assert calls == [PolicyKind.IDENTITY, PolicyKind.BOUNDARY]


def test_base_fields_are_merged_and_base_policies_shared(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[PolicyKind] = []
    real = parse_policy

    def counting(document: Any, kind: PolicyKind) -> Any:
        calls.append(kind)
        return real(document, kind)

    monkeypatch.setattr("localiam.cases.parse_policy", counting)
    reader = CaseReader({"id": "base", "identityPolicies": [ALLOW], "scps": [[ALLOW]]})
    assert calls == [PolicyKind.IDENTITY, PolicyKind.SCP]
    first = reader.read({"request": REQUEST})
    second = reader.read({"request": REQUEST, "id": "mine"})
    assert first.case_id == "base" and second.case_id == "mine"
    assert first.policies is second.policies
    # a line that replaces one policy field keeps the base's other fields, parsed already
    third = reader.read({"request": REQUEST, "sessionPolicy": ALLOW})
    assert third.policies.session is not None and third.policies.scps is not None
    assert calls == [PolicyKind.IDENTITY, PolicyKind.SCP, PolicyKind.SESSION]
    # a line's field replaces the base's field of the same name
    fourth = reader.read({"request": REQUEST, "identityPolicies": []})
    assert len(fourth.policies.identity) == 0


def test_base_may_hold_the_request() -> None:
    reader = CaseReader({"request": REQUEST})
    assert reader.read({"id": 1}).request.action == "s3:GetObject"


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ([], "a case must be a JSON object"),
        ({"id": 1}, "request: missing"),
        (case(extra=1), "extra: unknown field"),
        ({"request": "x"}, "request: must be a JSON object"),
        ({"request": {**REQUEST, "verb": "GET"}}, "request.verb: unknown field"),
        ({"request": {"action": "s3:GetObject"}}, "request.principal: required"),
        ({"request": {**REQUEST, "principal": 5}}, "request.principal: required"),
        ({"request": {**REQUEST, "principal": "bob"}}, "request.principal: principal `bob`"),
        ({"request": {**REQUEST, "action": ""}}, "request.action: required"),
        ({"request": {**REQUEST, "action": "GetObject"}}, "request.action: action `GetObject`"),
        ({"request": {**REQUEST, "resource": ""}}, "request.resource:"),
        ({"request": {**REQUEST, "resource": ["a"]}}, "request.resource:"),
        ({"request": {**REQUEST, "resourceAccount": "1234"}}, "request.resourceAccount:"),
        ({"request": {**REQUEST, "resourceAccount": 111122223333}}, "request.resourceAccount:"),
        ({"request": {**REQUEST, "context": "x"}}, "request.context:"),
        ({"request": {**REQUEST, "context": {"aws:a": {"b": 1}}}}, "request.context.aws:a:"),
        ({"request": {**REQUEST, "context": {"aws:a": [None]}}}, "request.context.aws:a:"),
        (case(identityPolicies={}), "identityPolicies: must be a list"),
        (case(identityPolicies=[{"Statement": []}]), "identityPolicies[0].Statement:"),
        (
            case(
                identityPolicies=[
                    ALLOW,
                    {"Version": "2012-10-17", "Statement": [{"Action": "s3:*", "Resource": "*"}]},
                ]
            ),
            "identityPolicies[1].Statement[0].Effect: Missing required field Effect",
        ),
        (case(identityPolicies=["{not json"]), "identityPolicies[0]: Syntax errors in policy."),
        (case(identityPolicies=[None]), "identityPolicies[0]: Syntax errors in policy."),
        (
            case(identityPolicies=[{"document": ALLOW, "name": "x"}]),
            "identityPolicies[0].name: unknown field",
        ),
        (case(identityPolicies=[{"document": ALLOW, "id": ""}]), "identityPolicies[0].id:"),
        (case(identityPolicies=[{"document": ALLOW, "id": 3}]), "identityPolicies[0].id:"),
        (
            case(
                permissionsBoundary={
                    "Version": "2012-10-17",
                    "Statement": [{**ALLOW["Statement"][0], "Principal": "*"}],
                }
            ),
            "permissionsBoundary.Statement[0].Principal:",
        ),
        (case(sessionPolicy=[]), "sessionPolicy: Syntax errors in policy."),
        (
            case(resourcePolicy=ALLOW),
            "resourcePolicy.Statement[0]: Missing required field Principal",
        ),
        (case(scps=[ALLOW]), "scps: must be a list of levels"),
        (case(scps={}), "scps: must be a list of levels"),
        (case(scps=[[ALLOW], [RP]]), "scps[1][0].Statement[0]"),
        (case(rcps=[[ALLOW]]), "rcps[0][0].Statement[0].Effect"),
        (case(managementAccount="abc"), "managementAccount:"),
        (case(managementAccount=111122223333), "managementAccount:"),
    ],
)
def test_bad_cases_name_the_field(raw: object, field: str) -> None:
    assert field in error(raw)


def test_malformed_document_error_lists_every_finding() -> None:
    bad = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Maybe", "Action": "s3:*", "Resource": "*"},
            {"Effect": "Allow", "Action": "s3", "Resource": "*"},
        ],
    }
    message = error(case(identityPolicies=[ALLOW, bad]))
    assert message.startswith("MalformedPolicyDocument: ")
    assert "identityPolicies[1].Statement[0].Effect: Invalid effect: Maybe" in message
    assert "identityPolicies[1].Statement[1].Action:" in message


@pytest.mark.parametrize(
    ("base", "fragment"),
    [
        ([1], "base: a base case must be a JSON object"),
        ({"nope": 1}, "nope: unknown field"),
        ({"scps": "x"}, "scps:"),
        ({"identityPolicies": [{"Statement": "x"}]}, "identityPolicies[0]."),
    ],
)
def test_bad_base(base: Any, fragment: str) -> None:
    with pytest.raises(CaseError) as info:
        CaseReader(base)
    assert fragment in str(info.value)


def test_a_bad_line_leaves_the_reader_usable() -> None:
    reader = CaseReader({"identityPolicies": [ALLOW]})
    assert "request" in error({"request": {}}, reader)
    assert reader.read({"request": REQUEST}).policies.identity.entries


@pytest.mark.parametrize("context", [[], "", 0, False])
def test_context_must_be_an_object(context: object) -> None:
    assert "request.context" in error({"request": {**REQUEST, "context": context}})


def test_bad_action_mentioning_principal_is_blamed_on_the_action() -> None:
    assert error({"request": {**REQUEST, "action": "principal"}}).startswith("request.action:")
