# The README's two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
PYTEST_WORKERS ?= 2

.PHONY: setup run test test-sqlite test-postgres lint format clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)

## Set up, migrate, load the demo county, print the demo accounts, start worker and server.
run: setup
	$(BIN)/xianfeng quickstart

## The whole suite on SQLite, and on PostgreSQL too when DATABASE_URL points at one.
test: setup
	env -u DATABASE_URL $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup -q
	@if [ -n "$$DATABASE_URL" ]; then \
		echo "== PostgreSQL: $$DATABASE_URL =="; \
		XIANFENG_DATABASE_TESTS_ONLY=1 $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup -q; \
	else \
		echo "DATABASE_URL not set: PostgreSQL run skipped (see README)"; \
	fi

lint: setup
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy src

format: setup
	$(BIN)/ruff format src tests
	$(BIN)/ruff check --fix src tests

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
