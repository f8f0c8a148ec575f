# Council children's services scorecard warehouse.
# `make build` sets everything up and builds the warehouse; `make test` runs every test.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

export DBT_PROFILES_DIR := $(CURDIR)
export SCORECARD_DUCKDB_PATH ?= warehouse/scorecard.duckdb
export SCORECARD_INCLUDE_SAMPLE ?= true
# e.g. `make build DBT_BUILD_FLAGS=--full-refresh` after changing seeds or a model's columns.
DBT_BUILD_FLAGS ?=
# Dagster keeps run history, sensor cursors and run keys here, so they survive restarts.
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
# sqlfluff's dbt templater opens a database to compile: never the working warehouse.
LINT_DUCKDB_PATH := warehouse/lint.duckdb

.PHONY: help setup setup-spark build build-postgres build-spark dev test test-postgres test-spark test-fast lint format docs clean bench-load synth bench reports-setup browser reports reports-dev pack measure-pages

help: ## Show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-14s %s\n", $$1, $$2}'

setup: $(VENV)/.installed ## Create .venv and install the pinned dependencies

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --constraint constraints.txt --editable '.[dev]'
	@mkdir -p warehouse
	@touch $@

build: setup ## Set up, check the reference data, load the sample extracts (unless SCORECARD_INCLUDE_SAMPLE=false), dbt build, publish, parse for Dagster
	$(BIN)/scorecard check-reference
	$(BIN)/scorecard init
	@if [ "$(SCORECARD_INCLUDE_SAMPLE)" != "false" ]; then $(BIN)/scorecard load-sample; fi
	$(BIN)/dbt build $(DBT_BUILD_FLAGS)
	$(BIN)/scorecard publish
	$(BIN)/python -m orchestration.project

# PostgreSQL: the same build on a server. With no PGHOST set, a throwaway cluster on 127.0.0.1:55432
# (scripts/postgres-throwaway.sh, which installs Debian's postgresql when missing); otherwise the server
# PGHOST/PGPORT/PGUSER/PGDATABASE name, the password from PGPASSWORD, ~/.pgpass or a service file.
# dbt's run results go to target/postgres so they never mix with the DuckDB build's.
PG_ENV := SCORECARD_TARGET=postgres DBT_TARGET_PATH=target/postgres DBT_LOG_PATH=logs/postgres
build-postgres: setup ## The same build on PostgreSQL: start a throwaway cluster unless PGHOST is set, load the sample, dbt build, publish to schema marts, a role per sample council
	scripts/postgres-throwaway.sh start
	$(BIN)/scorecard check-reference
	$(PG_ENV) $(BIN)/scorecard init
	@if [ "$(SCORECARD_INCLUDE_SAMPLE)" != "false" ]; then $(PG_ENV) $(BIN)/scorecard load-sample; fi
	$(PG_ENV) $(BIN)/dbt build $(DBT_BUILD_FLAGS)
	$(PG_ENV) $(BIN)/scorecard publish
	@if [ "$(SCORECARD_INCLUDE_SAMPLE)" != "false" ]; then $(PG_ENV) $(BIN)/scorecard grant HRF SD004; fi

# Apache Spark: the same build in a local Spark session inside dbt (dbt-spark's session method, profiles.yml
# output `spark`: local[2], driver on 127.0.0.1, UI off; metastore and tables under SCORECARD_SPARK_DIR,
# default /tmp/spark-wh). dbt-spark and PySpark (about 630 MB) go in their own venv, .venv-spark; Spark
# needs Java 17 (scripts/java.sh installs Debian's when there is none). The loader writes the raw
# extracts as Parquet under SCORECARD_SPARK_RAW_DIR (default $$SCORECARD_SPARK_DIR/raw), which dbt
# registers as external tables at the start of each run. docs/spark.md has a Thrift or Databricks profile.
SPARK_VENV := .venv-spark
SPARK_BIN := $(SPARK_VENV)/bin
SPARK_ENV := SCORECARD_TARGET=spark DBT_TARGET_PATH=target/spark DBT_LOG_PATH=logs/spark

setup-spark: $(SPARK_VENV)/.installed ## Create .venv-spark with dbt-spark and PySpark (pinned), and Java 17 if missing

$(SPARK_VENV)/.installed: pyproject.toml constraints.txt
	scripts/java.sh
	$(PYTHON) -m venv $(SPARK_VENV)
	$(SPARK_BIN)/pip install --quiet --constraint constraints.txt --editable '.[dev,spark]'
	@touch $@

