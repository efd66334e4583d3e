# qmsdoc — make targets. `make demo` and `make test` work on a fresh clone: they install the
# system tools they use (scripts/setup-system.sh; as root with apt-get), create the virtual
# environment (.venv) and install qmsdoc into it with the versions pinned in constraints.txt.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
OUT    ?= out

.DEFAULT_GOAL := help
.PHONY: help venv system demo test lint bench bench-all lock wheel clean messages

help: ## Show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "qmsdoc needs Python >= 3.11 ($(PYTHON) is older)"; exit 2; }
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP) ## Create .venv and install qmsdoc with its development tools (pinned)

system: ## Install the system tools (LibreOffice, a Chinese font, poppler, gpg) when missing
	@bash scripts/setup-system.sh

demo: system $(STAMP) ## Validate the samples, render every form into out/, due, notify --dry-run, the reports
	$(BIN)/qmsdoc --repo . validate
	@bash scripts/demo.sh "$(BIN)" "$(OUT)"

test: system $(STAMP) ## Run the whole test suite
	$(BIN)/python -m pytest -q

lint: $(STAMP) ## ruff and mypy
	$(BIN)/ruff check qmsdoc tests
	$(BIN)/mypy

bench: $(STAMP) ## Benchmark on 9,000 realistic records: each figure beside the peer and the floor
	$(BIN)/python bench/run.py realistic

bench-all: $(STAMP) ## Every benchmark in bench/ (validation, rendering, history, due, git)
	$(BIN)/python bench/run.py

lock: ## Refresh constraints.txt: the newest versions the package index serves, then `make test`
	rm -rf build/lock-venv
	$(PYTHON) -m venv build/lock-venv
	build/lock-venv/bin/python -m pip install --quiet --upgrade pip
	build/lock-venv/bin/python -m pip install --quiet '.[dev]'
	{ echo "# Versions make test and CI install (pip install -c constraints.txt). Refresh: make lock"; \
	  build/lock-venv/bin/python -m pip freeze --all --exclude qmsdoc; } > constraints.txt
	rm -rf build/lock-venv

messages: $(STAMP) ## Extract the messages into the catalogs (new ones untranslated), compile them
	$(BIN)/python scripts/messages.py

wheel: $(STAMP) ## Build the wheel into dist/
	$(BIN)/python -m pip wheel --quiet --no-deps --no-build-isolation -w dist .

clean: ## Remove out/, dist/ and the virtual environment
	rm -rf $(OUT) $(VENV) build dist *.egg-info
