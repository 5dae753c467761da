# The two commands (see README):  make demo   |   make test
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup demo test lint bench clean chromium

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

# Headless Chromium for the browser tests (pytest -m browser, tests/api/test_visual.py).
# No root needed: the Debian packages that `apt-get install chromium` would add to this
# machine (plus a small CJK font for readable screenshots) are downloaded with
# `apt-get download` and unpacked with `dpkg-deb -x` into the cache dir, kept across
# checkouts (~120 MB downloaded, ~400 MB unpacked). tests/api/browser.py finds it there (or
# RISKGRAPH_CHROMIUM, or a chromium on PATH). Nothing is fetched when a system chromium is
# already installed.
CHROMIUM_DIR := $(or $(RISKGRAPH_CACHE_DIR),$(HOME)/.cache/riskgraph)/chromium
CHROMIUM_STAMP := $(CHROMIUM_DIR)/.installed

$(CHROMIUM_STAMP): $(STAMP)
	rm -rf $(CHROMIUM_DIR) && mkdir -p $(CHROMIUM_DIR)/debs
	if ! command -v chromium >/dev/null; then \
	  pkgs=$$(apt-get install -s --no-install-recommends chromium fonts-wqy-microhei \
	          | awk '/^Inst /{print $$2}'); \
	  cd $(CHROMIUM_DIR)/debs && apt-get download $$pkgs; \
	fi
	for deb in $(CHROMIUM_DIR)/debs/*.deb; do \
	  [ -e "$$deb" ] && dpkg-deb -x "$$deb" $(CHROMIUM_DIR) || true; done
	rm -rf $(CHROMIUM_DIR)/debs
	$(BIN)/python -m tests.api.browser --check
	touch $(CHROMIUM_STAMP)

chromium: $(CHROMIUM_STAMP)

# Lint, types, then the tests against a real Neo4j that the suite starts on a free port
# (and headless Chromium for the explanation pages).
test: setup lint $(CHROMIUM_STAMP)
	$(BIN)/pytest

bench: setup
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .riskgraph build dist .mypy_cache .ruff_cache .pytest_cache
