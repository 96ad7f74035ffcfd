# Paperex developer commands. `make run` and `make test` work from a fresh clone.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
LOCK := requirements/lock.txt

ASSETS := src/paperex/apps/web/static/web/app.js
FRONTEND_SOURCES := $(shell find frontend/src -type f 2>/dev/null)

.PHONY: run up test lint format typecheck contracts pytest jstest assets engine bench lock clean mutation mutation-ci lambda-package

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

# The matching engine compiled with mypyc (setup.py) into extension modules beside its sources,
# which Python then loads instead of them; rebuilt whenever a source changes. Without a working
# C compiler the engine stays pure Python (paperex.engine.BUILD says which one runs). pip builds
# it in an isolated environment with pyproject's build requirements, pinned by the lock.
ENGINE_SOURCES := $(wildcard src/paperex/engine/*.py) setup.py
$(VENV)/.engine-compiled: $(ENGINE_SOURCES) | $(VENV)/.installed
	PAPEREX_MYPYC=1 PIP_CONSTRAINT=$(LOCK) $(BIN)/pip install --quiet --no-deps -e . \
		|| echo "paperex: could not compile the engine; the pure Python engine will run"
	touch $@

engine: $(VENV)/.engine-compiled

# The web terminal's JavaScript and CSS, built by npm into the web app's static files.
frontend/node_modules/.installed: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	touch $@

$(ASSETS): frontend/node_modules/.installed frontend/build.mjs $(FRONTEND_SOURCES)
	cd frontend && npm run build

assets: $(ASSETS)

run: $(VENV)/.installed $(VENV)/.engine-compiled $(ASSETS)
	$(BIN)/paperex migrate
	$(BIN)/paperex seed
	$(BIN)/paperex serve --host $(HOST) --port $(PORT)

# The production topology on this machine: every role of the Procfile its own process (honcho,
# logs interleaved and prefixed), on the PostgreSQL and Redis of DATABASE_URL and REDIS_URL;
# Ctrl-C stops them all. A missing or wrong setting is one line and exit status 2. Honcho reads
# no .env (--env /dev/null): it would put one over these settings, and Paperex reads none.
WEB_WORKERS ?= 2
# STANDBYS=1: two processes of each singleton role (engine, feed, bots, beat), one leading.
STANDBYS ?= 0
comma := ,
ifneq ($(filter up,$(MAKECMDGOALS)),)
ifeq ($(filter postgres://% postgresql://%,$(DATABASE_URL)),)
$(error make up needs DATABASE_URL=postgres://USER:PASSWORD@HOST:5432/NAME (the roles share PostgreSQL))
endif
ifeq ($(filter redis://% rediss://%,$(REDIS_URL)),)
$(error make up needs REDIS_URL=redis://HOST:6379/0 (the roles talk through Redis))
endif
endif
up: export WEB_HOST := $(HOST)
up: export WEB_PORT := $(PORT)
up: export WEB_WORKERS := $(WEB_WORKERS)
up: export PAPEREX_DATA_DIR ?= $(CURDIR)/data
up: export PAPEREX_RUN_ENGINE := false
up: export PAPEREX_RUN_FEEDS := false
up: export PAPEREX_RUN_BOTS := false
up: $(VENV)/.installed $(VENV)/.engine-compiled $(ASSETS)
	$(BIN)/paperex migrate
	$(BIN)/paperex seed
	PATH="$(abspath $(BIN)):$$PATH" exec $(BIN)/honcho start --procfile Procfile --env /dev/null \
		--no-colour $(if $(filter 1,$(STANDBYS)),--concurrency engine=2$(comma)feed=2$(comma)bots=2$(comma)beat=2)

test: $(VENV)/.installed-dev lint typecheck contracts jstest pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests bench tools examples
	$(BIN)/ruff format --check src tests bench tools examples

format: $(VENV)/.installed-dev
	$(BIN)/ruff format src tests bench tools examples
	$(BIN)/ruff check --fix src tests bench tools examples

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy
	$(BIN)/mypy --strict tools
	$(BIN)/mypy --strict tests/mutation

contracts: $(VENV)/.installed-dev
	$(BIN)/lint-imports

jstest: frontend/node_modules/.installed
	cd frontend && npm test

# The suite runs under coverage, the server processes it starts included (coverage's subprocess
# patch), on the compiled engine as shipped; then the engine's tests run again on the pure Python
# engine, the fallback, which is also what coverage can see of the engine. The whole suite is
# held to the floors of tools/coverage_floor.py.
pytest: $(VENV)/.installed-dev $(VENV)/.engine-compiled $(ASSETS)
	$(BIN)/coverage erase
	$(BIN)/coverage run -m pytest $(PYTEST_ARGS)
ifeq ($(PYTEST_ARGS),)
	PAPEREX_ENGINE=python $(BIN)/coverage run -m pytest -q tests/engine
endif
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
MUTATION_CI_SECONDS ?= 600
# The CI sample: whole modules or functions of each package, 2 to 3 minutes on 2 CPUs; the bound
# leaves room for a machine half as fast.
MUTATION_SAMPLE := 'paperex.domain.market_spec.*' 'paperex.engine.price_band.*' \
	'paperex.engine.stop_triggers.*' 'paperex.engine.amendment.*' \
	'paperex.apps.trading.host.batch_writer.x__fill_row*' \
	'paperex.apps.trading.host.batch_writer.x__trade_row*' 'paperex.apps.streams.fanout.*' \
	'paperex.apps.trading.gateway.gateway.x_*'

# Mutants live in the engine's .py files, so the mutated tests run the pure Python engine.
mutation mutation-ci: export PAPEREX_ENGINE := python

mutation: $(VENV)/.installed-dev
	$(BIN)/mutmut run --max-children $(MUTATION_CHILDREN) $(MUTANTS)
	$(BIN)/python -m tests.mutation.figures

mutation-ci: $(VENV)/.installed-dev
	timeout $(MUTATION_CI_SECONDS) $(BIN)/mutmut run --max-children $(MUTATION_CHILDREN) \
		$(MUTATION_SAMPLE) || { echo "mutation-ci: mutmut failed or ran over $(MUTATION_CI_SECONDS) s"; exit 1; }
	$(BIN)/python -m tests.mutation.figures --check --only $(MUTATION_SAMPLE)

# Benchmarks measure the engine as shipped: compiled. The idle footprint takes an hour: run it
# on its own (README, Benchmarks).
BENCHMARKS := $(filter-out bench/idle_footprint.py,$(wildcard bench/[!_]*.py))
bench: $(VENV)/.installed-dev $(VENV)/.engine-compiled
	@for script in $(BENCHMARKS); do \
		echo "== $$script"; $(BIN)/python $$script || exit 1; \
	done

# The AWS Lambda zip of the per-day trade analysis, polars included for Lambda's platform:
# build/paperex-analysis-lambda.zip (tools/lambda_package.py; fails over Lambda's size limit).
lambda-package: $(VENV)/.installed
	$(BIN)/python tools/lambda_package.py

# Re-resolve every dependency to the newest allowed versions and pin them.
lock: | $(BIN)/python
	$(BIN)/pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links \
		--all-extras --output-file $(LOCK) pyproject.toml

clean:
	rm -rf $(VENV) build .mypy_cache .ruff_cache .pytest_cache
	rm -f src/paperex/engine/*.so
	rm -rf frontend/node_modules src/paperex/apps/web/static/web
