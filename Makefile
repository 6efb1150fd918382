# Everyday commands. `make run` and `make test` set up everything they need on a fresh machine.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

export DJANGO_DEBUG ?= 1

.PHONY: run test lint fmt migrations-check reset-db install db browser redis load shell bench backup restore loadtest release messages

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

## Start the database, migrate, load the curated data and the documents' text (from
## GFMD_SEEDS_DIR, default ../shared/seeds, when it is there) and serve on http://$(HOST):$(PORT)/
run: install
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_curated
	$(PY) manage.py ingest_sources
	$(PY) manage.py runserver $(HOST):$(PORT)

load: install
	$(PY) manage.py load_curated
	$(PY) manage.py ingest_sources

## The whole test suite (unit, view, API and browser tests)
test: install browser redis
	$(PY) -m pytest $(PYTEST_ARGS)

## Debian's Chromium for the browser tests (never a downloaded browser)
browser:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "Browser tests need Debian's Chromium: sudo apt-get install -y chromium"; exit 1; \
	  fi; }

## Debian's redis-server, which the tests of several servers start on a port of their own
redis:
	@command -v redis-server >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; \
	  else \
	    echo "Without redis-server the tests of several servers are skipped: sudo apt-get install -y redis-server"; \
	  fi; }

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

fmt: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

migrations-check: install
	$(PY) manage.py makemigrations --check --dry-run

## Extract the interface strings into locale/{fr,es}/LC_MESSAGES/django.po and compile the
## catalogues (GNU gettext: apt-get install gettext). The options are those of
## tests/i18n/test_catalogues.py, which checks that nothing marked is missing.
MESSAGES_IGNORE := --ignore=var --ignore=bench --ignore=tests --ignore=scripts --ignore=screenshots --ignore=.venv
messages: install
	DJANGO_SETTINGS_MODULE=gfmd.settings $(PY) -m django makemessages -l fr -l es --add-location file $(MESSAGES_IGNORE)
	DJANGO_SETTINGS_MODULE=gfmd.settings $(PY) -m django compilemessages $(MESSAGES_IGNORE)

## Drop the embedded database (var/pgdata); the next command creates it afresh
reset-db:
	rm -rf var/pgdata

shell: install
	$(PY) manage.py shell

## Benchmark at 1k, 10k and 100k practices against Datasette and a bare floor (not a test)
bench: install
	$(PY) -m pip install --quiet -e ".[dev,bench]"
	$(PY) bench/run.py $(BENCH_ARGS)

## Dump every curated record (natural keys, the fixtures' format) to FILE or var/backups/
backup: install
	$(PY) manage.py backup $(if $(FILE),--output $(FILE),)

## The data release: a Frictionless Data Package of every public record in DIR (default
## dist/gfmd-practices-data), checked with `frictionless validate`
RELEASE_DIR ?= dist/gfmd-practices-data
release: install
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_curated
	$(PY) manage.py ingest_sources
	rm -rf $(RELEASE_DIR)
	$(PY) manage.py export_datapackage $(RELEASE_DIR)
	$(VENV)/bin/frictionless validate $(RELEASE_DIR)/datapackage.json

## Load a dump made by `make backup` into an empty database
restore: install
	@test -n "$(FILE)" || { echo "usage: make restore FILE=var/backups/<dump>.yaml"; exit 2; }
	$(PY) manage.py migrate --no-input
	$(PY) manage.py restore $(FILE)

## 50 concurrent clients for 60 s against gunicorn, with a database outage in the middle
loadtest: install
	$(PY) scripts/loadtest.py $(LOADTEST_ARGS)
