# driftline developer targets. Everything runs from the virtual environment in .venv.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
IMAGE  ?=
PYTEST_ARGS ?=

.PHONY: install demo test lint format compile bench image clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml setup.py constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

demo: install  ## the main job: scheduled monitoring over the demo data, local KFP + SQLite MLMD
	$(BIN)/python -m driftline demo

test: install  ## the whole test suite (integration tests start their own servers)
	$(BIN)/python -m pytest -n 2 -q $(PYTEST_ARGS)

lint: install  ## ruff (lint + format check) and mypy on src/
	$(BIN)/python -m ruff check src components pipelines tests bench
	$(BIN)/python -m ruff format --check src components pipelines tests bench
	$(BIN)/python -m mypy

format: install
	$(BIN)/python -m ruff check --fix src components pipelines tests bench
	$(BIN)/python -m ruff format src components pipelines tests bench

compile: install  ## regenerate components/yaml and pipelines/yaml (IMAGE=... overrides the image)
	DRIFTLINE_IMAGE=$(IMAGE) $(BIN)/python -m driftline compile

bench: install  ## speed and memory benchmarks; writes bench/RESULTS.md
	$(BIN)/python bench/run.py

image:  ## build the component image (docker, podman or buildah)
	@echo "image: not yet available (the components issue adds images/runtime/Dockerfile)"

clean:
	rm -rf build dist *.egg-info src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
