# Every target does its own set-up on a fresh machine: it creates .venv and installs
# the project (with its test tools) before running.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: serve test test-postgres check lint typecheck bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

serve: $(STAMP)
	$(BIN)/localiam serve

test: $(STAMP)
	$(BIN)/python -m pytest

# The store's tests against a real PostgreSQL (installed from Debian's packages when missing).
test-postgres: $(STAMP)
	scripts/with-postgres.sh $(BIN)/python -m pytest tests/unit/store tests/e2e/test_postgres_server.py

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

check: lint typecheck test

bench: $(STAMP)
	$(BIN)/python benchmarks/decisions.py
	$(BIN)/python benchmarks/server_load.py
	$(BIN)/python benchmarks/import_sample.py
	$(BIN)/python benchmarks/gateway_overhead.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis
