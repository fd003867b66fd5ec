# The two commands a newcomer runs: `make demo` and `make test`.
# Both first create or refresh the virtual environment from the lock file.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test test-all lint typecheck check bench bench-matching lock clean

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/sanctrace demo

test: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/python -m pytest -m "not slow"

test-all: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m benchmarks

# Regenerate the lock file after changing dependencies in pyproject.toml (needs network).
lock:
	$(PYTHON) -m pip install --quiet uv
	$(PYTHON) -m uv pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements.lock
	$(PYTHON) -m uv pip compile pyproject.toml --extra dev --extra bench --python-version 3.11 \
		--constraint requirements.lock --override requirements-bench.overrides \
		-o requirements-bench.lock

# The matching benchmark compares against nomenklatura's logic-v2: a heavier, separate lock file
# (scikit-learn, scipy...), installed only here so `make test` and `make demo` stay lean.
# --no-deps: the lock is complete, and it overrides nomenklatura's duckdb bound (requirements-bench.overrides).
bench-matching: $(STAMP)
	$(BIN)/python -m pip install --quiet --no-deps -r requirements-bench.lock
	$(BIN)/python -m benchmarks.matching

clean:
	rm -rf $(VENV) sanctrace.duckdb sanctrace-report .pytest_cache .mypy_cache .ruff_cache
