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
# Dagster keeps run history, sensor cursors and run keys here, so they survive restarts.
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
# sqlfluff's dbt templater opens a database to compile: never the working warehouse.
LINT_DUCKDB_PATH := warehouse/lint.duckdb

.PHONY: help setup build dev test lint format docs clean bench-load

help: ## Show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-8s %s\n", $$1, $$2}'

setup: $(VENV)/.installed ## Create .venv and install the pinned dependencies

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --constraint constraints.txt --editable '.[dev]'
	@mkdir -p warehouse
	@touch $@

build: setup ## Set up, load the sample extracts (unless SCORECARD_INCLUDE_SAMPLE=false), dbt build, publish
	$(BIN)/scorecard init
	@if [ "$(SCORECARD_INCLUDE_SAMPLE)" != "false" ]; then $(BIN)/scorecard load-sample; fi
	$(BIN)/dbt build
	$(BIN)/scorecard publish

dev: setup ## Start the Dagster UI and daemon on http://127.0.0.1:3000 (graph, schedule, sensor, checks)
	@mkdir -p "$(DAGSTER_HOME)" landing
	@cp -n orchestration/dagster.yaml "$(DAGSTER_HOME)/dagster.yaml" 2>/dev/null || true
	$(BIN)/scorecard init
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/dagster dev --host 127.0.0.1 --port 3000

test: setup lint ## Run every test: linters, then pytest (which runs dbt build with all dbt unit and data tests)
	$(BIN)/pytest

lint: setup ## sqlfluff (duckdb, dbt templater) and ruff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	SCORECARD_DUCKDB_PATH=$(LINT_DUCKDB_PATH) $(BIN)/sqlfluff lint models tests/dbt

format: setup ## Fix what sqlfluff and ruff can fix
	$(BIN)/ruff format .
	SCORECARD_DUCKDB_PATH=$(LINT_DUCKDB_PATH) $(BIN)/sqlfluff fix models tests/dbt

docs: build ## Generate the dbt docs site into target/ (serve with: .venv/bin/dbt docs serve)
	$(BIN)/dbt docs generate

clean: ## Remove build output (keeps .venv)
	rm -rf target logs warehouse .pytest_cache .ruff_cache

bench-load: setup ## Print load speed (rows/s) for a large wide workbook and a large long CSV
	$(BIN)/scorecard bench-load
