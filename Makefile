# Levqor — `make run` installs and starts; `make test` installs and checks everything.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgresql://postgres@127.0.0.1:5432/test

.PHONY: install run test lint typecheck migrations-check pytest bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/levqor db upgrade
	$(BIN)/levqor serve

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy .

migrations-check: install
	@tmp=$$(mktemp -d); \
	LEVQOR_DATA_DIR=$$tmp DATABASE_URL= $(BIN)/levqor db upgrade >/dev/null && \
	LEVQOR_DATA_DIR=$$tmp DATABASE_URL= $(BIN)/levqor db check; status=$$?; rm -rf $$tmp; exit $$status

pytest: install
	$(BIN)/pytest -q -p no:cacheprovider

test: lint typecheck migrations-check pytest

bench: install
	$(BIN)/python -m bench.run_all

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
