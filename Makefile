# Two commands set everything up: `make demo` and `make test`. Each creates .venv when missing.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test bench lint install clean postgresql chromium

$(PY):
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -q -e '.[test,all]'
	touch $(STAMP)

install: $(STAMP)

# The demo needs scenaria and rich (its live progress view) only: not the test and storage extras.
DEMO_STAMP := $(VENV)/.installed-demo

$(DEMO_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -q -e '.[progress]'
	touch $(DEMO_STAMP)

demo: $(DEMO_STAMP)
	cd examples && ../$(PY) job_execution.py && ../$(PY) progress.py

# The store and data node tests start a throwaway PostgreSQL server from Debian's package.
postgresql:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || \
	  { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] && \
	    (apt-get install -y -q postgresql >/dev/null 2>&1 || \
	     (apt-get update -q >/dev/null && apt-get install -y -q postgresql >/dev/null)); } || \
	  { echo "PostgreSQL is missing: install Debian's postgresql package (its tests need it)"; exit 1; }

# The browser tests (tests/web/test_browser.py) drive Debian's chromium through Playwright;
# Playwright's own browser download is never used.
chromium:
	@command -v chromium >/dev/null 2>&1 || \
	  { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] && \
	    (apt-get install -y -q chromium >/dev/null 2>&1 || \
	     (apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null)); } || \
	  { echo "Chromium is missing: install Debian's chromium package (the browser tests need it)"; exit 1; }

test: $(STAMP) postgresql chromium
	$(PY) -m pytest -q $(PYTEST_ARGS)

bench: $(STAMP)
	$(PY) -m benchmarks $(if $(TAIPY),--taipy,)

# The checks CI runs (.ci/run): lint rules (complexity included), formatting, types.
# lint-imports checks the layers contract of pyproject.toml (docs/architecture.md).
LINT_PATHS := scenaria tests benchmarks examples

lint: $(STAMP)
	$(VENV)/bin/lint-imports
	$(PY) -m ruff check $(LINT_PATHS)
	$(PY) -m ruff format --check $(LINT_PATHS)
	$(PY) -m mypy scenaria

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