build-spark: setup-spark ## The same build on Apache Spark in session mode (local[2]): load the sample as Parquet, dbt build with every test
	$(SPARK_BIN)/scorecard check-reference
	$(SPARK_ENV) $(SPARK_BIN)/scorecard init
	@if [ "$(SCORECARD_INCLUDE_SAMPLE)" != "false" ]; then $(SPARK_ENV) $(SPARK_BIN)/scorecard load-sample; fi
	$(SPARK_ENV) $(SPARK_BIN)/dbt build $(DBT_BUILD_FLAGS)

# The dbt project is parsed once here (deploy time) into target/dagster; Dagster's run workers read that
# manifest and never parse. orchestration/dagster.yaml replaces the copy in DAGSTER_HOME when it is newer.
dev: setup ## Start the Dagster UI and daemon on http://127.0.0.1:3000 (graph, schedule, sensor, checks)
	@mkdir -p "$(DAGSTER_HOME)" landing
	@cp -u orchestration/dagster.yaml "$(DAGSTER_HOME)/dagster.yaml"
	$(BIN)/scorecard init
	$(BIN)/python -m orchestration.project
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/dagster dev --host 127.0.0.1 --port 3000

# Each stage prints its time; CI runs both (`.ci/run` is `make test`).
STAGE = start=$$(date +%s); $(2); status=$$?; echo "stage $(1): $$(( $$(date +%s) - start )) s, exit $$status"; exit $$status
# pytest-xdist workers for the DuckDB stage and test-fast (a file's tests share a worker: tests/conftest.py);
# TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= 2
PARALLEL = $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist loadscope --no-loadscope-reorder)

test: setup lint reports-setup ## Run every test: linters, then pytest in three timed stages: DuckDB (dbt build with all dbt tests; the reports in Chromium; TEST_WORKERS=2 workers), PostgreSQL, Spark
	@$(call STAGE,duckdb,$(BIN)/pytest -m "not postgres and not spark" $(PARALLEL))
	@$(MAKE) --no-print-directory test-postgres
	@$(MAKE) --no-print-directory test-spark

test-postgres: setup ## The PostgreSQL stage alone: the same builds on a throwaway cluster, equal to DuckDB's row for row
	@$(call STAGE,postgres,$(BIN)/pytest -m postgres)

test-spark: setup-spark ## The Spark stage alone: the sample and a synthetic incremental month built on Spark, equal to DuckDB's row for row
	@$(call STAGE,spark,$(SPARK_BIN)/pytest -m spark)

test-fast: setup ## Everyday tier: ruff, the Python tests not marked slow (grammar, loader, readers, reference check), and every dbt unit test on an empty build
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -m "not slow" -q $(PARALLEL)
	@rm -rf warehouse/unit
	SCORECARD_DUCKDB_PATH=warehouse/unit/unit.duckdb DBT_TARGET_PATH=warehouse/unit/target DBT_LOG_PATH=warehouse/unit/logs $(BIN)/scorecard init
	SCORECARD_DUCKDB_PATH=warehouse/unit/unit.duckdb DBT_TARGET_PATH=warehouse/unit/target DBT_LOG_PATH=warehouse/unit/logs $(BIN)/dbt build --empty --exclude test_type:data

lint: setup ## sqlfluff (duckdb, dbt templater) and ruff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	SCORECARD_DUCKDB_PATH=$(LINT_DUCKDB_PATH) $(BIN)/sqlfluff lint models tests/dbt

format: setup ## Fix what sqlfluff and ruff can fix
	$(BIN)/ruff format .
	SCORECARD_DUCKDB_PATH=$(LINT_DUCKDB_PATH) $(BIN)/sqlfluff fix models tests/dbt

# Documents the warehouse as it is and never rebuilds it. Before the first build there is no
# warehouse to read the catalogue from: parse, and generate without a catalogue or compiling
# (neither opens a database, so no empty warehouse file is created).
docs: setup ## Generate the dbt docs site into target/ from the existing warehouse, no rebuild (serve: .venv/bin/dbt docs serve)
	@if [ -f "$(SCORECARD_DUCKDB_PATH)" ]; then \
		$(BIN)/dbt docs generate; \
	else \
		echo "docs: no warehouse at $(SCORECARD_DUCKDB_PATH) yet (make build): the site will have no catalogue"; \
		$(BIN)/dbt parse && $(BIN)/dbt docs generate --empty-catalog --no-compile; \
	fi
	@echo "Docs site in $${DBT_TARGET_PATH:-target}/: serve it with $(BIN)/dbt docs serve (http://localhost:8080)"

clean: ## Remove build output (keeps .venv)
	rm -rf target logs warehouse .pytest_cache .ruff_cache $(REPORTS)/build $(REPORTS)/.evidence test-artifacts

