# Recovery Circle: `make run` serves the demo portal, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
FLASK := PORTAL_ENV=development $(BIN)/flask --app portal
# The W3C Nu HTML checker, which the browser tests run last over every page they saw
# (tests/e2e/test_html_validity.py): vnu.jar from npm at this version, on Debian's
# default-jre-headless (.ci/run installs it). Without Java it is skipped locally; CI=true fails.
VNU_VERSION := 26.9.27
VNU_DIR := $(VENV)/vnu-$(VNU_VERSION)
VNU_JAR := $(VNU_DIR)/node_modules/vnu-jar/build/dist/vnu.jar

.PHONY: install run test test-fast test-e2e test-postgres bench lint format clean vnu

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --disable-pip-version-check uv 2>&1 | grep -v '^WARNING: Location' || true
	@$(BIN)/uv pip install --python $(BIN)/python -q -e '.[dev]' \
	  || $(BIN)/python -m pip install -q -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $@

run: install
	$(FLASK) db upgrade
	$(FLASK) learning sync
	$(FLASK) seed-demo --if-empty
	$(FLASK) run --host 127.0.0.1 --port 5000

test: install lint test-fast test-e2e

test-fast: install
	$(BIN)/pytest -m "not e2e" -q

test-e2e: install vnu
	VNU_JAR=$(abspath $(VNU_JAR)) $(BIN)/pytest -m e2e -q

vnu:
	@if [ -s $(VNU_JAR) ]; then :; \
	elif ! command -v java >/dev/null 2>&1 && [ "$$CI" != true ]; then \
	  echo "No Java here: the HTML check (vnu.jar) will be skipped (apt-get install default-jre-headless)."; \
	elif ! command -v npm >/dev/null 2>&1; then \
	  echo "No npm here to fetch vnu.jar $(VNU_VERSION): the HTML check will be skipped." >&2; \
	  [ "$$CI" != true ]; \
	else \
	  rm -rf $(VNU_DIR) && \
	  npm install --prefix $(VNU_DIR) --no-save --no-package-lock --no-audit --no-fund \
	    --loglevel=error vnu-jar@$(VNU_VERSION) >/dev/null && test -s $(VNU_JAR); \
	fi

# Runs the fast suite against a throwaway PostgreSQL 15 cluster (as .ci/run does).
test-postgres: install
	bash -c 'source tools/throwaway-postgres.sh && trap pg_stop EXIT && pg_start portal_test && \
	  TEST_DATABASE_URL=$$(pg_url portal_test) $(BIN)/pytest -m "not e2e" -q'

# The benchmark (README, "Performance"): each main page against hello-world on SQLite and on a
# throwaway PostgreSQL pinned to the second core, then the 10-minute mixed soak on PostgreSQL.
# Quicker: make bench BENCH_ARGS="--seconds 2 --pairs 1" SOAK_SECONDS=60
BENCH_ARGS ?=
SOAK_SECONDS ?= 600
bench: install
	bash -c 'source tools/throwaway-postgres.sh && trap pg_stop EXIT && pg_start portal_bench portal_soak && \
	  taskset -a -p -c 1 "$$(head -1 "$$PG_TMP/data/postmaster.pid")" >/dev/null 2>&1; \
	  BENCH_POSTGRES_URL=$$(pg_url portal_bench) $(BIN)/python -m bench $(BENCH_ARGS); status=$$?; \
	  SOAK_SECONDS=$(SOAK_SECONDS) TEST_DATABASE_URL=$$(pg_url portal_soak) \
	    $(BIN)/pytest -q -p no:cacheprovider tests/load/test_soak.py && exit $$status'

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
