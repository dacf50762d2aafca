# Risk Report Review: `make run` starts the app with a demo report; `make test` runs the suite.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
COVERAGE_FLOOR := 93

.PHONY: run test bench install check-python clean

check-python:
	@python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' || { \
	  echo "ERROR: Risk Report Review needs Python 3.12 or newer; 'python3' here is $$(python3 --version 2>&1)." >&2; \
	  echo "       Install Python 3.12+ (with pyenv, the .python-version file selects 3.12) and try again." >&2; \
	  exit 1; }

$(VENV)/.installed: requirements.txt | check-python
	@test -x $(PY) || python3 -m venv $(VENV)
	@$(PY) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' || { \
	  echo "ERROR: $(VENV) was made with an older Python; remove it ('make clean') and run again." >&2; exit 1; }
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

install: check-python $(VENV)/.installed

run: install
	DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --noinput
	DEBUG=$${DEBUG:-1} $(PY) manage.py load_demo
	@echo
	@echo "  Risk Report Review is starting at http://$(HOST):$(PORT)/ with a worker and the scheduler"
	@echo "  (Ctrl-C stops all three; emails are printed here)"
	@echo
	DEBUG=$${DEBUG:-1} REMINDER_INTERVAL_SECONDS=$${REMINDER_INTERVAL_SECONDS:-60} SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)} $(PY) manage.py runall $(HOST):$(PORT)

test: install
	@$(PY) scripts/browser_check.py
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	@# The type checks' Django plugin imports the settings: a URL that is parsed, never connected to.
	DEBUG=1 DATABASE_URL=postgres://mypy@127.0.0.1:1/mypy $(VENV)/bin/mypy pathways evidence versions monitoring reviewapp/services reviewapp/selectors reviewapp/subjects.py
	@# Coverage of the app's code is reported at the end (.coveragerc says what is measured). A whole
	@# run fails under the floor (95% when it was set); a run of some tests (PYTEST_ARGS) only reports.
	$(PY) -m pytest -n $${TEST_WORKERS:-2} --dist loadfile --cov --cov-report=term $(if $(PYTEST_ARGS),,--cov-fail-under=$(COVERAGE_FLOOR)) $${PYTEST_ARGS:-}

# The app at a lab's scale under load, beside the login page; writes docs/benchmarks.md.
bench: install
	@command -v wrk >/dev/null || { echo "ERROR: make bench loads pages with wrk: apt-get install -y wrk" >&2; exit 1; }
	$(PY) scripts/bench.py

clean:
	rm -rf $(VENV) var
