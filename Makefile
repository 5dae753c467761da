# The two commands (see README):  make demo   |   make test
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup lock demo test lint bench clean chromium wrk

# Install: the project virtualenv (uv for speed and a shared wheel cache) at the versions
# pinned in requirements.lock, then Neo4j 5.26 and APOC resolved from Maven Central into the
# launcher build cache. torch is the CPU build from PyTorch's wheel index (pyproject.toml's
# [tool.uv.sources]): PyPI's Linux torch is a CUDA build that cannot even be imported without
# its ~3 GB of nvidia-* libraries. Where that index is unreachable, torch comes from PyPI
# with those libraries (but not triton: torch.compile only, which riskgraph never calls).
# --device cuda needs a CUDA torch, such as PyPI's, installed by hand:
#   .venv/bin/uv pip install --python .venv/bin/python torch==<the version in requirements.lock>
TORCH_CPU_INDEX := https://download.pytorch.org/whl/cpu
VENV_UV = { test -x $(BIN)/python || $(PYTHON) -m venv $(VENV); } && \
	  $(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==0.13.9"
UV_INSTALL = $(BIN)/uv pip install --quiet --python $(BIN)/python -c requirements.lock

$(STAMP): pyproject.toml requirements.lock
	$(VENV_UV)
	if $(BIN)/python -c "import urllib.request as r; r.urlopen('$(TORCH_CPU_INDEX)/torch/', timeout=10)" 2>/dev/null; \
	then $(UV_INSTALL) -e '.[dev]'; \
	else echo "$(TORCH_CPU_INDEX) unreachable: torch from PyPI with its CUDA libraries"; \
	  echo triton | $(UV_INSTALL) --no-sources --excludes /dev/stdin -e '.[dev]'; fi
	touch $(STAMP)

# requirements.lock from pyproject.toml's ranges (run it after changing them): for Python 3.11+
# on any platform, without torch's CUDA stack (the CPU wheel has none; the fallback above adds
# it, pinned by torch itself).
TORCH_CUDA_DEPS := cuda-toolkit cuda-bindings nvidia-cudnn-cu13 nvidia-cusparselt-cu13 \
                   nvidia-nccl-cu13 nvidia-nvshmem-cu13 triton
lock:
	$(VENV_UV)
	printf '%s\n' $(TORCH_CUDA_DEPS) | $(BIN)/uv pip compile --quiet --universal --no-sources \
	  --extra dev --excludes /dev/stdin pyproject.toml -o requirements.lock
	! grep -iE '^(nvidia|cuda|triton)' requirements.lock

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

# wrk for the HTTP load benchmark (python -m bench api-wrk): Debian's, unpacked without root
# the same way (a C load generator, so the figures are the server's, not the client's).
WRK_DIR := $(or $(RISKGRAPH_CACHE_DIR),$(HOME)/.cache/riskgraph)/wrk
WRK_STAMP := $(WRK_DIR)/.installed

$(WRK_STAMP):
	rm -rf $(WRK_DIR) && mkdir -p $(WRK_DIR)/debs
	if ! command -v wrk >/dev/null; then \
	  pkgs=$$(apt-get install -s --no-install-recommends wrk | awk '/^Inst /{print $$2}'); \
	  cd $(WRK_DIR)/debs && apt-get download $$pkgs; \
	fi
	for deb in $(WRK_DIR)/debs/*.deb; do \
	  [ -e "$$deb" ] && dpkg-deb -x "$$deb" $(WRK_DIR) || true; done
	rm -rf $(WRK_DIR)/debs
	touch $(WRK_STAMP)

wrk: $(WRK_STAMP)

# Lint, types, then the tests against a real Neo4j that the suite starts on a free port
# (and headless Chromium for the explanation pages).
test: setup lint $(CHROMIUM_STAMP)
	$(BIN)/pytest

bench: setup $(WRK_STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .riskgraph build dist .mypy_cache .ruff_cache .pytest_cache
