"""The OpenAPI schema as a contract, checked the way a client's team would: Schemathesis'
own command line (`schemathesis run --checks all`) against the live API (real uvicorn, the
package's analysed province), once per role's key, with a bounded number of examples per
operation. Every answer must be documented (status and content type), conform to its
schema, and every request the schema allows must be accepted (and what it forbids,
refused)."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest

from riskgraph.api.app import create_app
from riskgraph.settings import Settings
from tests.api.conftest import KEYS, Province, headers
from tests.live import served

EXAMPLES = 6  # per operation and phase: about two minutes per role on two cores


@pytest.fixture(scope="module")
def live(province: Province, api_settings: Settings, top_company: str) -> Iterator[str]:
    """The API, ready: its engine state loaded and the GNN's explainer imported (a first
    request would wait for either, which is not what the response time check is about)."""
    with served(create_app(api_settings)) as base:
        deadline = time.monotonic() + 180
        while httpx.get(f"{base}/ready", timeout=10).status_code != 200:
            assert time.monotonic() < deadline, "the API did not get ready"
            time.sleep(0.5)
        url = f"{base}/companies/{top_company}/explanation"
        assert httpx.get(url, headers=headers("viewer"), timeout=120).status_code == 200
        yield base


@pytest.mark.parametrize("role", ["viewer", "analyst", "admin"])
def test_schemathesis_finds_nothing(live: str, role: str, tmp_path: Path) -> None:
    # the key as the schema's own security scheme, so that Schemathesis knows it is the
    # credential (and checks that leaving it out or spoiling it is refused)
    config = tmp_path / "schemathesis.toml"
    config.write_text(f'[auth.openapi.APIKeyHeader]\napi_key = "{KEYS[role]}"\n', "utf-8")
    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        "--config-file",
        str(config),
        "run",
        f"{live}/openapi.json",
        "--checks",
        "all",
        "--max-examples",
        str(EXAMPLES),
        "--seed",
        "17",
        "--request-timeout",
        "30",
        "--exclude-path",
        "/companies/{id}/file.pdf",  # Chromium per example: covered by its own tests
        "--no-color",
    ]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=1200, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout[-12000:] + proc.stderr[-2000:]
