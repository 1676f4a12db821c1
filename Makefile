# The two commands of the README: `make demo` and `make test`. Each sets up what it needs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test lint server

demo: $(VENV)/.gui
	$(BIN)/antrian demo

server: $(VENV)/.gui
	$(BIN)/antrian server --demo

# In parallel: most tests wait on servers, browsers and windows, so more workers than the
# two cores pay off. Each test module runs whole on one worker (--dist loadscope): the
# server its tests share starts once. (Not loadgroup: pytest-xdist 3.8's xdist_group sets
# Node._nodeid, which pytest 9.2 no longer reads, so the groups silently do nothing.)
# PYTEST_WORKERS=0 runs them in this one process.
PYTEST_WORKERS ?= 4

test: $(VENV)/.test
	$(BIN)/ruff check .
	$(BIN)/mypy server shared hardware kiosk counter display
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) --dist loadscope

lint: $(VENV)/.test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy server shared hardware kiosk counter display
	$(BIN)/lint-imports

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.gui: setup.cfg | $(BIN)/python
	scripts/system-deps.sh
	$(BIN)/pip install -q -e '.[gui]' --config-settings editable_mode=compat
	touch $@

$(VENV)/.test: setup.cfg | $(BIN)/python
	scripts/system-deps.sh test
	$(BIN)/pip install -q -e '.[test,gui]' --config-settings editable_mode=compat
	touch $@
