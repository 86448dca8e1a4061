# Rank & File: `make demo` runs the demo site, `make test` runs every test.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium
DEMO_PORT ?= 8000

.PHONY: demo test test-deep lint unit browser-deps lock migrate worker serve clean bench-surge bench-count

$(STAMP): requirements/dev.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements/dev.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

venv: $(STAMP)

migrate: $(STAMP)
	mkdir -p var
	$(BIN)/rankfile migrate --noinput

## demo: set up and serve the demo organisation on SQLite at http://127.0.0.1:8000
# The worker runs in the background, its output (every e-mail included) in
# var/worker.log; Ctrl-C stops the site, and the EXIT trap stops the worker by
# its PID and waits for it. (A trap that runs 'kill 0' signals its own shell
# again and never ends.)
demo: migrate
	$(BIN)/rankfile load_demo
	@echo "Starting the background worker (its log and every e-mail: var/worker.log)"
	@echo "and the site at http://127.0.0.1:$(DEMO_PORT) (Ctrl-C stops both) ..."
	@$(BIN)/rankfile worker --interval 0.5 > var/worker.log 2>&1 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null; echo "Stopped."' EXIT; \
	  trap 'exit 0' INT TERM; \
	  $(BIN)/rankfile runserver 127.0.0.1:$(DEMO_PORT)

## test: linters, then the whole suite (browser tests included)
test: lint unit

## lint: ruff, the architecture's import contracts (pyproject.toml), mypy
lint: $(STAMP)
	$(BIN)/ruff check rankfile bench tests conftest.py
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy

## test-deep: the suite with Hypothesis exploring (many more, random examples)
test-deep: $(STAMP) browser-deps
	mkdir -p var
	HYPOTHESIS_PROFILE=deep $(BIN)/pytest --create-db $(PYTEST_ARGS)

browser-deps:
	@test -x $(CHROMIUM) || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "Browser tests need Debian's chromium: sudo apt-get install chromium"; exit 1; fi; }

unit: $(STAMP) browser-deps
	mkdir -p var
	$(BIN)/pytest --create-db $(PYTEST_ARGS)

lock:
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --python-version 3.11 -o requirements/base.lock
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements/dev.lock

bench-surge: $(STAMP)
	bench/signup_surge/run

bench-count: $(STAMP)
	$(BIN)/python bench/count/run.py

clean:
	rm -rf $(VENV) var
