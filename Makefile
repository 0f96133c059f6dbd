# Talanoa: two commands for a fresh machine.
#   make run   the demo (venv, install, migrate, JHoPS data, server) on embedded defaults
#   make test  the test suite on SQLite
#   make prod  the production processes on this machine's PostgreSQL and Redis
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := $(shell sed -n '/^name = "uv"$$/{n;s/version = "\(.*\)"/\1/p;}' uv.lock)
export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO ?= 0

.PHONY: run test install lint format migrate demo-data clean bench browser prod audit

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

# Installs exactly what uv.lock pins (dev tools included: they are small and tests need them).
$(VENV)/.synced: $(BIN)/uv uv.lock pyproject.toml
	$(BIN)/uv sync --frozen --quiet
	touch $@

install: $(VENV)/.synced

# The browser tests (tests/browser/) drive Debian's Chromium: Playwright's own browser
# download needs the internet, which CI and these machines do not have. The package
# lists are refreshed only if the install fails (they usually are fresh enough, and an
# update costs time). CI runs as root; elsewhere sudo asks.
CHROMIUM := /usr/bin/chromium
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
APT_INSTALL := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends
$(CHROMIUM):
	$(APT_INSTALL) chromium || { $(SUDO) apt-get update -q && $(APT_INSTALL) chromium; }

browser: $(CHROMIUM)

migrate: install
	$(BIN)/python manage.py migrate --no-input -v 0

demo-data: migrate
	$(BIN)/python manage.py load_jhops
	$(BIN)/python manage.py load_demo_activity

# The web server, a Celery worker and the Celery scheduler (beat), on the embedded
# defaults: SQLite, a filesystem broker under var/celery/, mail into var/outbox/.
# deploy/supervise.py starts them with SITE_URL=http://$(HOST):$(PORT) (unless SITE_URL
# is set), so that links in feeds and e-mails follow the port; Ctrl-C stops all three
# within 10 seconds.
run: demo-data
	@$(BIN)/python manage.py demo_logins --url "http://$(HOST):$(PORT)"
	@echo "Reminders: the worker writes them to var/outbox/ (one .eml each) within a minute or two."
	@exec $(BIN)/python deploy/supervise.py --host $(HOST) --port $(PORT)

# Production on this machine: gunicorn, two Celery workers and one beat on the local
# PostgreSQL (database talanoa_prod, created if missing) and Redis, with the production
# settings (no TLS here: TALANOA_HTTPS=0). What deploy/systemd/ and deploy/compose.yaml
# run, through the same deploy/run. DEMO=1 adds the demo logins. Ctrl-C stops all.
prod: install
	HOST=$(HOST) PORT=$(PORT) DEMO=$(DEMO) deploy/make-prod

# Known vulnerabilities in the locked dependencies (pip-audit; see .ci/audit.py).
audit: install
	$(BIN)/python .ci/audit.py

test: install $(CHROMIUM)
	$(BIN)/pytest $(PYTEST_ARGS)

# django-upgrade has no check mode: it rewrites what it flags (as under pre-commit) and fails.
DJANGO_UPGRADE = git ls-files -z '*.py' | xargs -0 $(BIN)/django-upgrade --target-version 5.2

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(DJANGO_UPGRADE)
	$(BIN)/mypy

format: install
	$(DJANGO_UPGRADE) || true
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var/*.sqlite3 .pytest_cache .ruff_cache .mypy_cache

# Benchmark on PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/talanoa_bench):
# BENCH_SIZE=small (default), large or smoke (CI); README "Benchmark" says what it prints.
bench: install
	DJANGO_SETTINGS_MODULE=config.settings.bench $(BIN)/python -m bench
