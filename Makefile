# aktflow: the two front-door commands are `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
PYTEST_ARGS ?=

.PHONY: run test test-fast venv lint typecheck format clean bench bench-quick

$(BIN)/activate: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test,server]"
	touch $(BIN)/activate

venv: $(BIN)/activate

## make run: virtual environment, migrate the embedded SQLite database, demo data on first start, serve the UI
run: venv
	$(BIN)/aktflow db upgrade
	$(BIN)/aktflow demo --if-empty
	$(BIN)/aktflow serve --host $(HOST) --port $(PORT)

## make cli ARGS="case list": the command line (.venv/bin/aktflow) on the same database as `make run`
.PHONY: cli reset-demo
cli: venv
	$(BIN)/aktflow $(ARGS)

## make reset-demo: delete the embedded SQLite database and load the demo data afresh (never PostgreSQL)
reset-demo: venv
	$(BIN)/aktflow demo --reset

## make test: virtual environment and the whole test suite (SQLite, PostgreSQL, browser)
test: venv
	$(BIN)/python -m pytest -n auto $(PYTEST_ARGS)

## make test-fast: the inner loop: unit and SQLite tests, without the browser, PostgreSQL and slow suites,
## in one worker per core; stops at the first failure (`make test-fast PYTEST_ARGS=--lf` reruns what failed)
test-fast: venv
	AKTFLOW_TEST_DBS=sqlite $(BIN)/python -m pytest -q -x -n auto -m "not slow and not browser and not postgres" $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check aktflow web letters migrations devtools tests
	$(BIN)/ruff format --check aktflow web letters migrations devtools tests
	$(BIN)/lint-imports

## make typecheck: mypy on the domain and the application (the scope is in pyproject.toml, [tool.mypy])
typecheck: venv
	$(BIN)/mypy

format: venv
	$(BIN)/ruff format aktflow web letters migrations devtools tests
	$(BIN)/ruff check --fix aktflow web letters migrations devtools tests

clean:
	rm -rf $(VENV) build *.egg-info test-artifacts

## make bench: every benchmark at full size (takes a while); writes docs/benchmarks.md
bench: venv
	$(BIN)/python -m bench

## make bench-quick: the core benchmarks at reduced sizes, under two minutes; writes docs/benchmarks-quick.md
bench-quick: venv
	$(BIN)/python -m bench --quick
