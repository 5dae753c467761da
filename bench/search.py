"""GET /search latency on a generated 100,000-company province: p50/p95/max per kind of
query (a full name, a name without its legal form, in traditional characters, part of a
name, pinyin initials, a USCC, a person's name), each answered by the app in process
(TestClient: routing, the queries, ranking and privacy, no network)."""

from __future__ import annotations

import csv
import random
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import opencc
from fastapi.testclient import TestClient
from pydantic import SecretStr

from bench.ingest import fresh_graph
from bench.report import latency_stats, machine, write_section
from riskgraph.api.app import create_app
from riskgraph.ingest.generator import generate
from riskgraph.ingest.pipeline import ingest_bundle
from riskgraph.search_text import name_initials

TARGET_MS = 100.0
KEY = "viewer-key-for-the-search-bench"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def run(companies: int = 100_000, seed: int = 1, samples: int = 200) -> Path:
    rng = random.Random(seed)
    work = Path(tempfile.mkdtemp(prefix="riskgraph-search-bench-"))
    try:
        bundle = work / "province"
        generate(companies, seed, bundle)
        firms = [r for r in _rows(bundle / "companies.csv") if r["name"]]
        people = [r for r in _rows(bundle / "persons.csv") if r["name"]]
        s2t = opencc.OpenCC("s2t")
        kinds: dict[str, Callable[[dict[str, str]], str]] = {
            "full name": lambda r: r["name"],
            "without 有限公司": lambda r: r["name"].removesuffix("有限公司"),
            "traditional": lambda r: s2t.convert(r["name"]),
            "part of a name": lambda r: r["name"][2:6],
            "pinyin initials": lambda r: name_initials(r["name"])[:4],
            "USCC": lambda r: r["uscc"] or r["id"],
        }
        with fresh_graph(work, "db") as (graph, settings):
            ingest_bundle(bundle, graph, settings)
            app_settings = settings.model_copy(
                update={"api_keys": SecretStr(f"viewer:{KEY}"), "audit_log": work / "audit.log"}
            )
            lines = []
            with TestClient(create_app(app_settings)) as api:

                def timed(q: str) -> float:
                    started = time.perf_counter()
                    response = api.get("/search", params={"q": q}, headers={"X-API-Key": KEY})
                    elapsed = (time.perf_counter() - started) * 1000
                    if response.status_code != 200:
                        raise RuntimeError(f"/search?q={q} answered {response.status_code}")
                    return elapsed

                for _ in range(20):  # warm the caches and the query plans
                    timed(rng.choice(firms)["name"])
                table: dict[str, list[float]] = {}
                for kind, query in kinds.items():
                    table[kind] = [timed(query(rng.choice(firms))) for _ in range(samples)]
                table["person's name"] = [timed(rng.choice(people)["name"]) for _ in range(samples)]
            for kind, values in table.items():
                p50, p95, worst = latency_stats(values)
                mark = "✓" if p95 <= TARGET_MS else "✗"
                lines.append(f"| {kind} | {p50:.1f} | {p95:.1f} {mark} | {worst:.1f} |")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    text = "\n".join(
        [
            f"## Search, {companies:,} companies",
            "",
            f"Machine: {machine()}. Command: `python -m bench search` (generate, load into a "
            "fresh embedded Neo4j, heap 4g, page cache 2g; then "
            f"{samples} random queries of each kind through the app in process). Target: "
            f"p95 ≤ {TARGET_MS:.0f} ms.",
            "",
            "| query (ms) | p50 | p95 | max |",
            "| --- | ---: | ---: | ---: |",
            *lines,
        ]
    )
    return write_section(f"search-{companies}", text)
