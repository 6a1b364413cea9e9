"""Runs the conformance corpus in-process, with and without a trace, and through the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from conformance_corpus import SCHEMA, CorpusCase, corpus_files, load_corpus, mismatches
from localiam.authz import Trace, evaluate
from localiam.cases import CaseError, CaseReader
from localiam.catalog import Catalog

CORPUS = load_corpus()
RCP_SERVICES = Catalog().rcp_services


def decide(case: dict[str, Any], *, traced: bool = False) -> dict[str, Any]:
    try:
        parsed = CaseReader().read(case)
    except CaseError as exc:
        return {"error": str(exc)}
    trace = Trace() if traced else None
    return evaluate(
        parsed.request, parsed.policies, rcp_services=RCP_SERVICES, trace=trace
    ).to_json()


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_file_follows_the_schema(path: Path) -> None:
    jsonschema.validate(yaml.safe_load(path.read_text()), SCHEMA)


def test_corpus_is_large_enough() -> None:
    assert len(CORPUS) >= 400, f"the corpus has {len(CORPUS)} cases; the issue asks for 400"


@pytest.mark.parametrize("item", CORPUS, ids=lambda c: c.name)
def test_case(item: CorpusCase) -> None:
    got = decide(item.case)
    problems = mismatches(item.want, got)
    assert not problems, f"{item.note} ({item.doc})\n" + "\n".join(problems)


@pytest.mark.parametrize("item", CORPUS, ids=lambda c: c.name)
def test_trace_gives_the_same_decision(item: CorpusCase) -> None:
    fast, traced = decide(item.case), decide(item.case, traced=True)
    assert fast == traced


def test_corpus_through_the_cli(tmp_path: Path) -> None:
    lines = [json.dumps({**c.case, "id": c.name}) for c in CORPUS]
    batch = tmp_path / "corpus.jsonl"
    batch.write_text("\n".join(lines) + "\n")
    run = subprocess.run(
        [sys.executable, "-m", "localiam.cli", "authorize", "--batch", str(batch)],
        capture_output=True,
        text=True,
        check=False,
    )
    errors_expected = any("error" in c.want for c in CORPUS)
    assert run.returncode == (2 if errors_expected else 0), run.stderr
    outputs = [json.loads(line) for line in run.stdout.splitlines()]
    assert len(outputs) == len(CORPUS)
    for item, got in zip(CORPUS, outputs, strict=True):
        assert got.get("id") == item.name
        problems = mismatches(item.want, got)
        assert not problems, f"{item.name}: {item.note}\n" + "\n".join(problems)
