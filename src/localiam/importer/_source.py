"""Reading an import file: JSON values walked with their place in the file, so that every
problem is reported where it is (`RoleDetailList[12].RolePolicyList[0].PolicyDocument: ...`),
and policy documents parsed once per distinct text."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from localiam.policy import MalformedPolicyDocument, PolicyKind, parse_policy
from localiam.services.iam._policies_of import decode_document


class InvalidImport(ValueError):
    """An import that cannot be loaded: bad or partial input, or a clash with what the store
    already holds. `place` is where in the file (empty for the file as a whole), `file` which
    file (empty when not known)."""

    def __init__(self, place: str, problem: str, file: str = "") -> None:
        self.place = place
        self.problem = problem
        self.file = file
        super().__init__(": ".join(part for part in (file, place, problem) if part))

    def in_file(self, file: str) -> InvalidImport:
        """The same problem, said to be in `file`."""
        return InvalidImport(self.place, self.problem, file)


def load_json(text: str) -> Any:
    """The file's JSON value; invalid JSON is an `InvalidImport` naming line and column."""
    try:
        return json.loads(text)
    except RecursionError:
        raise InvalidImport("", "not valid JSON: nested too deeply") from None
    except ValueError as exc:
        raise InvalidImport("", f"not valid JSON: {exc}") from None


def _type_name(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"


class Obj:
    """A JSON object of the file and its place; typed getters raise `InvalidImport` there.

    Members the reader does not know are ignored (AWS adds members over time)."""

    __slots__ = ("place", "raw")

    def __init__(self, raw: object, place: str) -> None:
        if not isinstance(raw, dict):
            raise InvalidImport(place or "file", f"must be a JSON object, not {_type_name(raw)}")
        self.raw: dict[str, Any] = raw
        self.place = place

    def at(self, key: str) -> str:
        """The place of member `key`."""
        return f"{self.place}.{key}" if self.place else key

    def has(self, key: str) -> bool:
        return self.raw.get(key) is not None

    def text(
        self,
        key: str,
        *,
        pattern: re.Pattern[str] | None = None,
        max_length: int | None = None,
        what: str = "",
    ) -> str:
        """A required non-empty string member, matching `pattern` and at most `max_length`."""
        value = self.raw.get(key)
        if value is None:
            raise InvalidImport(self.at(key), "missing; it is required")
        return self._checked(key, value, pattern, max_length, what)

    def optional_text(
        self,
        key: str,
        *,
        pattern: re.Pattern[str] | None = None,
        max_length: int | None = None,
        what: str = "",
    ) -> str | None:
        value = self.raw.get(key)
        if value is None:
            return None
        return self._checked(key, value, pattern, max_length, what)

    def _checked(
        self,
        key: str,
        value: object,
        pattern: re.Pattern[str] | None,
        max_length: int | None,
        what: str,
    ) -> str:
        if not isinstance(value, str):
            raise InvalidImport(self.at(key), f"must be a string, not {_type_name(value)}")
        if pattern is not None and not pattern.fullmatch(value):
            raise InvalidImport(self.at(key), f"`{value}` is not {what or 'valid'}")
        if max_length is not None and len(value) > max_length:
            raise InvalidImport(self.at(key), f"longer than {max_length} characters")
        return value

    def flag(self, key: str, default: bool = False) -> bool:
        value = self.raw.get(key, default)
        if not isinstance(value, bool):
            raise InvalidImport(self.at(key), f"must be true or false, not {_type_name(value)}")
        return value

    def integer(self, key: str, default: int, low: int, high: int) -> int:
        value = self.raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidImport(self.at(key), f"must be a whole number, not {_type_name(value)}")
        if not low <= value <= high:
            raise InvalidImport(self.at(key), f"{value} is not between {low} and {high}")
        return value

    def date(self, key: str, default: Callable[[], datetime]) -> datetime:
        """An ISO 8601 timestamp (`2024-01-02T03:04:05Z`, as the AWS CLI prints them) in UTC;
        a naive one is taken as UTC."""
        moment = self.optional_date(key)
        return default() if moment is None else moment

    def optional_date(self, key: str) -> datetime | None:
        value = self.raw.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise InvalidImport(self.at(key), f"must be an ISO 8601 date, not {_type_name(value)}")
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise InvalidImport(self.at(key), f"`{value}` is not an ISO 8601 date") from None
        if moment.tzinfo is None:
            return moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)

    def child(self, key: str) -> Obj | None:
        """An optional object member."""
        value = self.raw.get(key)
        return None if value is None else Obj(value, self.at(key))

    def values(self, key: str) -> list[tuple[str, Any]]:
        """The items of an optional list member, each with its place."""
        value = self.raw.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise InvalidImport(self.at(key), f"must be a list, not {_type_name(value)}")
        where = self.at(key)
        return [(f"{where}[{i}]", item) for i, item in enumerate(value)]

    def objects(self, key: str) -> Iterator[Obj]:
        """The objects of an optional list member."""
        for place, item in self.values(key):
            yield Obj(item, place)

    def strings(self, key: str) -> list[tuple[str, str]]:
        """The strings of an optional list member, each with its place."""
        out: list[tuple[str, str]] = []
        for place, item in self.values(key):
            if not isinstance(item, str) or not item:
                raise InvalidImport(place, f"must be a non-empty string, not {_type_name(item)}")
            out.append((place, item))
        return out


class Documents:
    """Policy documents of the file, as the text to store, each distinct text parsed once.

    A document is a JSON object (the AWS CLI and boto3 decode them) or a string: JSON text, or JSON
    text URL-encoded as the IAM API returns it. `rewrite` maps the text before it is parsed
    and stored (the account-id rewriting)."""

    def __init__(self, rewrite: Callable[[str], str] = lambda text: text) -> None:
        self._rewrite = rewrite
        self._checked: set[tuple[PolicyKind | None, str]] = set()

    def text(self, obj: Obj, key: str, kind: PolicyKind | None) -> str:
        """The stored text of a required document member, valid as a policy of `kind` (any
        JSON object when `kind` is None)."""
        value = obj.raw.get(key)
        place = obj.at(key)
        if value is None:
            raise InvalidImport(place, "missing; it is required")
        if isinstance(value, dict):
            text = json.dumps(value, indent=4)
        elif isinstance(value, str) and value.strip():
            text = decode_document(value)
        else:
            raise InvalidImport(
                place, f"must be a policy document (a JSON object or text), not {_type_name(value)}"
            )
        text = self._rewrite(text)
        if (kind, text) not in self._checked:
            self._check(text, kind, place)
            self._checked.add((kind, text))
        return text

    @staticmethod
    def _check(text: str, kind: PolicyKind | None, place: str) -> None:
        if kind is None:
            try:
                parsed = json.loads(text)
            except (ValueError, RecursionError):
                raise InvalidImport(place, "not valid JSON") from None
            if not isinstance(parsed, dict):
                raise InvalidImport(place, "must be a JSON object")
            return
        try:
            parse_policy(text, kind)
        except MalformedPolicyDocument as exc:
            raise InvalidImport(place, f"malformed policy document: {exc}") from None
