# ukcn: `make run` serves the app on http://127.0.0.1:8000, `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run worker install install-dev system-deps test test-unit lint format migrations-check bench bench-report load clean

$(PY):
	@command -v $(PYTHON) >/dev/null || { echo "ukcn needs Python 3.11: install python3.11 (Debian: apt-get install python3 python3-venv)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

# The server and the task worker (background watchlist imports) run together; Ctrl-C stops
# both, and either one stopping stops the other.
run: install
	$(PY) manage.py migrate --no-input
	$(PY) manage.py seed_demo
	@trap 'kill $$server $$worker 2>/dev/null; wait' INT TERM EXIT; \
	$(PY) manage.py db_worker & worker=$$!; \
	$(PY) manage.py runserver $(HOST):$(PORT) & server=$$!; \
	wait -n $$server $$worker

worker: install
	$(PY) manage.py db_worker

system-deps:
	@bash .ci/system-deps

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrations-check: install-dev
	$(PY) manage.py makemigrations --check --dry-run

test: install-dev system-deps lint migrations-check
	$(PY) -m pytest $(PYTEST_ARGS)

# Everything but the browser tests: needs no Chromium and no root.
test-unit: install-dev lint migrations-check
	$(PY) -m pytest -m "not e2e" $(PYTEST_ARGS)

$(VENV)/.installed-bench: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	@touch $@ $(VENV)/.installed $(VENV)/.installed-dev

bench: install-dev $(VENV)/.installed-bench
	@mkdir -p var/bench
	UKCN_BENCH=1 $(PY) -m pytest tests/bench -q -s $(PYTEST_ARGS)

# The figures table of docs/performance.md, from var/bench/*.json (after `make bench` and `make load`).
bench-report: install-dev
	$(PY) tests/bench/report.py

clean:
	rm -rf $(VENV) var/static var/bench

load: install-dev
	$(PY) tests/load/loadtest.py $(LOAD_ARGS)
