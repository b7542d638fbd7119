# The two commands: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test check lint typecheck bench clean browser fuzz

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

# `make run PORT=9000` serves on another port.
PORT ?= 8080

run: $(STAMP)
	$(BIN)/openucs serve --demo --port $(PORT)

test: $(STAMP) check browser
	$(BIN)/pytest

# The web UI's browser tests drive Debian's Chromium (Playwright's own download does not work here).
browser:
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

check: lint typecheck

# Schemathesis against a real `serve --demo` process and its own OpenAPI document (bounded).
fuzz: $(STAMP)
	$(BIN)/python tests/fuzz/run_schemathesis.py

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/run.py
	$(BIN)/python bench/notifications.py
	$(BIN)/python bench/web.py
	$(BIN)/python bench/search.py
	$(BIN)/python bench/floor.py --engine sqlite
	$(BIN)/python bench/floor.py --engine postgresql
	$(BIN)/python bench/copy_import.py --rows 1000000

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
