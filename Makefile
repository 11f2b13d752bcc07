# Two commands do all the set-up on a fresh machine: `make reports` and `make test`.
# Both create .venv when missing, install the package and its dependencies and the
# Debian packages it needs, then do their job. Second runs skip what is done.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: lint setup system-deps git-hooks web-tools lab reports test fuzz bench bench-reports office-fixtures

setup: $(STAMP) system-deps git-hooks

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall when the dependency list changes.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	$(BIN)/python -m ipykernel install --sys-prefix --name sbk --display-name "Python (sbk)" >/dev/null
	touch $(STAMP)

# Notebook outputs and execution counts never reach a commit: nbstripout as a git filter.
git-hooks: $(STAMP)
	@if [ -d .git ] && [ "$$(git config --get filter.nbstripout.clean)" != "$(CURDIR)/$(BIN)/nbstripout" ]; then \
	  git config filter.nbstripout.clean "$(CURDIR)/$(BIN)/nbstripout" && \
	  git config filter.nbstripout.smudge cat && \
	  git config filter.nbstripout.required true && \
	  git config diff.ipynb.textconv "$(CURDIR)/$(BIN)/nbstripout -t" && \
	  echo "nbstripout git filter configured for notebooks/*.ipynb"; \
	fi

# JupyterLab on notebooks/ with the project kernel "Python (sbk)"; prints the URL to open.
lab: setup
	$(BIN)/jupyter lab --no-browser --allow-root --ip=127.0.0.1 --port=8888 --ServerApp.root_dir=notebooks

# A CJK font so charts render Chinese text, not boxes; Debian's Chromium for the browser test.
system-deps:
	@missing=""; \
	fc-list :lang=zh 2>/dev/null | grep -q . || missing="$$missing fonts-noto-cjk fontconfig"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
	  echo "installing with apt-get:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

reports: setup
	$(BIN)/sbk catalog check
	$(BIN)/sbk ingest data/raw --out data/processed
	$(BIN)/sbk run --province national --period latest -j 2
	$(BIN)/sbk run --province 430000 --period latest -j 2
	$(BIN)/sbk reports

# The page checkers the tests run: axe-core (injected into Chromium) and the Nu HTML checker (vnu.jar, on Java),
# pinned in tools/web/package-lock.json and installed into tools/web/node_modules (not committed).
WEB := tools/web/node_modules
web-tools: $(WEB)/.installed

$(WEB)/.installed: tools/web/package.json tools/web/package-lock.json
	@missing=""; \
	command -v java >/dev/null 2>&1 || missing="$$missing default-jre-headless"; \
	command -v npm >/dev/null 2>&1 || missing="$$missing nodejs npm"; \
	if [ -n "$$missing" ]; then \
	  echo "installing with apt-get:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
	cd tools/web && npm ci --no-audit --no-fund --silent
	touch $@

test: setup web-tools lint
	$(BIN)/python -m pytest -q

# ruff and mypy on sbk/, configured in pyproject.toml; a few seconds once mypy's cache is warm.
lint: setup
	$(BIN)/ruff check sbk
	$(BIN)/mypy

# Explore new random fuzz cases (CI replays a fixed, derandomised set of 60).
fuzz: setup
	SBK_FUZZ_EXPLORE=1 SBK_FUZZ_CASES=$${SBK_FUZZ_CASES:-500} $(BIN)/pytest -q tests/test_fuzz.py

# Workbooks written by a real office suite (LibreOffice) for tests/test_reading.py; committed, so only
# run this to change them. Installs LibreOffice's spreadsheet part with apt-get when it is missing.
office-fixtures: setup
	@command -v soffice >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libreoffice-calc-nogui >/dev/null; }
	tests/fixtures/office/make_fixtures.sh

bench: setup
	$(BIN)/python benchmarks/ingest_bench.py

bench-reports: setup
	$(BIN)/python benchmarks/report_bench.py
