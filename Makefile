# The two commands that matter: `make run` and `make test`. Everything sets itself up.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt | cksum | cut -d' ' -f1)
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/sync_server
# The browser tests drive Debian's Chromium (Playwright's own browser download cannot run here).
CHROMIUM := /usr/bin/chromium
export QT_QPA_PLATFORM ?= offscreen

.PHONY: setup run test test-sqlite test-postgres messages bench soak clean

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

setup: $(STAMP) locale/ru/LC_MESSAGES/django.mo

locale/ru/LC_MESSAGES/django.mo: locale/ru/LC_MESSAGES/django.po | $(STAMP)
	DEBUG=1 $(PY) manage.py compilemessages --locale ru --ignore '.venv' > /dev/null

## Start the server on SQLite with demo data, printing the admin login.
run: setup
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py demo_setup
	@echo "Serving on http://127.0.0.1:8000/admin/"
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

## The whole suite on SQLite, then on PostgreSQL.
test: setup test-sqlite test-postgres

# Only when it is missing (a file target): on a fresh Debian machine, as root.
$(CHROMIUM):
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y chromium

test-sqlite: setup $(CHROMIUM)
	DATABASE_URL= $(PY) -m pytest

test-postgres: setup $(CHROMIUM)
	@if $(PY) tools/check_postgres.py "$(TEST_DATABASE_URL)"; then \
		DATABASE_URL="$(TEST_DATABASE_URL)" $(PY) -m pytest; \
	elif [ "$$CI" = "true" ]; then \
		exit 1; \
	fi

## Extract translatable texts into locale/ru/LC_MESSAGES/django.po.
messages: setup
	DEBUG=1 $(PY) manage.py makemessages --locale ru --ignore '.venv/*' --no-obsolete

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis

## The sync benchmark (docs/performance.md); BENCH_SCALE=0.1 for a quick look.
bench: setup
	$(PY) -m bench
