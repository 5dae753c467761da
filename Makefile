# The two commands (see README):  make demo   |   make test
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup demo test lint bench clean

# Install: the project virtualenv (uv for speed and a shared wheel cache), then Neo4j 5.26
# and APOC resolved from Maven Central into the launcher build cache.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv>=0.4,<1"
	$(BIN)/uv pip install --quiet --python $(BIN)/python -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)
	$(BIN)/riskgraph db install

# The main job end to end on the embedded default.
demo: setup
	$(BIN)/riskgraph demo

lint: $(STAMP)
	$(BIN)/ruff check riskgraph tests bench
	$(BIN)/ruff format --check riskgraph tests bench
	$(BIN)/mypy riskgraph

# Lint, types, then the tests against a real Neo4j that the suite starts on a free port.
test: setup lint
	$(BIN)/pytest

bench: setup
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .riskgraph build dist .mypy_cache .ruff_cache .pytest_cache
