# Every target sets itself up: a fresh clone needs only `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help run build test lint benchmark clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 14

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11+ is needed (found $$($(PYTHON) --version))"; exit 1; }
	@$(PYTHON) -m venv $(VENV) || { echo "python3 -m venv failed: on Debian run 'apt-get install python3-venv' first"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

run: $(STAMP) ## set up, then build the sample corpus in data/raw into data/processed and print a summary
	$(BIN)/reportlib build --raw data/raw --out data/processed

build: run ## same as run

test: $(STAMP) ## set up, then run the linter and every test (unit, doctests, corpus accuracy)
	$(BIN)/ruff check reportlib tests benchmarks
	$(BIN)/python -m pytest

lint: $(STAMP) ## ruff lint and format check
	$(BIN)/ruff check reportlib tests benchmarks
	$(BIN)/ruff format --check reportlib tests benchmarks

benchmark: $(STAMP) ## metadata accuracy; `reportlib build` on 100 MB; segmentation + counting vs rjieba
	$(BIN)/python benchmarks/accuracy.py
	$(BIN)/python benchmarks/build.py
	$(BIN)/python benchmarks/words.py

clean: ## remove built tables and caches (never data/raw)
	rm -rf data/processed/*.parquet benchmarks/.work .pytest_cache .ruff_cache
