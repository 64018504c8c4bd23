# meshwright — two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= $(shell ls -d $$(pyenv root 2>/dev/null)/versions/3.1[23]*/bin/python3.1[23] 2>/dev/null | head -1)
ifeq ($(strip $(PYTHON)),)
PYTHON := python3
endif
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Checkov (the policy linter the tests run on generated manifests) pins networkx < 2.7,
# which meshwright (networkx >= 3.2) cannot share: it gets an environment of its own.
CHECKOV_VENV := .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed
CHECKOV_SPEC := checkov>=3.2

COMPAT_PYTHON ?= python3
COMPAT_VENV := .venv-compat

# uv (a PyPI package) installs the three environments: it resolves and fetches in parallel,
# a fresh `.[dev]` took 61 s where pip took 385 s on the 2-core machine (same packages and
# versions). It lives in an environment of its own; pip stays in each environment.
UV_VENV := .venv-uv
UV := $(UV_VENV)/bin/uv
UV_STAMP := $(UV_VENV)/.installed
UV_SPEC := uv>=0.9

.PHONY: demo test test-compat lint typecheck venv checkov clean docs bench

$(UV_STAMP):
	test -x $(UV_VENV)/bin/python || $(PYTHON) -m venv $(UV_VENV)
	$(UV_VENV)/bin/python -m pip install --quiet '$(UV_SPEC)'
	touch $(UV_STAMP)

$(STAMP): pyproject.toml $(UV_STAMP)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(UV) pip install --quiet --python $(BIN)/python -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP) $(CHECKOV_STAMP)

$(CHECKOV_STAMP): $(UV_STAMP)
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(UV) pip install --quiet --python $(CHECKOV_VENV)/bin/python '$(CHECKOV_SPEC)'
	touch $(CHECKOV_STAMP)

checkov: $(CHECKOV_STAMP)

demo: $(STAMP)
	$(BIN)/meshwright validate examples/shop
	$(BIN)/meshwright validate examples/online-boutique
	$(BIN)/meshwright build examples/shop -o out/shop
	@echo "--- Online Boutique as deployed has no timeouts, mTLS or SLOs: the review lists them"
	$(BIN)/meshwright build examples/online-boutique -o out/online-boutique --fail-on never
	@echo "demo: generated files are in out/shop and out/online-boutique"

lint: $(STAMP)
	$(BIN)/ruff check src tests $(wildcard benchmarks)
	$(BIN)/mypy src

# PYTEST_WORKERS: pytest-xdist processes (2, one per core of the standard machine; 0 = one
# process, for debugging). Servers in the tests use free ports and tmp_path; a whole run with
# -n 2 was green on the 2-core machine. PYTEST_ARGS selects, e.g. PYTEST_ARGS='tests/emit -k kafka'. pytest exits 5 when a
# selection collects nothing; make fails on it like on any non-zero exit, and so does .ci/run.
PYTEST_WORKERS ?= 2
PYTEST_ARGS ?=
# --dist loadfile: each test file runs on one worker, so a module fixture (a started broker,
# a Checkov scan, a simulated run, emitted files) is made once, not once per worker. (Not
# loadgroup: on pytest 9.2 it silently stops grouping, pytest-xdist issue 1386.)
DIST ?= --dist loadfile
PYTEST := -m pytest -n $(PYTEST_WORKERS) $(DIST) $(PYTEST_ARGS)

test: $(STAMP) $(CHECKOV_STAMP) lint
	$(BIN)/python $(PYTEST)

# The oldest supported Python (3.11; the machine's python3) runs a subset: the tests that touch
# what differs between interpreter versions. tests/test_imports.py imports every module (newer
# syntax or standard-library names fail there, in any module); the model, loader and examples
# tests load models (pydantic, ruamel); tests/cli runs every command as a process; tests/emit
# renders every target (jinja2, the goldens byte for byte). Left to the full run on the newer
# Python: the numeric analysis, the simulator, decompose, importers, the report's browser test
# and the real brokers (etcd, RabbitMQ, Kafka), which depend on library and tool versions, not
# on the interpreter's. COMPAT_TESTS=tests runs the whole suite here.
COMPAT_TESTS ?= tests/test_imports.py tests/model tests/examples tests/cli tests/emit
# Deselected here: golden_tool tests, a third-party program's verdict (kubectl, Checkov,
# RabbitMQ) on output the golden tests of this run pin byte for byte; same bytes, same
# program, same verdict. COMPAT_MARK= runs them too.
COMPAT_MARK ?= not golden_tool

test-compat: $(CHECKOV_STAMP) $(UV_STAMP)
	test -x $(COMPAT_VENV)/bin/python || $(COMPAT_PYTHON) -m venv $(COMPAT_VENV)
	$(UV) pip install --quiet --python $(COMPAT_VENV)/bin/python -e '.[dev]'
	$(COMPAT_VENV)/bin/python --version
	$(COMPAT_VENV)/bin/python -m pytest -n $(PYTEST_WORKERS) $(DIST) -m '$(COMPAT_MARK)' $(COMPAT_TESTS) $(PYTEST_ARGS)

docs: $(STAMP)
	$(BIN)/python -m meshwright.docs_gen

bench: $(STAMP)
	$(BIN)/python -m benchmarks.load_validate
	$(BIN)/python -m benchmarks.check_bench
	$(BIN)/python -m benchmarks.analyze_bench
	$(BIN)/python benchmarks/sim_vs_simpy.py
	$(BIN)/python benchmarks/analysis_vs_sim.py

clean:
	rm -rf $(VENV) $(COMPAT_VENV) $(CHECKOV_VENV) $(UV_VENV) out .pytest_cache .mypy_cache
