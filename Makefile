# qa-tui — every target bootstraps .venv on first use, so a fresh clone needs only python3.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: bytecode demo demo-web test lint format typecheck layers unit snapshots snapshots-update bench screenshots soak clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# qa-tui's own modules compiled ahead, as pip does for an installed package: an editable install
# runs from this tree, and where bytecode may not be written (PYTHONDONTWRITEBYTECODE, as on our
# CI machines) every start would compile them again (~0.2 s of the demo's start). Stale files
# are never used: Python checks each against its source.
bytecode: $(STAMP)
	@$(BIN)/python -m compileall -q qa_tui

## demo: the app on the built-in simulator (no account needed)
demo: bytecode
	$(BIN)/qa-tui demo

## demo-web: the demo in a web browser (qa-tui serve --demo): open http://127.0.0.1:8000
demo-web: bytecode
	$(BIN)/qa-tui serve --demo

## test: lint, types, layer contracts, then the whole suite
test: $(STAMP) lint typecheck layers
	$(BIN)/python -m pytest -q -m "not slow" -p no:cacheprovider

## soak: the fault soak (~4 min): figures as JSON; fails if a must-be-zero figure is not zero
soak: $(STAMP)
	$(BIN)/python bench/soak.py --check

## bench: the benchmarks of issues 6, 12 and 15 (~16 min on 2 cores; run on a quiet machine): bench/results.json
bench: bytecode
	$(BIN)/python bench/run_all.py

lint: $(STAMP)
	$(BIN)/ruff check qa_tui tests bench screenshots
	$(BIN)/ruff format --check qa_tui tests bench screenshots

format: $(STAMP)
	$(BIN)/ruff format qa_tui tests bench screenshots
	$(BIN)/ruff check --fix qa_tui tests bench screenshots

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
