# One command sets up and runs the main job (`make run`), one sets up and runs the tests (`make test`).
# Both create the virtualenv in .venv and install the project into it when pyproject.toml changes.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# checkov (IaC scanner) pins packaging<24 and python-dateutil<3, which the dev venv cannot hold: its own venv.
CHECKOV_VENV  := .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed
CHECKOV_PIN   := checkov==3.3.30

.PHONY: setup run test lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(CHECKOV_STAMP):
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet '$(CHECKOV_PIN)'
	touch $(CHECKOV_STAMP)

setup: $(STAMP) $(CHECKOV_STAMP)

# The main job: a local Katib grid search over the trainer on the built-in synthetic data (state in runs/;
# rerunning resumes, and a finished experiment prints its results again).
run: $(STAMP)
	$(BIN)/katib-local run examples/local-grid.yaml

# Reruns the benchmarks that fit a sitting (tens of minutes on 2 cores) and rewrites their sections of
# docs/benchmarks.md. The long ones (bench/reference_table.py, bench/cmapss_tuning.py search and seeds) are
# listed in docs/benchmarks.md with their commands; the GPU records in bench/results/ come from a GPU machine.
bench: $(STAMP)
	$(BIN)/python bench/trainer_throughput.py --json out/trainer-throughput-cpu.json
	$(BIN)/python bench/trainer_throughput.py --render out/trainer-throughput-cpu.json bench/results/trainer-throughput-h100-*.json
	$(BIN)/python bench/inference_latency.py --write
	$(BIN)/python bench/runner_overhead.py --write
	$(BIN)/python bench/search_efficiency.py --parallel 3 1
	$(BIN)/python bench/early_stopping.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint $(CHECKOV_STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadgroup

clean:
	rm -rf runs .pytest_cache .mypy_cache .ruff_cache
