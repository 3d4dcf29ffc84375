# Ajour: `make run` serves the demo at http://127.0.0.1:8000, `make test` runs every check.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
AJOUR := $(VENV)/bin/ajour
STAMP := $(VENV)/.installed
PG_TEST_URL ?= $(if $(filter postgres%,$(DATABASE_URL)),$(DATABASE_URL),postgres://postgres@127.0.0.1:5432/test)
SQLITE_TEST_URL := sqlite://:memory:
PYTEST_WORKERS ?= 2
RUN_ENV := AJOUR_DEMO=1 AJOUR_SECURE=0 DJANGO_SETTINGS_MODULE=ajour.settings.production

.PHONY: run test venv system messages lint check test-rules test-sqlite test-postgres bench demo clean

$(STAMP): pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

system:
	@bash scripts/install-system-packages.sh

messages: $(STAMP)
	@cd src/ajour && DJANGO_SETTINGS_MODULE=ajour.settings.test ../../$(AJOUR) compilemessages -v0

run: $(STAMP) messages
	@$(RUN_ENV) $(AJOUR) migrate --no-input -v0
	@$(RUN_ENV) $(AJOUR) demo load --if-empty
	@$(RUN_ENV) $(AJOUR) collectstatic --no-input -v0
	@echo "Ajour is at http://127.0.0.1:8000 (demo logins on the front page). Stop with Ctrl-C."
	@$(RUN_ENV) $(VENV)/bin/granian --interface wsgi --host 127.0.0.1 --port 8000 --workers 2 ajour.wsgi:application

demo: $(STAMP)
	@$(RUN_ENV) $(AJOUR) migrate --no-input -v0
	@$(RUN_ENV) $(AJOUR) demo load

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench
	$(VENV)/bin/mypy src/ajour
	$(VENV)/bin/lint-imports

check: $(STAMP) messages
	DJANGO_SETTINGS_MODULE=ajour.settings.test DATABASE_URL=$(SQLITE_TEST_URL) $(AJOUR) makemigrations --check --dry-run -v1
	DJANGO_SETTINGS_MODULE=ajour.settings.test DATABASE_URL=$(SQLITE_TEST_URL) $(AJOUR) check

test-rules: $(STAMP)
	$(PY) -m pytest tests/rules -p no:django -q --cov=ajour.rules --cov-branch --cov-report=term-missing:skip-covered --cov-fail-under=100

test-sqlite: $(STAMP) messages
	DATABASE_URL=$(SQLITE_TEST_URL) $(PY) -m pytest -n $(PYTEST_WORKERS) -q

test-postgres: $(STAMP) messages
	@if $(PY) scripts/database_reachable.py "$(PG_TEST_URL)"; then \
		DATABASE_URL="$(PG_TEST_URL)" $(PY) -m pytest -n $(PYTEST_WORKERS) -q -m "not browser"; \
	else \
		echo "SKIPPED: PostgreSQL is not reachable at $(PG_TEST_URL); the suite ran on SQLite only."; \
	fi

test: system $(STAMP) lint check test-rules test-sqlite test-postgres

bench: $(STAMP) messages
	@bash scripts/bench.sh

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis
