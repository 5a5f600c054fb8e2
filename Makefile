# Two commands set everything up: `make demo` and `make test`. Each creates .venv when missing.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test bench lint install clean

$(PY):
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -q -e '.[test,all]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	cd examples && ../$(PY) job_execution.py

test: $(STAMP)
	$(PY) -m pytest -q $(PYTEST_ARGS)

bench: $(STAMP)
	$(PY) -m benchmarks $(if $(TAIPY),--taipy,)

lint: $(STAMP)
	$(PY) -m ruff check scenaria tests benchmarks examples
	$(PY) -m mypy scenaria/__init__.py scenaria/config

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
