"""`POST /propagate` (what-if) on the province the settings point at: the API in-process
(FastAPI's test client, no network), its engine state loaded by the first call, then
what-ifs from single companies with 0, 1 and 3 evidence paths per company hit. The issue's
target: under a second for a province."""

from __future__ import annotations

import os
import random
import secrets
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from pydantic import SecretStr

from bench.report import machine, write_section
from riskgraph.api.app import create_app
from riskgraph.graph.gateway import Gateway
from riskgraph.settings import Settings


def run(settings: Settings, seeds: int = 5, seed: int = 7) -> Path:
    key = secrets.token_urlsafe(24)
    with tempfile.TemporaryDirectory() as folder:
        configured = settings.model_copy(
            update={
                "api_keys": SecretStr(f"analyst:{key}"),
                "audit_log": Path(folder) / "audit.log",
            }
        )
        with Gateway(configured) as graph:
            ids = [str(r["company_id"]) for r in graph.read_raw("export_scores")]
        chosen = random.Random(seed).sample(ids, seeds + 1)
        headers = {"X-API-Key": key}
        load = os.getloadavg()[0]
        with TestClient(create_app(configured)) as client:
            started = time.perf_counter()
            first = client.post(
                "/propagate", json={"seeds": [chosen[0]], "paths": 0}, headers=headers
            )
            first.raise_for_status()
            state_s = time.perf_counter() - started
            rows = []
            for paths in (0, 1, 3):
                times = []
                for company in chosen[1:]:
                    started = time.perf_counter()
                    response = client.post(
                        "/propagate",
                        json={"seeds": [company], "top": 20, "paths": paths},
                        headers=headers,
                    )
                    response.raise_for_status()
                    times.append(time.perf_counter() - started)
                rows.append(
                    f"| {paths} | {statistics.median(times):.2f} | {max(times):.2f} | "
                    f"{'yes' if max(times) < 1.0 else 'no'} |"
                )
    lines = [
        f"## What-if API (POST /propagate), {len(ids):,} companies",
        "",
        f"Machine: {machine()}; load average {load:.1f} at the start. Command: `python -m "
        "bench api-whatif` against the loaded province (the API in-process, no network; "
        f"{seeds} single-company what-ifs, top 20 companies hit). The first call loads the "
        f"engine state (snapshot, analysis, evidence tree): {state_s:.1f} s, once per "
        "process.",
        "",
        "| paths per company | median s | slowest s | under 1 s |",
        "| ---: | ---: | ---: | --- |",
        *rows,
    ]
    return write_section(f"api-whatif-{len(ids)}", "\n".join(lines))
