# Two commands do all the set-up on a fresh machine: `make reports` and `make test`.
# Both create .venv when missing, install the package and its dependencies and the
# Debian packages it needs, then do their job. Second runs skip what is done.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup system-deps reports test bench

setup: $(STAMP) system-deps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall when the dependency list changes.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# A CJK font so charts render Chinese text, not boxes.
system-deps:
	@if ! fc-list :lang=zh 2>/dev/null | grep -q .; then \
	  echo "installing a CJK font (fonts-noto-cjk) with apt-get"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk fontconfig >/dev/null; \
	fi

reports: setup
	$(BIN)/sbk catalog check
	$(BIN)/sbk ingest data/raw --out data/processed
	$(BIN)/sbk reports

test: setup
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python benchmarks/ingest_bench.py
