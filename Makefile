# qmsdoc — make targets. `make demo` and `make test` work on a fresh clone: they create
# the virtual environment (.venv) and install what they need.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
OUT    ?= out

.DEFAULT_GOAL := help
.PHONY: help venv demo test lint bench clean

help: ## Show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "qmsdoc needs Python >= 3.11 ($(PYTHON) is older)"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP) ## Create .venv and install qmsdoc with its development tools

demo: $(STAMP) ## Validate the sample records and render every form into out/
	$(BIN)/qmsdoc --repo . validate
	@bash scripts/demo.sh "$(BIN)" "$(OUT)"

test: $(STAMP) ## Run the whole test suite (installs LibreOffice/fonts when missing, see scripts/)
	@bash scripts/test-deps.sh
	$(BIN)/python -m pytest -q

lint: $(STAMP) ## ruff and mypy
	$(BIN)/ruff check qmsdoc tests
	$(BIN)/mypy

bench: $(STAMP) ## Benchmarks (10,000 records): validation, rendering, history
	$(BIN)/python bench/run.py

clean: ## Remove out/ and the virtual environment
	rm -rf $(OUT) $(VENV) build *.egg-info
