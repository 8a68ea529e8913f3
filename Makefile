# Every target sets itself up: a fresh clone needs only `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help run build briefings lab test lint benchmark clean chromium

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 14

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11+ is needed (found $$($(PYTHON) --version))"; exit 1; }
	@$(PYTHON) -m venv $(VENV) || { echo "python3 -m venv failed: on Debian run 'apt-get install python3-venv' first"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

run: $(STAMP) ## set up, build the sample in data/raw, render the briefings (briefings/index.html)
	$(BIN)/reportlib build --raw data/raw --out data/processed
	$(MAKE) --no-print-directory briefings

build: $(STAMP) ## set up, then only build data/raw into data/processed and print a summary
	$(BIN)/reportlib build --raw data/raw --out data/processed

briefings: $(STAMP) ## render the sample briefings from data/processed into briefings/
	$(BIN)/reportlib brief 01 --out briefings
	$(BIN)/reportlib brief 02 -p entity 友谊路街道 --out briefings
	$(BIN)/reportlib brief 02 -p entity 永乐镇 --out briefings
	$(BIN)/reportlib brief 03 --out briefings
	$(BIN)/reportlib brief 03 -p parent 綦江区 --out briefings
	$(BIN)/reportlib brief 04 --out briefings
	$(BIN)/reportlib brief 05 --out briefings
	$(BIN)/reportlib brief 06 --out briefings
	@echo "briefings/index.html lists them"

lab: $(STAMP) ## open JupyterLab on the notebooks (its Python 3 kernel is this project's .venv)
	$(BIN)/jupyter lab notebooks

test: $(STAMP) chromium ## set up, then lint and run every test: unit, doctests, accuracy, notebooks (nbval), browser
	$(BIN)/ruff check reportlib tests benchmarks notebooks
	$(BIN)/python -m pytest

# Debian's Chromium for the browser tests (tests/test_browser.py); where it cannot be installed
# (no root, no apt), those tests are skipped with a loud message and everything else runs
chromium:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	{ if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian's chromium for the browser tests"; \
	    (apt-get install -y -qq chromium >/dev/null 2>&1 || \
	     (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq chromium >/dev/null 2>&1)) || \
	    echo "*** chromium could not be installed: the browser tests will be SKIPPED ***"; \
	  else echo "*** no chromium and no root apt-get: the browser tests will be SKIPPED ***"; fi; }

lint: $(STAMP) ## ruff lint and format check
	$(BIN)/ruff check reportlib tests benchmarks
	$(BIN)/ruff format --check reportlib tests benchmarks notebooks

benchmark: $(STAMP) ## metadata accuracy; `reportlib build` on 100 MB; segmentation + counting and indicators vs rjieba
	$(BIN)/python benchmarks/accuracy.py
	$(BIN)/python benchmarks/build.py
	$(BIN)/python benchmarks/words.py
	$(BIN)/python benchmarks/indicators.py
	$(BIN)/python benchmarks/briefing.py
	$(BIN)/python benchmarks/reuse.py
	$(BIN)/python benchmarks/repetitive.py
	$(BIN)/python benchmarks/store.py --megabytes 50 100 --report-mb 20

clean: ## remove built tables, generations and the build cache (never data/raw)
	rm -rf data/processed/*.parquet data/processed/current data/processed/generations \
		data/processed/cache data/processed/.lock briefings benchmarks/.work .pytest_cache .ruff_cache