# ---- Reports (Evidence) -------------------------------------------------------------
# `npm install` with the committed package-lock.json (exact versions). `npm ci` is not
# used: the lock npm writes here omits other platforms' optional native builds, which
# `npm ci` then refuses. The postinstall step adjusts Evidence so it never downloads a
# DuckDB extension (reports/scripts/offline-universal-sql.mjs), and so its settings page (an
# editor for `evidence dev` only) no longer puts every brand icon, 4.8 MB, in the chunk every
# page preloads (reports/scripts/slim-settings-page.mjs).
REPORTS := reports
export SEND_ANONYMOUS_USAGE_STATS := no

reports-setup: ## Install the reports' pinned npm packages and Debian's chromium (skipped if node/npm are absent)
	@if command -v npm >/dev/null 2>&1; then \
		$(MAKE) --no-print-directory $(REPORTS)/node_modules/.installed browser; \
	else echo "reports-setup: node/npm not found: the reports and their browser test are skipped"; fi

$(REPORTS)/node_modules/.installed: $(REPORTS)/package.json $(REPORTS)/package-lock.json $(REPORTS)/scripts/offline-universal-sql.mjs $(REPORTS)/scripts/slim-settings-page.mjs
	cd $(REPORTS) && npm install --no-audit --no-fund --loglevel=error
	@touch $@

browser: ## Install Debian's chromium (headless browser test, PDF packs) and poppler-utils (pdftotext, to read packs back) (needs root or sudo)
	@{ command -v chromium && command -v pdftotext; } >/dev/null 2>&1 || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium poppler-utils; }

# With SCORECARD_TARGET=postgres the site reads PostgreSQL's published marts as the read-only reports role
# (scorecard/report_sources.py); the pages and the build are the same for both engines.
reports: setup reports-setup ## Build the static scorecard site into reports/build from the published warehouse (SCORECARD_TARGET=postgres: from PostgreSQL)
	@if [ "$${SCORECARD_TARGET:-dev}" != postgres ]; then \
		test -f warehouse/published/scorecard.duckdb || $(MAKE) --no-print-directory build; \
		cd $(REPORTS) && node scripts/check-published.mjs >/dev/null; fi
	$(BIN)/scorecard report-sources
	cd $(REPORTS) && npm run --silent build
	@echo "Site built in $(REPORTS)/build (serve it with: make reports-dev)"

# The site is rebuilt for `pack` and `measure-pages` only when it is missing or older than the published
# warehouse or a page, component or source query.
REPORTS_STALE = [ ! -f $(REPORTS)/build/pack/index.html ] || \
	[ -n "$$(find warehouse/published/scorecard.duckdb $(REPORTS)/pages $(REPORTS)/components $(REPORTS)/sources \
		-newer $(REPORTS)/build/pack/index.html 2>/dev/null | head -1)" ]

pack: setup reports-setup ## Print the monthly pack of one council and month as an A4 landscape PDF (make pack COUNCIL=HRF MONTH=2017-05), into warehouse/published/packs/
	@[ -n "$(COUNCIL)" ] && [ -n "$(MONTH)" ] || { echo "pack: name the council and month, e.g. make pack COUNCIL=HRF MONTH=2017-05"; exit 2; }
	@if $(REPORTS_STALE); then $(MAKE) --no-print-directory reports; fi
	$(BIN)/scorecard pack --council "$(COUNCIL)" --month "$(MONTH)"

measure-pages: setup reports-setup ## Print each report page's bytes before its figures show, total bytes, requests and time to content (1280 px, cold cache)
	@if $(REPORTS_STALE); then $(MAKE) --no-print-directory reports; fi
	$(BIN)/python -m scorecard.page_weight --detail /

reports-dev: reports-setup ## Serve the reports locally on http://127.0.0.1:3001 (live reload)
	@test -f warehouse/published/scorecard.duckdb || $(MAKE) --no-print-directory build
	cd $(REPORTS) && npm run --silent sources && npm run --silent dev

SYNTH_COUNCILS ?= 153
SYNTH_MONTHS ?= 120
SYNTH_SEED ?= 2026
synth: setup ## Write the synthetic national dataset to warehouse/synth (SYNTH_COUNCILS, SYNTH_MONTHS, SYNTH_SEED)
	$(BIN)/scorecard synth --councils $(SYNTH_COUNCILS) --months $(SYNTH_MONTHS) --seed $(SYNTH_SEED) --out warehouse/synth

BENCH_COUNCILS ?= 1 10 153
bench: setup ## Print build, incremental and query figures for 1, 10 and 153 synthetic councils (BENCH_COUNCILS)
	$(BIN)/scorecard bench --councils $(BENCH_COUNCILS)

bench-load: setup ## Print load speed (rows/s) for a large wide workbook and a large long CSV
	$(BIN)/scorecard bench-load
