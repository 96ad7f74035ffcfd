# Paperex developer commands. `make run` and `make test` work from a fresh clone.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
LOCK := requirements/lock.txt

ASSETS := src/paperex/apps/web/static/web/app.js
FRONTEND_SOURCES := $(shell find frontend/src -type f 2>/dev/null)

.PHONY: run test lint format typecheck contracts pytest jstest assets bench lock clean mutation mutation-ci

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamps make reinstalling happen only when the dependencies change.
$(VENV)/.installed: pyproject.toml $(LOCK) | $(BIN)/python
	$(BIN)/pip install --quiet -c $(LOCK) -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(LOCK) | $(BIN)/python
	$(BIN)/pip install --quiet -c $(LOCK) -e ".[dev,bench]"
	touch $(VENV)/.installed $@

# The web terminal's JavaScript and CSS, built by npm into the web app's static files.
frontend/node_modules/.installed: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	touch $@

$(ASSETS): frontend/node_modules/.installed frontend/build.mjs $(FRONTEND_SOURCES)
	cd frontend && npm run build

assets: $(ASSETS)

run: $(VENV)/.installed $(ASSETS)
	$(BIN)/paperex migrate
	$(BIN)/paperex seed
	$(BIN)/paperex serve --host $(HOST) --port $(PORT)

test: $(VENV)/.installed-dev lint typecheck contracts jstest pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools

format: $(VENV)/.installed-dev
	$(BIN)/ruff format src tests bench tools
	$(BIN)/ruff check --fix src tests bench tools

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy
	$(BIN)/mypy --strict tools
	$(BIN)/mypy --strict tests/mutation

contracts: $(VENV)/.installed-dev
	$(BIN)/lint-imports

jstest: frontend/node_modules/.installed
	cd frontend && npm test

# The suite runs under coverage, the server processes it starts included (coverage's subprocess
# patch); the whole suite is held to the floors of tools/coverage_floor.py.
pytest: $(VENV)/.installed-dev $(ASSETS)
	$(BIN)/coverage erase
	$(BIN)/coverage run -m pytest $(PYTEST_ARGS)
	$(BIN)/coverage combine --quiet
	$(BIN)/coverage report --skip-covered --sort=cover
ifeq ($(PYTEST_ARGS),)
	$(BIN)/coverage json --quiet -o coverage.json
	$(BIN)/python tools/coverage_floor.py coverage.json
endif

# Mutation testing with mutmut ([tool.mutmut] in pyproject.toml). Results are cached in mutants/,
# so a second run tests only the mutants of functions that changed. `make mutation-ci` runs a fixed
# sample of every gated package within MUTATION_CI_SECONDS and fails below the targets
# (tests/mutation/figures.py). `make mutation MUTANTS="glob ..."` retests only those mutants,
# e.g. the survivors of a module after new tests (mutmut keeps a cached verdict otherwise).
MUTATION_CHILDREN ?= 2
MUTATION_CI_SECONDS ?= 300
# The CI sample: whole modules or functions of each package, about 2 to 3 minutes on 2 CPUs.
MUTATION_SAMPLE := 'paperex.domain.market_spec.*' 'paperex.engine.price_band.*' \
	'paperex.engine.stop_triggers.*' 'paperex.engine.amendment.*' \
	'paperex.apps.trading.host.batch_writer.x__fill_row*' \
	'paperex.apps.trading.host.batch_writer.x__trade_row*' 'paperex.apps.streams.fanout.*' \
	'paperex.apps.trading.gateway.gateway.x_*'

mutation: $(VENV)/.installed-dev
	$(BIN)/mutmut run --max-children $(MUTATION_CHILDREN) $(MUTANTS)
	$(BIN)/python -m tests.mutation.figures

mutation-ci: $(VENV)/.installed-dev
	timeout $(MUTATION_CI_SECONDS) $(BIN)/mutmut run --max-children $(MUTATION_CHILDREN) \
		$(MUTATION_SAMPLE) || { echo "mutation-ci: mutmut failed or ran over $(MUTATION_CI_SECONDS) s"; exit 1; }
	$(BIN)/python -m tests.mutation.figures --check --only $(MUTATION_SAMPLE)

# Benchmarks run in their own environment where the engine is compiled with mypyc (setup.py);
# the development environment keeps the pure Python engine, so edits take effect at once.
BENCH_VENV := .venv-bench
$(BENCH_VENV)/.installed: pyproject.toml $(LOCK) setup.py $(wildcard src/paperex/*/*.py)
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install --quiet -c $(LOCK) "setuptools>=77" wheel mypy msgspec
	PAPEREX_MYPYC=1 $(BENCH_VENV)/bin/pip install --quiet --no-build-isolation -c $(LOCK) ".[dev,bench]"
	touch $@

bench: $(BENCH_VENV)/.installed
	@for script in bench/[!_]*.py; do \
		echo "== $$script"; $(BENCH_VENV)/bin/python $$script || exit 1; \
	done

# Re-resolve every dependency to the newest allowed versions and pin them.
lock: | $(BIN)/python
	$(BIN)/pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links \
		--all-extras --output-file $(LOCK) pyproject.toml

clean:
	rm -rf $(VENV) $(BENCH_VENV) build .mypy_cache .ruff_cache .pytest_cache
	rm -rf frontend/node_modules src/paperex/apps/web/static/web
