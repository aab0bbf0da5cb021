# Baken — the two commands a new user needs:
#   make run    start Baken locally (moto, demo data, API, event runner)
#   make test   run every test: lint, types, unit, integration, packaging, end-to-end
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
STAGE ?= prod

.PHONY: run test setup lint format typecheck unit integration e2e package bench clean

$(STAMP): requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null || { echo "Baken needs Python 3.11 or newer ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV) || { echo "Could not create a virtualenv. On Debian/Ubuntu: apt-get install python3-venv"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

setup: $(STAMP)

run: setup
	$(BIN)/python -m devstack

test: setup lint typecheck
	$(BIN)/python -m pytest -n 2 --dist loadfile

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: setup
	$(BIN)/mypy

unit: setup
	$(BIN)/python -m pytest tests/unit

integration: setup
	$(BIN)/python -m pytest tests/integration

e2e: setup
	$(BIN)/python -m pytest tests/e2e

package: setup
	$(BIN)/python -m devstack.package --stage $(STAGE) --out build/$(STAGE)

bench: setup
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache .hypothesis .baken-local
