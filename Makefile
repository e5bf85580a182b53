# One entry point per chore. Needs only Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
# The embedded default: DEBUG on, SQLite, eager tasks (unless the environment says otherwise).
RUN_ENV := DEBUG=$${DEBUG:-true}

.PHONY: install install-sms run test lint format messages bench bench-scripts bench-public production-check restore-check guards fuzz load

$(INSTALLED): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(INSTALLED)

install: $(INSTALLED)

# The SMS providers' SDKs (requirements-sms.txt), only where a provider sends the texts; CI
# installs them to run the providers' tests.
SMS_INSTALLED := $(VENV)/.installed-sms
$(SMS_INSTALLED): requirements-sms.txt $(INSTALLED)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-sms.txt
	touch $(SMS_INSTALLED)

install-sms: $(SMS_INSTALLED)

run: $(INSTALLED)
	$(RUN_ENV) $(PY) manage.py migrate --noinput
	$(RUN_ENV) $(PY) manage.py seed_demo
	$(RUN_ENV) $(PY) manage.py runserver 127.0.0.1:8000

test: $(INSTALLED)
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(INSTALLED)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(INSTALLED)
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

# The README's production steps for real: DEBUG off, its own PostgreSQL database
# (PRODUCTION_CHECK_DATABASE_URL), migrate, collectstatic, gunicorn, and curl on the pages.
production-check: $(INSTALLED)
	VENV=$(VENV) scripts/production_check.sh

# A backup restores into a working site: DUMP (pg_dump -Fc) into a fresh database (RESTORE_DB,
# default governance_restore_<time>), migrate --check, check, gunicorn and /healthz, then the
# database is dropped unless KEEP=1; MIGRATE=1 applies newer migrations first; OWNER=role
# makes the site's role own the copy.
restore-check: $(INSTALLED)
	@test -n "$(DUMP)" || { echo "usage: make restore-check DUMP=file.dump [RESTORE_DB=name] [KEEP=1] [MIGRATE=1] [OWNER=role]" >&2; exit 2; }
	VENV=$(VENV) scripts/restore_check.sh $(if $(KEEP),--keep) $(if $(MIGRATE),--migrate) $(if $(OWNER),--owner $(OWNER)) "$(DUMP)" $(RESTORE_DB)

# Refresh the catalogue after changing strings, translate, then compile (needs GNU gettext).
messages: $(INSTALLED)
	DEBUG=true $(PY) manage.py makemessages --locale zh_Hans --ignore ".venv/*" --no-obsolete --no-location
	$(PY) locale/apply_translations.py
	DEBUG=true $(PY) manage.py compilemessages --locale zh_Hans --ignore ".venv/*"

# Issue 11's table (bench/, not in CI): the bulk town of seed_bulk at 10,000 and 1,000,000
# appeals on PostgreSQL, each in its own database (BENCH_DB_10K, BENCH_DB_1M; seeded once,
# reused after), the dashboard, the staff list, an appeal, the export and the sweeps beside
# PostgreSQL's own time for the same SQL; printed and written to bench/results-<date>.md.
# BENCH_SIZES=10000,100000 for a quicker run; bench/__main__.py lists the other settings.
bench: $(INSTALLED)
	$(PY) -m bench $(BENCH_ARGS)

# The earlier scripts: the appeals list at scale (needs PostgreSQL: BENCH_DATABASE_URL; N
# appeals added to the demo), then the Five Zeros reads for a town of 200 estates and 50,000
# incidents, then the bulk town of seed_bulk (BULK_N appeals, 500 departments; seeded once,
# reused after) and the year end over it (scripts/bench_year_end.py).
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/governance_bench
N ?= 1000000
BULK_N ?= 1000000
bench-scripts: $(INSTALLED)
	DEBUG=true DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py migrate --noinput
	DEBUG=true DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py seed_demo
	DEBUG=true DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) scripts/bench_appeals_list.py $(N)
	DEBUG=true DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) scripts/bench_zeros.py
	DEBUG=true DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py seed_bulk --appeals $(BULK_N) --departments 500 --if-missing
	DEBUG=true DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) scripts/bench_year_end.py

# The residents' pages, in-process with DEBUG off: mean, median, p95 and CPU time, queries
# (on DATABASE_URL's server when it is set, in a throw-away database).
bench-public: $(INSTALLED)
	$(PY) scripts/bench_public_pages.py

# Delete each guard of the services in turn and run the suite: every deletion must be caught.
guards: $(INSTALLED)
	$(PY) scripts/guard_mutations.py

# Probes against a real gunicorn on PostgreSQL (not in CI: minutes each). FUZZ_ARGS, LOAD_ARGS
# pass options (--seed, --requests; --users, --duration); scripts/fuzz.py and load.py say more.
fuzz: $(INSTALLED)
	$(PY) scripts/fuzz.py $(FUZZ_ARGS)

load: $(INSTALLED)
	$(PY) scripts/load.py $(LOAD_ARGS)
