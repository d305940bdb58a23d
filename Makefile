# qa-tui — every target bootstraps .venv on first use, so a fresh clone needs only python3.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint format typecheck layers unit snapshots snapshots-update bench screenshots soak clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## demo: the app on the built-in simulator (no account needed)
demo: $(STAMP)
	$(BIN)/qa-tui demo

## test: lint, types, layer contracts, then the whole suite
test: $(STAMP) lint typecheck layers
	$(BIN)/python -m pytest -q -m "not slow" -p no:cacheprovider

## soak: the fault soak (~4 min): figures as JSON; fails if a must-be-zero figure is not zero
soak: $(STAMP)
	$(BIN)/python bench/soak.py --check

## bench: the benchmarks of issue 6 (~7 min on 2 cores; run on a quiet machine): bench/results.json
bench: $(STAMP)
	$(BIN)/python bench/run_all.py

lint: $(STAMP)
	$(BIN)/ruff check qa_tui tests bench
	$(BIN)/ruff format --check qa_tui tests bench

format: $(STAMP)
	$(BIN)/ruff format qa_tui tests bench
	$(BIN)/ruff check --fix qa_tui tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

layers: $(STAMP)
	$(BIN)/lint-imports

snapshots-update: $(STAMP)
	$(BIN)/python -m pytest -q tests/ui --snapshot-update

## screenshots: the README's SVGs in screenshots/, made from the demo's simulator (same seed, same pictures)
screenshots: $(STAMP)
	$(BIN)/python screenshots/make_screenshots.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
