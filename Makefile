# GapBridge — `make run` serves the site; `make test` runs lint, types and the whole suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := check
.PHONY: check run test lint fmt typecheck pytest bench bench-quick docs clean install migrate messages

$(STAMP): pyproject.toml requirements.lock
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found (GapBridge needs Python 3.11+); set PYTHON=..."; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e '.[dev]'
	$(BIN)/gapbridge compile-messages
	@touch $(STAMP)

install: $(STAMP)

migrate: $(STAMP)
	$(BIN)/gapbridge migrate

run: $(STAMP)
	$(BIN)/gapbridge migrate
	$(BIN)/gapbridge load-reference
	$(BIN)/gapbridge import-iati --bundled
	$(BIN)/gapbridge derive-barriers
	$(BIN)/gapbridge seed-offers
	$(BIN)/gapbridge seed-needs
	$(BIN)/gapbridge analytics-refresh
	$(BIN)/gapbridge serve --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/gapbridge compile-messages
	GAPBRIDGE_ENV=test $(BIN)/pytest

test: lint typecheck pytest

check: test

bench: $(STAMP)
	GAPBRIDGE_ENV=test $(BIN)/python -m benchmarks

bench-quick: $(STAMP)
	GAPBRIDGE_ENV=test $(BIN)/python -m benchmarks --quick

# Extract translatable strings into src/gapbridge/locale/*/LC_MESSAGES/django.po (needs GNU gettext), then compile.
messages: $(STAMP)
	cd src/gapbridge && ../../$(BIN)/django-admin makemessages --settings gapbridge.settings -l fr -l es -l ar --no-obsolete --ignore 'migrations/*'
	$(BIN)/gapbridge compile-messages

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
