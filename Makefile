# frugal-lsp — one entry point. `make help` lists the targets.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-dev

.DEFAULT_GOAL := help

help: ## list the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS=":.*## "}; {printf "  %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP) ## create .venv and install frugal-lsp with the dev tools

test: $(STAMP) ## run the whole test suite (installs what it needs first)
	$(PY) -m pytest -q

lint: $(STAMP) ## ruff (lint + format check) and mypy --strict
	$(VENV)/bin/ruff check server tests
	$(VENV)/bin/ruff format --check server tests
	$(VENV)/bin/mypy

fmt: $(STAMP) ## format the code with ruff
	$(VENV)/bin/ruff format server tests
	$(VENV)/bin/ruff check --fix server tests

bench-context: $(STAMP) ## context benchmark on stdlib + npm code -> bench/results/context.md
	$(PY) -m tests.bench.context_bench

clean: ## remove the virtualenv and caches
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

.PHONY: help venv test lint fmt bench-context clean
