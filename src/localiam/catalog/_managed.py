"""AWS managed policies: the public set with their documents, shipped as a dated data file.

`data/aws-managed-policies.json.gz` holds, for each policy, its name, path, ARN
(`arn:aws:iam::aws:policy/PATH/NAME`), default version id, creation and update dates and the
default version's document; `asOf` is the date of the newest update in the file.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Any


@dataclass(frozen=True, slots=True)
class ManagedPolicy:
    """One AWS managed policy."""

    name: str
    path: str
    arn: str
    default_version_id: str
    create_date: str
    update_date: str
    document: dict[str, Any]


class ManagedPolicies:
    """The AWS managed policy set, loaded once from the package's data file."""

    __slots__ = ("_by_arn", "as_of")

    def __init__(self, raw: dict[str, Any] | None = None) -> None:
        if raw is None:
            data = resources.files("localiam.catalog").joinpath("data/aws-managed-policies.json.gz")
            raw = json.loads(gzip.decompress(data.read_bytes()))
        self.as_of: str = raw["asOf"]
        self._by_arn: dict[str, ManagedPolicy] = {
            p["arn"]: ManagedPolicy(
                p["name"],
                p["path"],
                p["arn"],
                p["defaultVersionId"],
                p["createDate"],
                p["updateDate"],
                p["document"],
            )
            for p in raw["policies"]
        }

    def __len__(self) -> int:
        return len(self._by_arn)

    def __iter__(self) -> Iterator[ManagedPolicy]:
        return iter(self._by_arn.values())

    def get(self, arn: str) -> ManagedPolicy | None:
        return self._by_arn.get(arn)
