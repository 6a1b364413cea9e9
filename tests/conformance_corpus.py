"""Loads the conformance corpus (tests/conformance/<topic>/*.yaml) into small frozen records and
compares a decision with a case's `want`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).parent / "conformance"
SCHEMA = json.loads((ROOT / "schema.json").read_text())


@dataclass(frozen=True)
class CorpusCase:
    """One case of the corpus, with where it came from."""

    file: str
    position: int
    note: str
    doc: str
    case: dict[str, Any]
    want: dict[str, Any]

    @property
    def name(self) -> str:
        return f"{self.file}#{self.position}"


def corpus_files() -> list[Path]:
    return sorted(ROOT.glob("*/*.yaml"))


def load_corpus() -> list[CorpusCase]:
    cases: list[CorpusCase] = []
    for path in corpus_files():
        data = yaml.safe_load(path.read_text())
        rel = str(path.relative_to(ROOT))
        for i, item in enumerate(data.get("cases", [])):
            cases.append(
                CorpusCase(
                    rel,
                    i,
                    item.get("note", ""),
                    item.get("doc", data.get("doc", "")),
                    item.get("case", {}),
                    item.get("want", {}),
                )
            )
    return cases


def mismatches(want: dict[str, Any], got: dict[str, Any]) -> list[str]:
    """What in `got` (a decision's JSON, or {"error": text}) differs from `want`."""
    problems: list[str] = []
    if "error" in want:
        if "error" not in got:
            return [f"want an error containing {want['error']!r}, got {got.get('decision')}"]
        if want["error"] not in got["error"]:
            problems.append(f"error {got['error']!r} does not contain {want['error']!r}")
        return problems
    if "error" in got:
        return [f"unexpected error: {got['error']}"]
    if got["decision"] != want["decision"]:
        problems.append(f"decision: want {want['decision']}, got {got['decision']}")
    if "blockedBy" in want and got["blockedBy"] != want["blockedBy"]:
        problems.append(f"blockedBy: want {want['blockedBy']}, got {got['blockedBy']}")
    if "message" in want and got["message"] != want["message"]:
        problems.append(f"message:\n  want {want['message']}\n  got  {got['message']}")
    if "missingContextKeys" in want:
        w = sorted(k.lower() for k in want["missingContextKeys"])
        g = sorted(k.lower() for k in got["missingContextKeys"])
        if w != g:
            problems.append(f"missingContextKeys: want {w}, got {g}")
    if "matchedStatements" in want:
        remaining = list(got["matchedStatements"])
        for spec in want["matchedStatements"]:
            hit = next((m for m in remaining if all(m.get(k) == v for k, v in spec.items())), None)
            if hit is None:
                problems.append(f"matchedStatements: no match for {spec} in {remaining}")
            else:
                remaining.remove(hit)
        if remaining and not problems:
            problems.append(f"matchedStatements: unexpected {remaining}")
    return problems
