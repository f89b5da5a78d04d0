# The verbs people type. `make run` and `make test` work on a fresh machine with Python 3.11+:
# they create .venv and install what they need first.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run cli test lint check requirements bench-webhooks bench-audio bench-reminders bench-sms clean

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

# requirements.txt (what a Procfile host installs) from pyproject.toml and requirements.lock.
requirements: $(STAMP)
	$(BIN)/python -m devtools.requirements > requirements.txt

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache

bench-reminders: $(STAMP)
	$(call timed,bench.reminders)

# The README's picture of the simulator, taken by its browser test (needs /usr/bin/chromium).
.PHONY: screenshot
screenshot: $(STAMP)
	SIMULATOR_SCREENSHOT=docs/simulator.png $(BIN)/python -m pytest -q tests/test_simulator_browser.py
