# Levqor — `make run` installs and starts; `make test` installs and checks everything.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgresql://postgres@127.0.0.1:5432/test
CHROMIUM ?= /usr/bin/chromium
TEST_WORKERS ?= 2
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install browser run test lint typecheck migrations-check pytest bench screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Browser tests drive Debian's Chromium through Playwright (Playwright cannot download browsers here).
browser:
	@test -x $(CHROMIUM) || { echo "installing Debian's chromium for the browser tests"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

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

pytest: install browser
	$(BIN)/pytest -q -p no:cacheprovider -n $(TEST_WORKERS) --durations=25

# Re-take the screenshots in docs/screenshots from the browser tests.
screenshots: install browser
	LEVQOR_SCREENSHOTS=1 $(BIN)/pytest -q -p no:cacheprovider tests/web -k "sqlite"

test: lint typecheck migrations-check pytest

bench: install
	$(BIN)/python -m bench.run_all

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
