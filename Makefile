# Two commands do all the set-up on a fresh machine: `make reports` and `make test`.
# Both create .venv when missing, install the package and its dependencies and the
# Debian packages it needs, then do their job. Second runs skip what is done.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup system-deps reports test bench bench-reports

setup: $(STAMP) system-deps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall when the dependency list changes.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

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
	$(BIN)/sbk run --period all -j 2
	$(BIN)/sbk reports

test: setup
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python benchmarks/ingest_bench.py

bench-reports: setup
	$(BIN)/python benchmarks/report_bench.py
