# One command sets up and runs the main job (`make run`), one sets up and runs the tests (`make test`).
# Both create the virtualenv in .venv and install the project into it when pyproject.toml changes.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup run test lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

# The main job: a short trainer run on the built-in synthetic data (metrics on stdout, TensorBoard logs, SavedModel).
run: $(STAMP)
	$(BIN)/python -m trainer --epochs=3 --log-dir=runs/quickstart/tensorboard --model-dir=runs/quickstart/model

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest -n 2 --dist loadgroup

clean:
	rm -rf runs .pytest_cache .mypy_cache .ruff_cache
