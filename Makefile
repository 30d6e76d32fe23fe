# Suyuan: `make run` serves the demo on 127.0.0.1:8000, `make test` runs the suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test venv venv-dev migrate seed serve lint format messages serve-prod cluster cluster-stop

venv: $(VENV)/.installed
venv-dev: $(VENV)/.installed-dev

$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

migrate: venv
	@# With DATABASE_OWNER_URL, migrations run as the tables' owner and the app's
	@# role (DATABASE_URL) is granted row access only (trace/db_roles.py).
	if [ -n "$$DATABASE_OWNER_URL" ]; then \
	  $(BIN)/python manage.py migrate --noinput --database owner && \
	  $(BIN)/python manage.py db_app_role; \
	else \
	  $(BIN)/python manage.py migrate --noinput; \
	fi

seed: migrate
	$(BIN)/python manage.py seed_demo

run: seed
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: venv-dev
	@# The layers of DESIGN.md first (pyproject.toml, [tool.importlinter]).
	$(BIN)/lint-imports
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: venv-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Production-like on this machine: PostgreSQL, Redis, gunicorn, a Celery worker and beat.
# The defaults below apply to this target only: `make run` and `make test` stay embedded.
PROD_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/suyuan
PROD_BROKER_URL ?= redis://127.0.0.1:6379/0
PROD_CACHE_URL ?= redis://127.0.0.1:6379/1
WEB_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))
BIND ?= 127.0.0.1:8000

serve-prod: export DATABASE_URL := $(or $(DATABASE_URL),$(PROD_DATABASE_URL))
serve-prod: export CELERY_BROKER_URL := $(or $(CELERY_BROKER_URL),$(PROD_BROKER_URL))
serve-prod: export SUYUAN_CACHE_URL := $(or $(SUYUAN_CACHE_URL),$(PROD_CACHE_URL))
serve-prod: venv
	@# With DATABASE_OWNER_URL, migrations run as the tables' owner and the app's
	@# role (DATABASE_URL) is granted row access only (trace/db_roles.py).
	if [ -n "$$DATABASE_OWNER_URL" ]; then \
	  $(BIN)/python manage.py migrate --noinput --database owner && \
	  $(BIN)/python manage.py db_app_role; \
	else \
	  $(BIN)/python manage.py migrate --noinput; \
	fi
	$(BIN)/python manage.py collectstatic --noinput
	$(BIN)/celery -A config worker -Q celery,scans,labels,imports,reports --loglevel=info --concurrency=$(shell nproc) & \
	$(BIN)/celery -A config beat --loglevel=info --schedule=$${SUYUAN_VAR_DIR:-var}/celerybeat-schedule & \
	trap 'kill %1 %2' EXIT INT TERM; \
	$(BIN)/gunicorn config.wsgi --workers $(WEB_WORKERS) --bind $(BIND) --access-logfile -

# The province topology on this machine (deploy/cluster.sh, docs/deploy.md):
# nginx with TLS before two gunicorn nodes, pgbouncer, a PostgreSQL primary
# and streaming replica, Redis, Celery workers by queue and beat, all on
# loopback with their own ports and data under CLUSTER_DIR (.cluster/).
# `make cluster-stop` stops them and removes CLUSTER_DIR.
# CLUSTER_PYTHON: another environment's python (its gunicorn and celery beside it).
CLUSTER_PYTHON ?= $(CURDIR)/$(BIN)/python

cluster: $(if $(filter $(CURDIR)/$(BIN)/python,$(CLUSTER_PYTHON)),venv)
	CLUSTER_PYTHON=$(CLUSTER_PYTHON) deploy/cluster.sh start

cluster-stop:
	CLUSTER_PYTHON=$(CLUSTER_PYTHON) deploy/cluster.sh stop
