# driftline developer targets. Everything runs from the virtual environment in .venv.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
IMAGE  ?=
PYTEST_ARGS ?=

.PHONY: install demo test test-env lint format compile bench image image-push image-check clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml setup.py constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

demo: install  ## the main job: scheduled monitoring over the demo data, local KFP + SQLite MLMD
	$(BIN)/python -m driftline demo

test: install test-env  ## the whole test suite (integration tests start their own servers)
	$(BIN)/python -m pytest -n 2 -q $(PYTEST_ARGS)

# Every executable $(TEST_ENV)/*.sh, in name order: each installs what some tests need, quietly
# when there is nothing to do, and stops `make test` with one line when it cannot.
TEST_ENV ?= ci/test-env
test-env:  ## install what the tests need (system packages, server venvs); see ci/test-env/README.md
	@for script in $$(LC_ALL=C ls $(TEST_ENV)/*.sh 2>/dev/null); do \
	  if [ -x "$$script" ]; then PYTHON="$(PYTHON)" VENV="$(VENV)" "$$script" || exit 1; fi; \
	done

lint: install  ## ruff (lint + format check), mypy on src/, hadolint, actionlint
	$(BIN)/python -m ruff check src components pipelines tests bench
	$(BIN)/python -m ruff format --check src components pipelines tests bench
	$(BIN)/python -m mypy
	$(BIN)/hadolint images/runtime/Dockerfile images/sink/Dockerfile
	$(BIN)/actionlint .github/workflows/*.yml

format: install
	$(BIN)/python -m ruff check --fix src components pipelines tests bench
	$(BIN)/python -m ruff format src components pipelines tests bench

compile: install  ## regenerate components/yaml and pipelines/yaml (IMAGE=... overrides the image)
	DRIFTLINE_IMAGE=$(IMAGE) $(BIN)/python -m driftline compile

bench: install  ## speed and memory benchmarks; each writes its table under bench/results/
	$(BIN)/python bench/run.py

# Image: $(REGISTRY)/driftline:<package version> unless IMAGE names it; the engine is the
# first of docker, podman, buildah found (ENGINE=... overrides).
REGISTRY ?= ghcr.io/driftline
VERSION  := $(shell sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml)
ENGINE   ?= $(firstword $(foreach e,docker podman buildah,$(if $(shell command -v $(e) 2>/dev/null),$(e))))
IMAGE_REF = $(or $(IMAGE),$(REGISTRY)/driftline:$(VERSION))
BUILD    = $(if $(filter buildah,$(notdir $(ENGINE))),bud,build)

image:  ## build the component image (docker, podman or buildah): make image [REGISTRY=... | IMAGE=...]
	@test -n "$(ENGINE)" || { echo "image: no docker, podman or buildah found (set ENGINE=...)" >&2; exit 1; }
	$(ENGINE) $(BUILD) -f images/runtime/Dockerfile --build-arg VERSION=$(VERSION) -t $(IMAGE_REF) .

image-push: image  ## push the image (then: make compile IMAGE=... if IMAGE is not the default)
	$(ENGINE) push $(IMAGE_REF)

image-check: install  ## prove the image's install steps in a fresh venv (no engine needed)
	$(BIN)/python ci/check_image_install.py

clean:
	rm -rf build dist *.egg-info src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
