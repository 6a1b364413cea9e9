"""JSON policy documents -> `PolicyDocument`, collecting every finding with its place.

Element rules: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html
Grammar: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
SCP syntax: https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_syntax.html
RCP syntax: https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from localiam.policy._ast import (
    ActionMatcher,
    Effect,
    PolicyDocument,
    PolicyKind,
    ResourceMatcher,
    Statement,
)
from localiam.policy._context import context_string
from localiam.policy._errors import MalformedPolicyDocument, PolicyFinding
from localiam.policy._principal import PrincipalMatcher, compile_principal
from localiam.policy._variables import parse_template
from localiam.policy._wildcard import (
    LazyPattern,
    arn_regex_source,
    glob_regex_source,
    has_wildcard,
    split_patterns,
)
from localiam.policy.conditions import ConditionClause, PolicyValue, parse_operator

VERSIONS = ("2012-10-17", "2008-10-17")
_TOP_LEVEL = {"Version", "Id", "Statement"}
_STATEMENT_ELEMENTS = {
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
}
_SID = re.compile(r"^[0-9A-Za-z]*$")
_ACTION = re.compile(r"^[A-Za-z0-9*?-]+:[A-Za-z0-9*?_-]*$")
# Kinds stored by IAM itself, where Sids must be alphanumeric and unique.
_IAM_KINDS = {PolicyKind.IDENTITY, PolicyKind.BOUNDARY, PolicyKind.TRUST, PolicyKind.SESSION}
_NO_PRINCIPAL_KINDS = {PolicyKind.IDENTITY, PolicyKind.BOUNDARY, PolicyKind.SESSION, PolicyKind.SCP}
SYNTAX = "Syntax errors in policy."


def _alternation(sources: Iterable[str]) -> str:
    """One regex that matches a whole text when any of `sources` does."""
    return "(?:" + "|".join(f"(?:{source})" for source in sources) + r")\Z"


class _Findings:
    def __init__(self) -> None:
        self.items: list[PolicyFinding] = []

    def add(self, location: str, message: str) -> None:
        self.items.append(PolicyFinding(location, message))


def parse_policy(document: str | bytes | Mapping[str, Any], kind: PolicyKind) -> PolicyDocument:
    """Parse and validate a policy of `kind`; raises MalformedPolicyDocument with every finding."""
    if isinstance(document, str | bytes):
        try:
            document = json.loads(document)
        except (ValueError, UnicodeDecodeError) as exc:
            raise MalformedPolicyDocument(
                [PolicyFinding("", f"{SYNTAX} The document is not valid JSON: {exc}")]
            ) from None
    findings = _Findings()
    if not isinstance(document, Mapping):
        findings.add("", f"{SYNTAX} A policy document must be a JSON object.")
        raise MalformedPolicyDocument(findings.items)
    for name in document:
        if name not in _TOP_LEVEL:
            findings.add(str(name), f"{SYNTAX} Unknown element `{name}`.")
    version = document.get("Version", "2008-10-17")
    if version not in VERSIONS:
        findings.add("Version", "The policy failed legacy parsing")
        version = "2008-10-17"
    policy_id = document.get("Id")
    if policy_id is not None and not isinstance(policy_id, str):
        findings.add("Id", f"{SYNTAX} Id must be a string.")
        policy_id = None
    raw_statements = document.get("Statement")
    statements: list[Statement] = []
    if raw_statements is None:
        findings.add("Statement", "Missing required field Statement")
    else:
        as_list = raw_statements if isinstance(raw_statements, list) else [raw_statements]
        if not as_list:
            findings.add("Statement", "Missing required field Statement")
        variables = version == "2012-10-17"
        sids: set[str] = set()
        for i, raw in enumerate(as_list):
            where = f"Statement[{i}]"
            stmt = _statement(raw, i, where, kind, variables, findings)
            if stmt is None:
                continue
            if stmt.sid is not None and kind in _IAM_KINDS:
                if stmt.sid in sids:
                    findings.add(
                        f"{where}.Sid", "Statement IDs (SID) in a single policy must be unique."
                    )
                sids.add(stmt.sid)
            statements.append(stmt)
    if findings.items:
        raise MalformedPolicyDocument(findings.items)
    return PolicyDocument(kind, version, policy_id, tuple(statements), version == "2012-10-17")


def _statement(
    raw: object, index: int, where: str, kind: PolicyKind, variables: bool, findings: _Findings
) -> Statement | None:
    if not isinstance(raw, Mapping):
        findings.add(where, f"{SYNTAX} A statement must be a JSON object.")
        return None
    start = len(findings.items)
    for name in raw:
        if name not in _STATEMENT_ELEMENTS:
            findings.add(f"{where}.{name}", f"{SYNTAX} Unknown element `{name}`.")

    sid = raw.get("Sid")
    if sid is not None:
        if not isinstance(sid, str):
            findings.add(f"{where}.Sid", f"{SYNTAX} Sid must be a string.")
            sid = None
        elif kind in _IAM_KINDS and not _SID.match(sid):
            findings.add(
                f"{where}.Sid",
                "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies "
                "the regular expression [0-9A-Za-z]*",
            )

    effect_raw = raw.get("Effect")
    effect = Effect.ALLOW
    if effect_raw is None:
        findings.add(f"{where}.Effect", "Missing required field Effect")
    elif effect_raw not in ("Allow", "Deny"):
        findings.add(f"{where}.Effect", f"Invalid effect: {effect_raw}")
    else:
        effect = Effect(effect_raw)
    if kind is PolicyKind.RCP and effect is Effect.ALLOW and effect_raw is not None:
        findings.add(
            f"{where}.Effect",
            "Resource control policies may only contain Deny statements; RCPFullAWSAccess is "
            "attached by AWS.",
        )

    action = _actions(raw, where, kind, findings)
    resource = _resources(raw, where, kind, variables, findings)
    principal = _principal(raw, where, kind, findings)
    conditions, keys = _conditions(raw.get("Condition"), f"{where}.Condition", variables, findings)
    if len(findings.items) > start or action is None:
        return None
    return Statement(index, sid, effect, action, resource, principal, conditions, keys)


def _string_list(value: object) -> list[str] | None:
    values = value if isinstance(value, list) else [value]
    if not values or not all(isinstance(v, str) for v in values):
        return None
    return [str(v) for v in values]


def _actions(
    raw: Mapping[str, Any], where: str, kind: PolicyKind, findings: _Findings
) -> ActionMatcher | None:
    has_action, has_not = "Action" in raw, "NotAction" in raw
    if has_action and has_not:
        findings.add(where, f"{SYNTAX} A statement cannot have both Action and NotAction.")
        return None
    if not has_action and not has_not:
        findings.add(where, "Policy statement must contain actions.")
        return None
    name = "Action" if has_action else "NotAction"
    if kind is PolicyKind.RCP and has_not:
        findings.add(f"{where}.NotAction", "Resource control policies do not support NotAction.")
    values = _string_list(raw[name])
    if values is None:
        findings.add(f"{where}.{name}", f"{SYNTAX} {name} must be a string or a list of strings.")
        return None
    ok = True
    for v in values:
        if v == "*":
            continue
        if ":" not in v:
            findings.add(
                f"{where}.{name}",
                "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.",
            )
            ok = False
        elif not _ACTION.match(v):
            findings.add(f"{where}.{name}", f"Action `{v}` is not valid.")
            ok = False
        elif kind is PolicyKind.TRUST and not v.lower().startswith("sts:"):
            findings.add(
                f"{where}.{name}", "AssumeRole policy may only specify STS AssumeRole actions."
            )
            ok = False
    if not ok:
        return None
    lowered = [v.lower() for v in values]
    exact, prefixes, wild = split_patterns(lowered)
    match_all = "*" in lowered
    services: frozenset[str] | None = None
    if not match_all and all(not has_wildcard(v.split(":", 1)[0]) for v in lowered):
        services = frozenset(v.split(":", 1)[0] for v in lowered)
    wildcard = (
        LazyPattern(_alternation(glob_regex_source([(w, False)]) for w in wild), re.DOTALL)
        if wild and not match_all
        else None
    )
    return ActionMatcher(tuple(values), has_not, match_all, exact, prefixes, wildcard, services)


def _resources(
    raw: Mapping[str, Any], where: str, kind: PolicyKind, variables: bool, findings: _Findings
) -> ResourceMatcher | None:
    has_res, has_not = "Resource" in raw, "NotResource" in raw
    if kind is PolicyKind.TRUST:
        for name in ("Resource", "NotResource"):
            if name in raw:
                findings.add(f"{where}.{name}", f"Has prohibited field {name}")
        return None
    if has_res and has_not:
        findings.add(where, f"{SYNTAX} A statement cannot have both Resource and NotResource.")
        return None
    if not has_res and not has_not:
        if kind is PolicyKind.RESOURCE:
            return None  # applies to the resource the policy is attached to
        findings.add(where, "Policy statement must contain resources.")
        return None
    name = "Resource" if has_res else "NotResource"
    values = _string_list(raw[name])
    if values is None:
        findings.add(f"{where}.{name}", f"{SYNTAX} {name} must be a string or a list of strings.")
        return None
    static: list[str] = []
    templates = []
    for v in values:
        if v != "*" and not v.startswith("arn:"):
            findings.add(f"{where}.{name}", f'Resource {v} must be in ARN format or "*".')
            continue
        template = parse_template(v) if variables else None
        if template is None:
            static.append(v)
        else:
            templates.append(template)
    match_all = "*" in static
    exact, prefixes, rest = split_patterns(static)
    regex = (
        LazyPattern(_alternation(arn_regex_source([(s, False)]) for s in rest), re.DOTALL)
        if rest and not match_all
        else None
    )
    return ResourceMatcher(
        tuple(values), has_not, match_all, exact, prefixes, regex, tuple(templates)
    )


def _principal(
    raw: Mapping[str, Any], where: str, kind: PolicyKind, findings: _Findings
) -> PrincipalMatcher | None:
    has_p, has_not = "Principal" in raw, "NotPrincipal" in raw
    if kind in _NO_PRINCIPAL_KINDS:
        for name in ("Principal", "NotPrincipal"):
            if name in raw:
                findings.add(f"{where}.{name}", "Policy document should not specify a principal.")
        return None
    if has_p and has_not:
        findings.add(where, f"{SYNTAX} A statement cannot have both Principal and NotPrincipal.")
        return None
    if not has_p and not has_not:
        findings.add(where, "Missing required field Principal")
        return None
    if kind is PolicyKind.RCP:
        if has_not:
            findings.add(
                f"{where}.NotPrincipal", "Resource control policies do not support NotPrincipal."
            )
            return None
        if raw["Principal"] != "*":
            findings.add(
                f"{where}.Principal",
                'Resource control policies only support "Principal": "*".',
            )
            return None
    name = "Principal" if has_p else "NotPrincipal"
    matcher, problems = compile_principal(raw[name], negated=has_not, where=f"{where}.{name}")
    for location, message in problems:
        findings.add(location, message)
    return matcher


def _conditions(
    raw: object, where: str, variables: bool, findings: _Findings
) -> tuple[tuple[ConditionClause, ...], tuple[str, ...]]:
    if raw is None:
        return (), ()
    if not isinstance(raw, Mapping):
        findings.add(where, f"{SYNTAX} Condition must be a JSON object.")
        return (), ()
    clauses: list[ConditionClause] = []
    keys: dict[str, str] = {}
    for op_name, block in raw.items():
        at = f"{where}.{op_name}"
        operator = parse_operator(str(op_name))
        if operator is None:
            findings.add(at, f"Invalid Condition type : {op_name}")
            continue
        if not isinstance(block, Mapping) or not block:
            findings.add(at, f"{SYNTAX} A condition operator needs an object of keys and values.")
            continue
        for key, value in block.items():
            key_at = f"{at}.{key}"
            if ":" not in key:
                findings.add(
                    key_at,
                    "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.",
                )
                continue
            raw_values = value if isinstance(value, list) else [value]
            if not all(isinstance(v, str | int | float | bool) for v in raw_values):
                findings.add(
                    key_at, f"{SYNTAX} Condition values must be strings, numbers or booleans."
                )
                continue
            policy_values = []
            for v in raw_values:
                text = context_string(v)
                template = parse_template(text) if variables else None
                compiled = (
                    None if template is not None else operator.family.compile(((text, False),))
                )
                policy_values.append(PolicyValue(text, compiled, template))
            clauses.append(ConditionClause(operator, key, key.lower(), tuple(policy_values)))
            keys.setdefault(key.lower(), key)
    return tuple(clauses), tuple(keys.values())
