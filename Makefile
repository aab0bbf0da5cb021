# Baken — the two commands a new user needs:
#   make run    start Baken locally (moto, demo data, API, event runner)
#   make test   run every test: lint, types, unit, integration, packaging, end-to-end
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
STAGE ?= prod
CHROMIUM ?= /usr/bin/chromium
# Screenshots of every page the browser tests check, one folder per run
SHOTS ?= build/screenshots/$(shell date +%Y%m%d-%H%M%S)

.PHONY: run test setup translations browser lint format typecheck unit contract integration e2e package policies deploy smoke bench redrive replay-stream refresh-catalogue recompute-servicenorms clean

$(STAMP): requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null || { echo "Baken needs Python 3.11 or newer ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV) || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing python3-venv (Debian package) for the virtualenv"; rm -rf $(VENV); \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv >/dev/null \
			&& $(PYTHON) -m venv $(VENV); \
		else echo "Could not create a virtualenv. On Debian/Ubuntu: sudo apt-get install python3-venv"; exit 1; fi; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

# NL Design System styles for the pages (npm), copied where the package and the pages find them.
ASSETS := chalicelib/assets
$(ASSETS)/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing npm (Debian package) for the page styles"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm >/dev/null; \
		else echo "The page styles need npm: sudo apt-get install npm"; exit 1; fi; }
	npm ci --no-audit --no-fund --silent
	mkdir -p $(ASSETS)
	cp node_modules/@utrecht/design-tokens/dist/index.css $(ASSETS)/utrecht-design-tokens.css
	cp node_modules/@utrecht/component-library-css/dist/index.css $(ASSETS)/utrecht-components.css
	touch $@

# The texts in Dutch and English: gettext catalogues (.po, committed) compiled to the .mo files the runtime reads
# with the standard library. Compiled here, so every target that runs or packages Baken has them (not committed).
LOCALES := chalicelib/locale
COMPILED := $(patsubst %.po,%.mo,$(wildcard $(LOCALES)/*/LC_MESSAGES/baken.po))
$(COMPILED): %.mo: %.po $(STAMP)
	$(BIN)/pybabel compile --statistics -i $< -o $@

setup: $(STAMP) $(ASSETS)/.installed $(COMPILED)

# After adding or changing a text in the code or a template: extract every text, update the catalogues (a new or
# changed Dutch text is then untranslated or fuzzy in the English one) and compile them. See README, Translations.
translations: setup
	$(BIN)/python -m devstack.translations update
	$(BIN)/python -m devstack.translations compile

# The page tests drive Debian's Chromium (Playwright never downloads a browser here).
browser:
	@if [ ! -x "$(CHROMIUM)" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing Chromium (Debian package) for the browser tests"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; \
		else \
			echo "The browser tests need Chromium at $(CHROMIUM): sudo apt-get install chromium, or make test CHROMIUM=/path/to/chromium"; \
			exit 1; \
		fi; \
	fi

run: setup
	$(BIN)/python -m devstack

test: setup browser lint typecheck
	BAKEN_CHROMIUM=$(CHROMIUM) BAKEN_SCREENSHOTS=$(SHOTS) $(BIN)/python -m pytest -n 2 --dist loadfile

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-logo

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: setup
	$(BIN)/mypy

unit: setup
	$(BIN)/python -m pytest tests/unit

# The in-memory twins against the real adapters on moto: the same tests for both
contract: setup
	$(BIN)/python -m pytest tests/contract

integration: setup
	$(BIN)/python -m pytest tests/integration

e2e: setup browser
	BAKEN_CHROMIUM=$(CHROMIUM) BAKEN_SCREENSHOTS=$(SHOTS) $(BIN)/python -m pytest tests/e2e

package: setup
	$(BIN)/python -m devstack.package --stage $(STAGE) --out build/$(STAGE)

# Each function's IAM policy (.chalice/policy-<stage>-<function>.json), written from devstack/policies.py
policies: setup
	$(BIN)/python -m devstack.policies

# Deploy a stage with the settings in infra/$(STAGE).env (see infra/example.env): checks every setting first, then
# the data stack, chalice package, aws cloudformation package and deploy. make deploy STAGE=prod DRY_RUN=1 only prints.
deploy: setup
	$(BIN)/python -m devstack.deploy --stage $(STAGE) $(if $(DRY_RUN),--dry-run)

# Prove a deployed stage works end to end (API, login redirect, a case change reaching the berichtenbox, alarms)
smoke: setup
	$(BIN)/python -m devstack.smoke --stage $(STAGE)

bench: setup
	$(BIN)/python -m bench

# Send the delivery dead-letter queue's messages again, once each (after an outage): make redrive STAGE=prod
redrive: setup
	$(BIN)/python -m chalicelib.ops redrive --stage $(STAGE)

# Read the catalogue from the Catalogi API again (with CATALOGUS_URL): make refresh-catalogue STAGE=prod
refresh-catalogue: setup
	$(BIN)/python -m chalicelib.ops refresh-catalogue --stage $(STAGE)

# Rebuild the servicenorm figures from the decided cases: make recompute-servicenorms STAGE=prod
recompute-servicenorms: setup
	$(BIN)/python -m chalicelib.ops recompute-servicenorms --stage $(STAGE)

# Hand the changes the stream gave up on (the stream failure queue) to the stream handler again: make replay-stream STAGE=prod
replay-stream: setup
	$(BIN)/python -m chalicelib.ops replay-stream --stage $(STAGE)

clean:
	rm -rf $(VENV) node_modules $(ASSETS) build .pytest_cache .mypy_cache .ruff_cache .hypothesis .baken-local
