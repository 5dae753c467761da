"""API load: ``GET /companies/{id}/risk`` under 50 concurrent clients, over loopback.

Against the analysed province the settings point at (``RISKGRAPH_NEO4J_DIR`` /
``RISKGRAPH_NEO4J_PORT``, or ``NEO4J_URI``): the API runs in its own uvicorn process with
a temporary viewer key, and locust (headless, in a second process) drives it with random
scored company ids, first a warm-up, then the measured run. Latency percentiles, throughput
and errors come from locust's CSV; the machine is shared, so the load average is recorded
at the start and the end.
"""

from __future__ import annotations

import csv
import json
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.report import machine, write_section
from riskgraph.graph.gateway import Gateway
from riskgraph.graph.server import free_port
from riskgraph.settings import Settings

TARGET_P95_MS = 100.0
LOCUSTFILE = Path(__file__).with_name("api_load_locustfile.py")
ENDPOINT = "/companies/{id}/risk"


def _company_ids(settings: Settings, sample: int, seed: int) -> tuple[int, list[str]]:
    """How many companies are scored, and a random sample of their ids (what /risk serves)."""
    with Gateway(settings) as graph:
        ids = [str(r["company_id"]) for r in graph.read_raw("export_scores")]
    if not ids:
        raise SystemExit("no scored companies: ingest a province and run `riskgraph analyze`")
    return len(ids), random.Random(seed).sample(ids, min(sample, len(ids)))


def _get(url: str, key: str, timeout: float) -> int:
    request = urllib.request.Request(url, headers={"X-API-Key": key})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            answer.read()
            return int(answer.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def _start_server(
    env: dict[str, str], port: int, workers: int, log: Path
) -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-m", "uvicorn", "riskgraph.api.app:create_app", "--factory",
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
        "--no-access-log", "--log-level", "warning",
    ]  # fmt: skip
    with log.open("wb") as out:
        return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)


def _prime(base: str, key: str, ids: list[str], workers: int, timeout: float) -> float:
    """Wait for /health, then load the engine state of every worker (concurrent first
    requests, each on its own connection); returns the seconds it took."""
    started = time.perf_counter()
    while True:
        try:
            if _get(f"{base}/health", key, 5) == 200:
                break
        except OSError:
            pass
        if time.perf_counter() - started > timeout:
            raise SystemExit(f"the API did not answer at {base} within {timeout:.0f} s")
        time.sleep(0.5)
    urls = [f"{base}/companies/{c}/risk" for c in ids[: 4 * workers]]
    with ThreadPoolExecutor(len(urls)) as pool:
        codes = list(pool.map(lambda u: _get(u, key, timeout), urls))
    if any(code != 200 for code in codes):
        raise SystemExit(f"warm-up requests failed: {codes}")
    return time.perf_counter() - started


def _locust(
    base: str, env: dict[str, str], users: int, seconds: int, csv_prefix: Path
) -> dict[str, str]:
    """One headless locust run; the aggregated row of its stats CSV."""
    command = [
        sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless",
        "-u", str(users), "-r", str(users), "-t", f"{seconds}s", "--host", base,
        "--csv", str(csv_prefix), "--only-summary", "--stop-timeout", "10",
        "--loglevel", "WARNING", "--exit-code-on-error", "0",
    ]  # fmt: skip
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    with Path(f"{csv_prefix}_stats.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return next(r for r in rows if r["Name"] == "Aggregated")


def stop(server: subprocess.Popen[bytes]) -> None:
    """Stop a uvicorn started for a run: Ctrl-C, then kill if it does not go in 30 s."""
    server.send_signal(signal.SIGINT)
    try:
        server.wait(30)
    except subprocess.TimeoutExpired:
        server.kill()


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"


def _measure(
    settings: Settings, ids: list[str], users: int, seconds: int, warmup: int, workers: int
) -> dict[str, float]:
    """One run: a server with ``workers`` processes, a warm-up, the measured run."""
    work = Path(tempfile.mkdtemp(prefix="riskgraph-apiload-"))
    key = secrets.token_urlsafe(24)  # this run's only key; never stored beyond the temp dir
    (work / "ids.json").write_text(json.dumps(ids), encoding="utf-8")
    env = {
        **os.environ,
        "RISKGRAPH_API_KEYS": f"viewer:{key}",
        "RISKGRAPH_AUDIT_LOG": str(work / "audit.log"),
        "RISKGRAPH_LOAD_IDS": str(work / "ids.json"),
        "RISKGRAPH_LOAD_KEY": key,
    }
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = _start_server(env, port, workers, work / "server.log")
    try:
        primed = _prime(base, key, ids, workers, timeout=300)
        _locust(base, env, users, warmup, work / "warmup")
        stats = _locust(base, env, users, seconds, work / "run")
    finally:
        stop(server)
    shutil.rmtree(work, ignore_errors=True)
    return {
        "workers": workers,
        "primed": primed,
        "p50": float(stats["50%"]),
        "p95": float(stats["95%"]),
        "p99": float(stats["99%"]),
        "requests": int(stats["Request Count"]),
        "failures": int(stats["Failure Count"]),
        "throughput": float(stats["Requests/s"]),
    }


def run(
    settings: Settings,
    users: int = 50,
    seconds: int = 30,
    warmup: int = 10,
    workers: tuple[int, ...] = (1, 2),
    seed: int = 7,
) -> Path:
    """One uvicorn worker (``riskgraph serve``'s default) is the baseline; more workers in
    the same run show what the machine's cores buy."""
    load_start = _load()
    companies, ids = _company_ids(settings, 10_000, seed)
    runs = [_measure(settings, ids, users, seconds, warmup, w) for w in workers]
    load_end = _load()
    best = min(runs, key=lambda r: r["p95"])
    met = best["p95"] <= TARGET_P95_MS and best["failures"] == 0
    command = (
        f"python -m bench api-load (uvicorn with {' and '.join(str(w) for w in workers)} "
        f"worker(s); locust {users} users, no think time, {warmup} s warm-up then {seconds} s "
        "measured, each)"
    )
    lines = [
        f"## API load: GET {ENDPOINT}, {companies:,} companies",
        "",
        f"Machine: {machine()}; load average (1/5/15 min) {load_start} at the start, "
        f"{load_end} at the end. Neo4j at {settings.bolt_uri}.",
        f"Command: `{command}`. Server, Neo4j and load generator share the machine, over "
        f"loopback; random ids among the {companies:,} scored companies; engine state "
        "loaded in every worker before the warm-up.",
        "",
        "| workers | requests | errors | req/s | p50 ms | p95 ms | p99 ms |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        *(
            f"| {r['workers']:.0f} | {r['requests']:,.0f} | {r['failures']:.0f} | "
            f"{r['throughput']:.0f} | {r['p50']:.0f} | {r['p95']:.0f} | {r['p99']:.0f} |"
            for r in runs
        ),
        "",
        f"Target p95 ≤ {TARGET_P95_MS:.0f} ms with 0 errors: **{'met' if met else 'missed'}**. "
        "Closed loop (each client sends its next request when the last is answered), so once "
        "the server is saturated latency is about clients / throughput: p95 ≤ 100 ms at 50 "
        "clients needs some 500 req/s.",
    ]
    return write_section(f"api-load-{companies}", "\n".join(lines))
