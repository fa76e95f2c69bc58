# Set-up and everyday commands. `make run` and `make test` are all a newcomer needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
PORT ?= 5000
HOST ?= 127.0.0.1
# Babel names the zh_CN locale zh_Hans_CN (script included), so that is the catalog's folder.
CATALOGS := eventsapp/translations
# Babel's extractor skips folders whose names start with "_" or "." unless told which folders to skip:
# templates/_macros and the like hold strings too. tests/web/test_i18n.py runs this very command.
EXTRACT := $(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --ignore-dirs='.* __pycache__ node_modules'

.PHONY: run prod test lint serve install install-dev install-bench system-packages prod-packages test-packages \
	test-tools translations catalog-update db-upgrade seed clean load-test

run: install system-packages translations db-upgrade seed serve ## install, migrate, seed demo data and serve

# Production on one node (README, "Running in production"): settings from the environment only, checked at
# start; migrates, then runs gunicorn (deploy/gunicorn.conf.py), the jobs' RQ worker, the rounds' RQ worker
# and the scheduler in the foreground until stopped. nginx (deploy/nginx.conf) is Debian's service in front of it.
prod: install system-packages prod-packages translations
	@bash deploy/run-prod

test: install-dev system-packages test-packages test-tools translations ## run the whole test suite, browser tests included
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The load test (benchmarks/load_fair.py): two gunicorn nodes behind nginx, then one, under Locust for a minute
# each, on the PostgreSQL database LOAD_DATABASE_URL (emptied and seeded!) and Redis db 9 of this machine.
LOAD_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/bench_load
load-test: install-bench translations prod-packages
	$(BIN)/python benchmarks/load_fair.py --database-url $(LOAD_DATABASE_URL) $(LOAD_ARGS)

lint: install-dev ## check style and common mistakes
	$(BIN)/ruff check eventsapp tests benchmarks deploy app.py

# The scheduler runs beside the web server: it delivers e-mails (or, with no SMTP_HOST, logs them) and
# sends reminders. Both get PORT: absolute links (e-mails, calendar feeds) use it unless PUBLIC_BASE_URL is set.
serve:
	@export PORT=$(PORT); $(FLASK) schedule run & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --host $(HOST) --port $(PORT)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

$(VENV)/.installed-bench: requirements.txt requirements-dev.txt requirements-bench.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-bench.txt
	touch $(VENV)/.installed $(VENV)/.installed-dev $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev
install-bench: $(VENV)/.installed-bench

# Badges need a CJK font and a Latin one, and HarfBuzz's subsetter keeps PDF font embedding fast.
system-packages:
	@bash .ci/system-packages fonts-noto-cjk fonts-dejavu-core libharfbuzz-subset0

# Production: nginx in front, PostgreSQL's client programs for `flask backup` (pg_dump, pg_restore).
prod-packages:
	@bash .ci/system-packages nginx postgresql-client

# The badge tests read the PDFs back with poppler (pdftotext, pdffonts, pdftoppm), the browser tests
# drive Debian's Chromium, the Nu HTML Checker runs on Java, the deployment tests check deploy/nginx.conf with
# nginx -t, the backup tests run pg_dump and pg_restore, and the deployment tests verify the systemd units
# with systemd-analyze (nothing is started: no systemd runs as PID 1 here).
test-packages:
	@bash .ci/system-packages poppler-utils chromium default-jre-headless nginx postgresql-client systemd

# The checkers the tests run, pinned in tests/tools/package-lock.json: axe-core (accessibility, injected
# by the browser tests), vnu-jar (the Nu HTML Checker) and dclint (deploy/compose.yaml; it ships the Compose
# Specification's JSON schema). No install scripts: vnu runs on Debian's Java; dclint needs Node 20.19 or
# later (Debian 12's is 18: its test then skips, the schema test still validates the Compose file).
TOOLS := tests/tools
test-tools: $(TOOLS)/node_modules/.installed

$(TOOLS)/node_modules/.installed: $(TOOLS)/package.json $(TOOLS)/package-lock.json
	@command -v npm >/dev/null || bash .ci/system-packages npm
	cd $(TOOLS) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

translations: install ## compile the zh_CN and en catalogs
	$(BIN)/pybabel compile -d $(CATALOGS) --statistics 2>&1 | grep -v '^$$' || true
	@for locale in zh_Hans_CN en; do test -f $(CATALOGS)/$$locale/LC_MESSAGES/messages.mo || { echo "catalog $$locale did not compile" >&2; exit 1; }; done

catalog-update: install ## extract new strings into both catalogs; then translate the new zh_CN ones
	$(EXTRACT) -o $(CATALOGS)/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i $(CATALOGS)/messages.pot -d $(CATALOGS) --no-fuzzy-matching --ignore-obsolete
	$(BIN)/python .ci/fill-english-catalog.py $(CATALOGS)/en/LC_MESSAGES/messages.po

db-upgrade: install
	$(FLASK) db upgrade

seed: install
	$(FLASK) seed-demo

clean:
	rm -rf $(VENV) .pytest_cache build $(TOOLS)/node_modules
