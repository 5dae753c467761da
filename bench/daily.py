"""Daily monitoring benchmark: a generated province loaded into a fresh embedded Neo4j, a
first analysis run, then, in the same process and on the same server, the baseline (a full
re-analysis of the unchanged graph: what every day costs without a delta) and the day's job
(`riskgraph daily` on a generated 1% delta: ingest, analysis run, alerts, diff), step by step.

`python -m bench daily` (100,000 companies); `RISKGRAPH_BENCH_DAILY_COMPANIES=650000` for
the province the issue names. Writes its section of docs/benchmarks.md."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx2 as httpx

from bench.children import peak_gib
from bench.ingest import fresh_graph
from bench.report import machine, write_section
from riskgraph.engine.daily import run_daily
from riskgraph.engine.engine import Engine
from riskgraph.graph.credentials import password_for
from riskgraph.graph.server import free_port
from riskgraph.ingest.generator import generate
from riskgraph.ingest.pipeline import ingest_bundle
from riskgraph.ingest.synthetic.delta import generate_delta
from riskgraph.settings import Settings

KEY = "viewer-key-for-the-daily-bench"
# the embedded server as docs/daily.md sizes it for a province: the snapshot's parallel
# reads each collect millions of values, and with a 4g heap the JVM's collector took a
# quarter of the snapshot (30 s against 24 s at 650,000 companies, 2 cores)
HEAP, PAGECACHE = "8g", "3g"

STEPS = ("snapshot", "propagation", "rings", "scoring", "reasons", "save", "write back",
         "publish", "alerts")  # fmt: skip


def _row(name: str, timings: dict[str, float]) -> str:
    cells = " | ".join(f"{timings.get(step, 0.0):.1f}" for step in STEPS)
    return f"| {name} | {cells} | **{sum(timings.values()):.1f}** |"


def first_answer(settings: Settings, company: str, work: Path) -> tuple[float, float]:
    """Seconds from starting `riskgraph serve` to /ready answering 200, and to the first
    `GET /companies/{id}/risk` answer: a worker loading the current run's saved state."""
    port = free_port()
    env = {
        **os.environ,
        "NEO4J_URI": settings.bolt_uri,
        "NEO4J_PASSWORD": password_for(settings),
        "RISKGRAPH_RUNS_DIR": str(settings.runs_dir),
        "RISKGRAPH_GNN_MODEL": str(settings.gnn_model),
        "RISKGRAPH_API_KEYS": f"viewer:{KEY}",
        "RISKGRAPH_AUDIT_LOG": str(work / "audit.log"),
    }
    command = [sys.executable, "-m", "riskgraph", "serve", "--port", str(port)]
    started = time.perf_counter()
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        ready = answer = None
        while answer is None and time.perf_counter() - started < 600:
            try:
                if ready is None and httpx.get(f"http://127.0.0.1:{port}/ready").status_code == 200:
                    ready = time.perf_counter() - started
                url = f"http://127.0.0.1:{port}/companies/{company}/risk"
                if httpx.get(url, headers={"X-API-Key": KEY}, timeout=120).status_code == 200:
                    answer = time.perf_counter() - started
            except httpx.HTTPError:
                time.sleep(0.1)
        if answer is None:
            raise RuntimeError("the API did not answer within 600 s")
        return ready or answer, answer
    finally:
        server.terminate()
        server.wait(30)


