# huzhu: two commands do everything on a fresh machine.
#   make demo   set up .venv, install, run the main job and say where the outputs are
#   make test   same set-up (plus what the browser tests need), then the whole suite
# Other targets: make lint (ruff, and lint-imports for the layers), make bench,
#   make fast-test (skips tests marked slow/browser),
#   make baseline (regenerates tests/baseline/results.json after a deliberate change of results).

PYTHON ?= $(shell scripts/find-python)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test fast-test lint bench baseline venv system-deps warmup clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "make: no Python >= 3.12 found (see the message above)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# System packages the browser tests need (Debian's chromium), and the app's page assets served locally.
system-deps: $(STAMP)
	@sh scripts/setup-system
	@$(BIN)/python -m cli.assets --quiet

# Compile the model's kernels once, before anything waits on them (about a minute the first time).
warmup: $(STAMP)
	@$(BIN)/python -m cli.warmup

demo: $(STAMP) warmup
	$(BIN)/huzhu demo

test: $(STAMP) system-deps warmup
	$(BIN)/python -m pytest -q

fast-test: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow and not browser"

lint: $(STAMP)
	$(BIN)/ruff check model scenarios analysis cli app tests benchmarks
	$(BIN)/ruff format --check model scenarios analysis cli app tests benchmarks
	$(BIN)/lint-imports --no-cache

baseline: $(STAMP)
	$(BIN)/python tests/results_baseline.py

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_model.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
