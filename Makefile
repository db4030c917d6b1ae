# crsv-data: `make run` serves the API with the report loaded; `make test` runs every check.
# Needs only Python 3.11+ (PYTHON=python3.12 to choose another interpreter).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run install test lint typecheck pytest test-scale pgbouncer docker-compose test-browser chromium check-seeds bench clean-data

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

## The multi-server tests (about a minute): a primary and a streaming replica, two API
## instances, PgBouncer in transaction mode, and `docker-compose config` on the compose file.
## Installs Debian's pgbouncer and docker-compose when they are missing.
test-scale: $(STAMP) pgbouncer docker-compose
	$(BIN)/pytest -m scale tests/test_scale_replicas.py tests/test_scale_pgbouncer.py \
	  tests/test_deployment.py

PGBOUNCER ?= $(shell command -v pgbouncer || ls /usr/sbin/pgbouncer 2>/dev/null)
pgbouncer:
	@test -n "$(PGBOUNCER)" || { apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends pgbouncer; }

## Compose v1 from Debian: `docker-compose config` validates the file without a Docker engine.
docker-compose:
	@command -v docker-compose >/dev/null || { apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-compose; }

## The explorer in a real browser: Debian's chromium (installed if missing; never a downloaded
## browser build) driven by Playwright, on the seeded data; screenshots go to build/screenshots/.
BROWSER_STAMP := $(VENV)/.browser-installed
$(BROWSER_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,browser]'
	@touch $(BROWSER_STAMP)

chromium:
	@test -x /usr/bin/chromium || { \
	  SUDO=$$(test "$$(id -u)" = 0 || echo sudo); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; }

test-browser: $(BROWSER_STAMP) chromium
	$(BIN)/pytest tests/browser

## Prove every seed figure against the report text (not in the repository: CRSV_REPORT_SOURCE
## names it; by default it sits beside the clone, in ../shared).
CRSV_REPORT_SOURCE ?= ../shared/source/crsv-2023-annual-summaries.md
check-seeds: $(STAMP)
	@test -f "$(CRSV_REPORT_SOURCE)" || { echo "No report text at $(CRSV_REPORT_SOURCE): \
	run CRSV_REPORT_SOURCE=PATH make check-seeds, PATH being the report's Markdown text." >&2; exit 2; }
	$(BIN)/crsv seed check --report "$(CRSV_REPORT_SOURCE)"

## Benchmark at 1,000,000 synthetic figures against a bare-ASGI floor and against Datasette
## (the `bench` extra) serving the same data from SQLite, then the explorer's overview in
## Debian's chromium (the `browser` extra); about 20 minutes; writes bench/RESULTS.md.
## FIGURES=100000 for a quicker run.
FIGURES ?= 1000000
BENCH_STAMP := $(VENV)/.bench-installed
$(BENCH_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	@touch $(BENCH_STAMP)

bench: $(BENCH_STAMP) $(BROWSER_STAMP) chromium
	$(BIN)/python -m bench.run --figures $(FIGURES)

## Remove the embedded server's data folder (the next `make run` starts afresh).
clean-data:
	rm -rf .data
