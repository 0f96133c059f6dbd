# Talanoa: two commands for a fresh machine.
#   make run   the demo (venv, install, migrate, JHoPS data, server) on embedded defaults
#   make test  the test suite on SQLite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := $(shell sed -n '/^name = "uv"$$/{n;s/version = "\(.*\)"/\1/p;}' uv.lock)
export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install lint format migrate demo-data clean

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

# Installs exactly what uv.lock pins (dev tools included: they are small and tests need them).
$(VENV)/.synced: $(BIN)/uv uv.lock pyproject.toml
	$(BIN)/uv sync --frozen --quiet
	touch $@

install: $(VENV)/.synced

migrate: install
	$(BIN)/python manage.py migrate --no-input -v 0

demo-data: migrate
	$(BIN)/python manage.py load_jhops

run: demo-data
	@$(BIN)/python manage.py demo_logins --url "http://$(HOST):$(PORT)"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var/*.sqlite3 .pytest_cache .ruff_cache
