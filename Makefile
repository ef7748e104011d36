# Quick start: `make run` (the studio on http://127.0.0.1:$(PORT)/) and `make test` (every test).
SHELL := /bin/bash
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Tests run in this many processes (pytest-xdist): most of a test's time is spent waiting on
# a server, a worker process or the browser, so more processes than the 2 cores still pay.
TEST_PROCESSES ?= 4
PYTEST := $(VENV)/bin/pytest -n $(TEST_PROCESSES)
# django-upgrade keeps the code on Django 6.1's idioms (`--check` in lint/test, rewrites in format).
DJANGO_UPGRADE = $(VENV)/bin/django-upgrade --target-version 6.1 $$(find depicta_web tests bench manage.py -name '*.py')

.PHONY: run test test-postgres test-fast sandbox lint format bench chromium clean

$(STAMP): pyproject.toml .python-version
	@python_bin=$$(scripts/find-python) || exit 1; \
	  if [ ! -x $(PY) ]; then echo "Creating $(VENV) with $$python_bin"; "$$python_bin" -m venv $(VENV); fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# `studio` creates (and prints) the demo logins itself, while its web server starts.
run: $(STAMP)
	$(PY) manage.py migrate --noinput --database default
	$(PY) manage.py migrate --noinput --database sandbox
	PORT=$(PORT) $(PY) manage.py studio

sandbox: $(STAMP)
	$(PY) manage.py migrate --noinput --database sandbox
	PORT=$(PORT) $(PY) manage.py run_sandbox

# Debian's chromium drives the browser tests; Playwright's own browser download is not used.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; }

test: $(STAMP) chromium
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(DJANGO_UPGRADE) --check
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-cache
	$(PYTEST)

# The whole suite again on a throwaway PostgreSQL server on loopback (installed when missing).
test-postgres: $(STAMP) chromium
	.ci/with-postgres $(PYTEST)

test-fast: $(STAMP)
	$(PYTEST) -m "not e2e"

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(DJANGO_UPGRADE) --check
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-cache

format: $(STAMP)
	$(DJANGO_UPGRADE) --exit-zero-even-if-changed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) var
