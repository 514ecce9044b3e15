# jeugdzorg-monitor: the README's commands. Everything runs inside .venv, made here.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export DAGSTER_HOME := $(CURDIR)/.dagster_home
export JEUGDZORG_DATA_DIR ?= $(CURDIR)/data
DEMO_SCALE ?= 1
DEMO_SEED ?= 2026

.PHONY: demo run ui docs test lint bench install clean retract reports health

# pip's output goes to a log, shown only when pip fails: an install that works says one line, and
# pip's warnings (about package indexes this machine's pip configuration names, say) stay in the log
$(BIN)/.installed: pyproject.toml constraints.txt
	@echo "installing into $(VENV) (pip's log: $(VENV)/install.log)"
	@$(PYTHON) -m venv $(VENV)
	@{ $(BIN)/pip install --quiet --upgrade pip && $(BIN)/pip install --quiet -c constraints.txt -e . ; } \
		>$(VENV)/install.log 2>&1 || { cat $(VENV)/install.log; echo; echo "pip install failed (its log above)" >&2; exit 1; }
	@touch $@

install: $(BIN)/.installed

# One run at a time: DuckDB allows a single writer to the working file, and the two sensors
# may fire in the same tick.
$(DAGSTER_HOME)/dagster.yaml: dagster_instance.yaml
	@mkdir -p $(DAGSTER_HOME)
	@cp dagster_instance.yaml $@

demo: install $(DAGSTER_HOME)/dagster.yaml
	@if [ -z "$$(ls -A $(JEUGDZORG_DATA_DIR)/raw/declarations 2>/dev/null | grep -v .gitkeep)" ]; then \
		$(BIN)/python -m demo_data --out $(JEUGDZORG_DATA_DIR)/raw --scale $(DEMO_SCALE) --seed $(DEMO_SEED); \
	else echo "data/raw already holds declarations: not generating demo data"; fi
	$(BIN)/python -m pipelines.refresh
	@# the refresh above already said that the demo key is in use (foundation/settings.py)
	JEUGDZORG_DEMO_KEY_WARNED=1 $(BIN)/python -m pipelines.docs

# make run FULL=1: rebuild and check everything even when nothing is new since the last publish
run: install $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/python -m pipelines.refresh $(if $(FULL),--full,)

# make retract FILE=declarations/<file> REASON='why': its rows leave the warehouse; make run publishes again
retract: install $(DAGSTER_HOME)/dagster.yaml
	@# FILE and REASON reach the shell as environment variables, so quotes in a reason stay as typed
	@# (make itself still reads a $ in them: write $$ for a dollar sign)
	$(BIN)/python -m pipelines.retraction "$$FILE" "$$REASON"

# every asset's state (fresh, stale, failing WARN or ERROR) from the Dagster instance; exit 1 on a failing ERROR
health: install $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/python -m pipelines.health

ui: install $(DAGSTER_HOME)/dagster.yaml
	@echo "Dagster UI: http://127.0.0.1:3000 (Ctrl-C stops it). This terminal shows warnings only; every run's"
	@echo "full log is in the UI. Alerts go to $(JEUGDZORG_DATA_DIR)/alerts/."
	$(BIN)/dg dev -w workspace.yaml -h 127.0.0.1 -p 3000 --log-level warning

docs: install
	$(BIN)/python -m pipelines.docs

# the council letters from the published file (make demo and make run write them too); FORCE=1 re-renders all
reports: install
	$(BIN)/python -m assets.reports.render $(if $(FORCE),--force,)

test: install
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

lint: install
	$(BIN)/ruff check .

# make bench NATIONAL=1: five national years (50 million lines; about 15 GB of disk) instead of 10 million
bench: install
	$(BIN)/python -m tests.bench.run_bench --work $(CURDIR)/bench_data $(if $(NATIONAL),--national,)

clean:
	rm -rf $(VENV) $(DAGSTER_HOME) data/warehouse/*.duckdb* data/docs assets/dbt/target assets/dbt/logs
