# Every command a newcomer needs. The two that matter: `make up` and `make test`.
SHELL := /bin/bash
VENV := .venv/bin

.PHONY: help install up demo test test-unit lint format kafka-start kafka-stop migration clean faults acceptance reconcile long-view welfare-acceptance bench-welfare-year

help:
	@echo "make up        run the platform (Kafka + the five services) on this machine"
	@echo "               (ARGS='--data-dir /tmp/b --port-base 9000' for a second one; see baan up --help)"
	@echo "make demo      seed the platform \`make up\` runs with a demo data set (ARGS='--households 300')"
	@echo "make test      run every test: unit, integration and end-to-end"
	@echo "make test-unit run the fast tests that need neither Kafka nor PostgreSQL"
	@echo "make lint      ruff and mypy"
	@echo "make faults    the fault suite, full profile (make test runs its short profile)"
	@echo "make acceptance the FY 2562 half-year report through the services' APIs alone (a few minutes; also in make test)"
	@echo "make long-view the 2003-2022 cumulative table, full profile (make test runs its quick one)"
	@echo "make welfare-acceptance seed 003's welfare funds table, full profile (make test runs it at 1/100)"
	@echo "make bench-welfare-year a year of contribution sheets for 6.5 million members (78 million rows; hours, by command only)"
	@echo "make contracts regenerate the published OpenAPI and AsyncAPI documents"
	@echo "make reconcile do the running services agree? (ARGS='--data-dir /tmp/b' for another instance)"
	@echo "make migration SERVICE=survey MESSAGE='...'  autogenerate a migration"

install:
	@scripts/install.sh

# The platform; ARGS go to `baan up` (e.g. ARGS='--data-dir /tmp/b --port-base 9000').
up: install
	$(VENV)/baan up $(ARGS)

# A demo data set in the running platform (baan_local.demo), through its APIs.
demo: install
	$(VENV)/baan demo $(ARGS)

test: install
	@scripts/install-test-deps.sh
	$(VENV)/pytest

test-unit: install
	$(VENV)/pytest -m "not kafka and not postgres and not e2e"

# The FY 2562 half-year table through the services' APIs (issue 6): about an hour.
acceptance: install
	@scripts/install-test-deps.sh
	$(VENV)/pytest tests/e2e/test_fy2562_acceptance.py -s

# The 2003-2022 cumulative table through the services' APIs (issue 18), every place
# spread over the years (make test runs the quick profile: one record per place).
long-view: install
	@scripts/install-test-deps.sh
	LONG_VIEW_PROFILE=full $(VENV)/pytest tests/e2e/test_long_view_acceptance.py -s

# Seed 003's national table of the welfare funds through the services' APIs (issue 19),
# full size: 6.5 million members (make test runs the quick profile, every figure / 1,000;
# WELFARE_SCALE=100 for another divisor). Hours on a laptop: not on a shared machine.
# Issue 19's scale: a year of contribution sheets (one per fund and month) for seed 003's
# 6,486,679 members in funds of 1,100, beside COPY; hours, and ~30 GB of PostgreSQL data.
# Never in make test (tests/bench runs it at 75 rows). ARGS='--database-url ...' to use yours.
bench-welfare-year: install
	$(VENV)/python bench/welfare_contributions.py --members 6486679 --months 12 \
		--pg-setting shared_buffers=4GB --pg-setting max_wal_size=8GB \
		--pg-setting checkpoint_timeout=30min --json $(ARGS)

welfare-acceptance: install
	@scripts/install-test-deps.sh
	WELFARE_PROFILE=full $(VENV)/pytest tests/e2e/test_welfare_acceptance.py -s

faults: install
	@scripts/install-test-deps.sh
	FAULTS_PROFILE=full $(VENV)/pytest tests/faults -m faults

lint: install
	$(VENV)/ruff check .
	$(VENV)/ruff format --check .
	$(VENV)/mypy shared/baan_shared tools/baan_tools testkit/baan_testkit deploy/local/baan_local services/*/[a-z]*[a-z]/ clients/python/baan_client

format: install
	$(VENV)/ruff format .
	$(VENV)/ruff check --fix .

# Do the services of a running instance agree? (docs/reliability.md; baan_tools.reconcile)
reconcile: install
	$(VENV)/baan reconcile $(ARGS)

kafka-start: install
	$(VENV)/baan kafka start $(ARGS)

kafka-stop:
	$(VENV)/baan kafka stop $(ARGS)

migration: install
	@test -n "$(SERVICE)" -a -n "$(MESSAGE)" || (echo "usage: make migration SERVICE=survey MESSAGE='add land parcels'"; exit 2)
	rm -f /tmp/baan-migration-$(SERVICE).db
	$(shell echo $(SERVICE) | tr a-z A-Z)_DATABASE_URL=sqlite+aiosqlite:////tmp/baan-migration-$(SERVICE).db \
	  $(VENV)/alembic -c services/$(SERVICE)/alembic.ini upgrade head
	$(shell echo $(SERVICE) | tr a-z A-Z)_DATABASE_URL=sqlite+aiosqlite:////tmp/baan-migration-$(SERVICE).db \
	  $(VENV)/alembic -c services/$(SERVICE)/alembic.ini revision --autogenerate -m "$(MESSAGE)"

clean:
	rm -rf .data

# The published contracts (docs/contracts.md): each service's OpenAPI document and the
# AsyncAPI document of all events, regenerated from the code into contracts/.
.PHONY: contracts
contracts: install
	$(VENV)/baan contracts generate
	cd clients/typescript && npm ci --silent && npm run --silent generate
