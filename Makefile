# Outlay: `make dev` runs it on localhost, `make test` tests it. Everything else is a helper.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV    ?= .venv
PY      := $(VENV)/bin/python
PIP     := $(VENV)/bin/pip
ENV     ?= dev
PORT    ?= 8000
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1
# jsii also warns once Node 20 is past its end of life; the value names the major version it accepts.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export PYTHONDONTWRITEBYTECODE := 1
export PYTHONPATH := $(CURDIR):$(CURDIR)/lambdas

STAMP_PY  := $(VENV)/.installed
STAMP_NPM := node_modules/.installed
STAMP_WEB := web/node_modules/.installed

.PHONY: help install browser dev dev-reset import-now test test-fast lint typecheck synth cfn-lint diff deploy bench web openapi clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}' \
		| sed 's/\$$(PORT)/$(PORT)/g'

$(STAMP_PY): requirements.txt requirements-dev.txt
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements-dev.txt
	@touch $@

$(STAMP_NPM): package.json package-lock.json
	npm ci --no-fund --no-audit --loglevel=error
	@touch $@

$(STAMP_WEB): web/package.json web/package-lock.json
	cd web && npm ci --no-fund --no-audit --loglevel=error
	@touch $@

install: $(STAMP_PY) $(STAMP_NPM) $(STAMP_WEB) ## create .venv and install Python + npm dependencies

# The browser tests' Chromium: one that launches already, else Debian's `chromium` through apt (root or
# sudo), else Playwright's own download; none is a failure that says why (tests/e2e/provision_browser.py).
browser: $(STAMP_PY) ## make sure a Chromium launches for the browser tests (installs one if needed)
	$(PY) -m tests.e2e.provision_browser

web: $(STAMP_WEB) ## build the dashboard into web/dist
	cd web && npm run build --silent

dev: install web ## run Outlay on http://localhost:$(PORT) (moto stands in for AWS)
	$(PY) -m local --port $(PORT)

dev-reset: install ## forget the local state kept between `make dev` runs
	$(PY) -m local --reset-only

import-now: install ## run the monthly cost import against the running `make dev`, as the schedule would
	$(PY) -m local.import_now --port $(PORT)

lint: $(STAMP_PY) ## ruff + mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

typecheck: $(STAMP_PY)
	$(VENV)/bin/mypy

synth: install ## synthesize every environment into cdk.out (bundling skipped)
	npx cdk synth --quiet --context outlay:skipBundling=true > /dev/null
	@$(PY) -m stacks.summary cdk.out

cfn-lint: synth ## lint every synthesized template
	$(VENV)/bin/cfn-lint --format parseable -- $$(find cdk.out -name '*.template.json')

diff: install web ## cdk diff for ENV=dev|staging|prod against your AWS account
	npx cdk diff "Outlay-$(ENV)/*"

deploy: install web ## deploy ENV=dev|staging|prod into your AWS account (bundles Lambdas locally)
	npx cdk deploy "Outlay-$(ENV)/*" --require-approval broadening

openapi: $(STAMP_PY) ## regenerate docs/openapi.json from the route table + models
	$(PY) -m outlay.openapi > docs/openapi.json

# pyproject's addopts leave `slow` tests (they reach PyPI) out of a plain `pytest`; `make test` runs all.
# One synthesis serves the infra tests, cdk-nag and cfn-lint (tests/infra/test_cfn_lint.py).
test: install web browser ## every check: lint, unit, infra (synth + nag + cfn-lint), integration, browser
	$(MAKE) --no-print-directory lint
	$(VENV)/bin/pytest -q -m "slow or not slow"

bench: install web ## measure what users feel; rewrites bench/RESULTS.md
	$(PY) -m bench

clean:
	rm -rf cdk.out .pytest_cache .mypy_cache .ruff_cache web/dist
