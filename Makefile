# Set-up on a fresh machine: `make run` (serve the demo) and `make test` (every test).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
TEST_PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
PYTEST_ARGS ?=

.PHONY: install install-test translations compile-translations migrate seed run test test-sqlite test-postgres bench lint format clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

compile-translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d procurement/translations

install: $(VENV)/.installed compile-translations

install-test: $(VENV)/.installed-test compile-translations

migrate: install
	mkdir -p instance
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) seed-demo

run: seed
	$(FLASK) run --host $(HOST) --port $(PORT)

test-sqlite: install-test
	$(BIN)/pytest -q $(PYTEST_ARGS)

test-postgres: install-test
	TEST_DATABASE_URL=$(TEST_PG_URL) $(BIN)/pytest -q $(PYTEST_ARGS)

test: test-sqlite test-postgres

bench: install-test
	$(BIN)/python bench/run.py

lint: install-test
	$(BIN)/ruff check .

format: install-test
	$(BIN)/ruff format .

# Refresh the catalogues after changing user-facing text (then translate procurement/translations/en).
translations: install-test
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ --no-location --sort-output -o procurement/translations/messages.pot procurement workflows templates
	$(BIN)/pybabel update -N -i procurement/translations/messages.pot -d procurement/translations

clean:
	rm -rf $(VENV) instance .pytest_cache
