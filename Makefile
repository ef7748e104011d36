# Quick start: `make run` (the studio on http://127.0.0.1:$(PORT)/) and `make test` (every test).
SHELL := /bin/bash
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test test-postgres test-fast sandbox lint format bench chromium clean

$(STAMP): pyproject.toml .python-version
	@python_bin=$$(scripts/find-python) || exit 1; \
	  if [ ! -x $(PY) ]; then echo "Creating $(VENV) with $$python_bin"; "$$python_bin" -m venv $(VENV); fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(PY) manage.py migrate --noinput --database default
	$(PY) manage.py migrate --noinput --database sandbox
	$(PY) manage.py ensure_demo_user
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
	$(VENV)/bin/pytest

# The whole suite again on a throwaway PostgreSQL server on loopback (installed when missing).
test-postgres: $(STAMP) chromium
	.ci/with-postgres $(VENV)/bin/pytest

test-fast: $(STAMP)
	$(VENV)/bin/pytest -m "not e2e"

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) var
