# crsv-data: `make run` serves the API with the report loaded; `make test` runs every check.
# Needs only Python 3.11+ (PYTHON=python3.12 to choose another interpreter).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run install test lint typecheck pytest check-seeds bench clean-data

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "crsv-data needs Python 3.11+"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

## Start PostgreSQL (embedded unless CRSV_DATABASE_URL is set), migrate, seed an empty database, serve.
run: $(STAMP)
	$(BIN)/crsv up

## Lint, type-check and run the whole test suite against real PostgreSQL.
test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check app tests migrations bench scripts
	$(BIN)/ruff format --check app tests migrations/env.py bench scripts

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest

## Prove every seed figure against the report text (not in the repository: CRSV_REPORT_SOURCE
## names it; by default it sits beside the clone, in ../shared).
CRSV_REPORT_SOURCE ?= ../shared/source/crsv-2023-annual-summaries.md
check-seeds: $(STAMP)
	@test -f "$(CRSV_REPORT_SOURCE)" || { echo "No report text at $(CRSV_REPORT_SOURCE): \
	run CRSV_REPORT_SOURCE=PATH make check-seeds, PATH being the report's Markdown text." >&2; exit 2; }
	$(BIN)/crsv seed check --report "$(CRSV_REPORT_SOURCE)"

## Benchmark at 1,000,000 synthetic figures against a bare-ASGI floor (about 15 minutes);
## writes bench/RESULTS.md. FIGURES=100000 for a quicker run.
FIGURES ?= 1000000
bench: $(STAMP)
	$(BIN)/python -m bench.run --figures $(FIGURES)

## Remove the embedded server's data folder (the next `make run` starts afresh).
clean-data:
	rm -rf .data
