# Chordflow: `make demo` (install + a mapped example on the embedded default), `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo examples test services browser bench lint clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,examples]'
	touch $(STAMP)

demo: install
	CHORDFLOW_HOME=$(CURDIR)/.chordflow $(BIN)/chordflow run examples/seed_mapping.py --logical-date 2022-04-12

examples: install
	CHORDFLOW_HOME=$(CURDIR)/.chordflow $(BIN)/chordflow run examples/mapping_elt.py --logical-date 2022-04-12 --wait
	CHORDFLOW_HOME=$(CURDIR)/.chordflow $(BIN)/chordflow run examples/ml_multimodel.py --wait

services:
	bash scripts/ensure_services.sh

# Chromium from Debian's packages for the browser tests (Playwright drives /usr/bin/chromium).
browser:
	bash scripts/ensure_browser.sh

test: install services browser
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

bench: install services
	$(BIN)/python bench/run_benchmarks.py

lint: install
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .chordflow .pytest_cache
