# The verbs people type. `make run` and `make test` work on a fresh machine with Python 3.11+:
# they create .venv and install what they need first.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run cli test test-fast lint check requirements bench-webhooks bench-wrk bench-wrk-pair bench-start bench-audio bench-reminders bench-sms bench-calls clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m devtools.devrun

# A flask command on the hotline `make run` is running (its Redis, its mode), from another
# terminal: make cli ARGS="reminders list". make run writes RUN_ENV and removes it when it stops.
RUN_ENV ?= var/run.env
cli: $(STAMP)
	@test -f $(RUN_ENV) || { echo "make run is not running (no $(RUN_ENV)): start it first" >&2; exit 1; }
	@set -a && . $(abspath $(RUN_ENV)) && set +a && $(BIN)/flask --app app $(ARGS)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

# The inner loop: the whole suite but espeak-ng rendering, Chromium and real processes started
# or killed (marker `slow`). CI runs `make test`.
test-fast: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: $(STAMP)
	HOTLINE_MODE=development $(BIN)/flask --app app content check

bench-webhooks: $(STAMP)
	$(call timed,bench.webhooks)

bench-audio: $(STAMP)
	$(call timed,bench.audio)

bench-sms: $(STAMP)
	$(call timed,bench.sms_dispatch)

# A benchmark, with the time it took on its last line (each prints its progress as it goes).
timed = @start=$$(date +%s); echo "$@: started $$(date +%H:%M:%S); progress below, the time it took at the end"; \
	$(BIN)/python -m $(1) $(ARGS); status=$$?; \
	echo "$@: took $$(( $$(date +%s) - start )) s (exit $$status)"; exit $$status

# wrk from Debian (apt-get install wrk): the webhooks under a C load generator.
bench-wrk: $(STAMP)
	$(call timed,bench.wrk)

# The hotline and the same without counting, side by side (issue 15's 5%, drift cancelled).
bench-wrk-pair: $(STAMP)
	$(call timed,bench.wrk_pair)

bench-start: $(STAMP)
	$(call timed,bench.process_start)

# requirements.txt (what a Procfile host installs) from pyproject.toml and requirements.lock.
requirements: $(STAMP)
	$(BIN)/python -m devtools.requirements > requirements.txt

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache

bench-reminders: $(STAMP)
	$(call timed,bench.reminders)

bench-calls: $(STAMP)
	$(call timed,bench.reminder_calls)

# The pictures of the simulator (README) and of the console (docs/console.md), taken by their
# browser tests (needs /usr/bin/chromium).
.PHONY: screenshot
screenshot: $(STAMP)
	SIMULATOR_SCREENSHOT=docs/simulator.png $(BIN)/python -m pytest -q tests/test_simulator_browser.py
	CONSOLE_SCREENSHOTS=docs $(BIN)/python -m pytest -q tests/test_console_browser.py
