# The two commands that matter: `make run` and `make test`. Everything sets itself up.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt | cksum | cut -d' ' -f1)
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/sync_server
# The browser tests drive Debian's Chromium (Playwright's own browser download cannot run here).
CHROMIUM := /usr/bin/chromium
export QT_QPA_PLATFORM ?= offscreen
# PyQt5's wheels bring Qt itself but load these system libraries even offscreen (found with
# ldd on the Qt libraries and plugins in .venv); DejaVu so that Cyrillic renders.
QT_SYSTEM_PACKAGES := libgl1 libglib2.0-0 libfontconfig1 libdbus-1-3 fonts-dejavu-core
# The window's compiled translations (built from the committed .ts files, not in git).
QM_FILES := desktop_client/i18n/site_sync_ru.qm

.PHONY: setup run test test-sqlite test-postgres messages bench soak clean qt-system-libs desktop-messages screenshots

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

setup: $(STAMP) locale/ru/LC_MESSAGES/django.mo $(QM_FILES)

locale/ru/LC_MESSAGES/django.mo: locale/ru/LC_MESSAGES/django.po | $(STAMP)
	DEBUG=1 $(PY) manage.py compilemessages --locale ru --ignore '.venv' > /dev/null

desktop_client/i18n/%.qm: desktop_client/i18n/%.ts | $(STAMP)
	$(PY) -m desktop_client.i18n.compile

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

# Only what is missing (dpkg says so), on a fresh Debian machine, as root.
qt-system-libs:
	@missing=$$(for package in $(QT_SYSTEM_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$package 2>/dev/null | grep -q '^install ok installed$$' || echo $$package; \
	done); \
	if [ -n "$$missing" ]; then \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing; \
	fi

test-sqlite: setup $(CHROMIUM) qt-system-libs
	DATABASE_URL= $(PY) -m pytest

test-postgres: setup $(CHROMIUM) qt-system-libs
	@if $(PY) tools/check_postgres.py "$(TEST_DATABASE_URL)"; then \
		DATABASE_URL="$(TEST_DATABASE_URL)" $(PY) -m pytest; \
	elif [ "$$CI" = "true" ]; then \
		exit 1; \
	fi

## Extract translatable texts into locale/ru/LC_MESSAGES/django.po.
messages: setup
	DEBUG=1 $(PY) manage.py makemessages --locale ru --ignore '.venv/*' --ignore 'tests/*' --ignore 'desktop_client/*' --ignore 'bench/*' --no-obsolete

## The same for the desktop window: refresh desktop_client/i18n/site_sync_ru.ts from the code.
desktop-messages: $(STAMP)
	$(VENV)/bin/pylupdate5 -noobsolete $$(find desktop_client/ui -name '*.py' | sort) -ts desktop_client/i18n/site_sync_ru.ts

## Redraw docs/screenshots/ (the window in every language, on demo data).
screenshots: setup qt-system-libs
	$(PY) -m desktop_client.ui.screenshots docs/screenshots

## The randomized convergence test under faults, far longer than in `make test` (bounded by
## its soak profile, see docs/reliability.md): on PostgreSQL when it answers, else on SQLite.
soak: setup
	@if $(PY) tools/check_postgres.py "$(TEST_DATABASE_URL)"; then \
		DATABASE_URL="$(TEST_DATABASE_URL)" CONVERGENCE_PROFILE=soak $(PY) -m pytest tests/reliability/test_convergence.py; \
	else \
		echo "Soaking on SQLite instead."; \
		DATABASE_URL= CONVERGENCE_PROFILE=soak $(PY) -m pytest tests/reliability/test_convergence.py; \
	fi

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis

## The sync benchmark (docs/performance.md); BENCH_SCALE=0.1 for a quick look.
bench: setup
	$(PY) -m bench
