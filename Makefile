# Two commands for a newcomer: `make run` (portal with demo data on SQLite) and `make test`.
# Each sets itself up: virtualenv, install, migrations.

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

# Development defaults; production sets its own environment (see README.md).
export DEBUG ?= 1
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test setup migrate demo lint layers format schema docs schema-check migrations-check pytest bench messages clean

# A development .env (DEBUG=1), so that manage.py works without `make` too; never used by CI's
# production-mode checks, which set DEBUG=0 explicitly. Delete or edit it on a production host.
.env:
	printf '# Development settings written by make; see README.md for production.\nDEBUG=1\n' > .env

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip>=25.1,<27"
	$(PY) -m pip install --quiet -e . --group dev
	touch $(STAMP)

setup: $(STAMP) .env

migrate: setup
	$(MANAGE) migrate --no-input -v 1

demo: migrate
	$(MANAGE) load_demo

run: demo
	@echo "Portal: http://$(HOST):$(PORT)/  API: /api/v1/  docs: /api/docs/ /api/redoc/  admin: /admin/"
	$(MANAGE) runserver $(HOST):$(PORT)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The import contracts of pyproject.toml ([tool.importlinter]): layers, no cycles, models without
# services, DRF only in the API packages, capacity_calc without Django.
layers: setup
	$(VENV)/bin/lint-imports --no-logo

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrations-check: setup
	$(MANAGE) makemigrations --check --dry-run

schema: setup
	$(MANAGE) spectacular --validate --fail-on-warn --lang en --file api_schema/openapi.yaml

docs: setup
	$(MANAGE) draw_state_machine

schema-check: setup
	$(MANAGE) check_schema

pytest: setup
	$(PY) -m pytest $(PYTEST_ARGS)

test: migrate lint layers migrations-check schema-check pytest

bench: setup
	$(PY) -m benchmarks $(BENCH_ARGS)

messages: setup
	$(MANAGE) makemessages --all --ignore=.venv --ignore=var --no-obsolete
	$(MANAGE) compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var db.sqlite3