def run(companies: int | None = None, changes: float = 0.01, seed: int = 1) -> Path:
    companies = companies or int(os.environ.get("RISKGRAPH_BENCH_DAILY_COMPANIES", "100000"))
    work = Path(tempfile.mkdtemp(prefix="riskgraph-bench-daily-"))
    try:
        bundle, delta = work / "province", work / "delta"
        started = time.perf_counter()
        generate(companies, seed, bundle)
        generate_s = time.perf_counter() - started
        with fresh_graph(work, "db", heap=HEAP, pagecache=PAGECACHE) as (graph, base):
            settings = base.model_copy(
                update={
                    "runs_dir": work / "runs",
                    "lock_file": work / "pipeline.lock",
                    "gnn_model": work / "no-model.pt",
                }
            )
            started = time.perf_counter()
            ingest_bundle(bundle, graph, settings)
            load_s = time.perf_counter() - started
            # alone on this server: the snapshot may read in parallel, as under the lock
            first = Engine(graph, settings, gnn=False, exclusive=True).run(raise_alerts=True)
            baselines, baseline_s = [], []
            for _ in range(2):  # twice: runs on this shared 2-core machine vary
                started = time.perf_counter()
                engine = Engine(graph, settings, gnn=False, exclusive=True)
                baselines.append(engine.run(raise_alerts=True))
                baseline_s.append(time.perf_counter() - started)
            made = generate_delta(bundle, delta, changes, seed)
            started = time.perf_counter()
            ingest_s = 0.0

            def ingested(_report: object) -> None:
                nonlocal ingest_s
                ingest_s = time.perf_counter() - started

            report = run_daily(delta, graph, settings, delivered=made.day, gnn=False,
                               on_ingested=ingested)  # fmt: skip
            daily_s = time.perf_counter() - started
            company = str(report.level_changes[0].company_id if report.level_changes else
                          first.analysis.snapshot.nodes["Company"].keys[0])  # fmt: skip
            ready_s, answer_s = first_answer(settings, company, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    peak = peak_gib()
    rows = sum(made.rows.values())
    lines = [
        f"## Daily run, {companies:,} companies, a {changes:.0%} delta",
        "",
        f"Machine: {machine()}. Command: `RISKGRAPH_BENCH_DAILY_COMPANIES={companies} python -m "
        "bench daily` (generate, load into a fresh embedded Neo4j, a first run; then in the "
        "same process and on the same server the baseline twice and the daily job). Neo4j 5.26 "
        f"embedded, heap {HEAP}, page cache {PAGECACHE}. Generated in {generate_s:.0f} s, "
        f"loaded in {load_s:.0f} s. No GNN model (rules only).",
        "",
        f"The delta: {made.touched:,} companies touched, {rows:,} rows "
        f"({', '.join(f'{k} {v}' for k, v in made.counts.items() if v)}), dated "
        f"{made.day.isoformat()}.",
        "",
        "| run (seconds) | " + " | ".join(STEPS) + " | total |",
        "| --- | " + " | ".join("---:" for _ in STEPS) + " | ---: |",
        _row("first analysis (no run before)", first.timings),
        _row("baseline: full re-analysis, unchanged graph", baselines[0].timings),
        _row("baseline again", baselines[1].timings),
        _row("daily: the analysis run after the delta", report.timings),
        "",
        f"The baseline runs took **{baseline_s[0]:.1f} s** and **{baseline_s[1]:.1f} s** "
        "wall time (their steps above, plus reading which run is current and the previous "
        "rings).",
        "",
        f"`riskgraph daily` end to end: **{daily_s:.1f} s** = delta ingest {ingest_s:.1f} s "
        f"+ analysis run {sum(report.timings.values()):.1f} s + diff "
        f"{daily_s - ingest_s - sum(report.timings.values()):.1f} s. It found "
        f"{len(report.level_changes):,} level changes, {len(report.new_alerts):,} new "
        f"alerts, rings {len(report.rings.new)} new / {len(report.rings.changed)} changed / "
        f"{len(report.rings.gone)} gone. Peak memory of the Python process: {peak:.1f} GiB "
        "(Neo4j runs in its own JVM).",
        "",
        f"An API worker started after the run (`riskgraph serve`, one worker, loading the "
        f"run's saved state in the background): `/ready` 200 after **{ready_s:.1f} s**, the "
        f"first `GET /companies/{{id}}/risk` answered after **{answer_s:.1f} s** from the "
        "process start (imports included).",
    ]
    return write_section(f"daily-{companies}", "\n".join(lines))
