"""API load under wrk (Debian's, a C load generator that hardly competes for the cores):
``GET /companies/{id}/risk`` with 50 connections for 30 s, on a generated 100,000-company
province, with 1 and 2 uvicorn workers, the hardened API against the same API with its
hardening taken out (``plain_app``), runs interleaved so that drift on the shared machine
falls on both alike.

The hardening measured: body limit, in-flight limit, per-caller rate limit (counted,
set high enough never to refuse), security headers, the two-line audit log. ``make wrk``
unpacks wrk without root (``apt-get download`` + ``dpkg-deb -x``), as ``make chromium``
does for the browser.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from statistics import median
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bench.api_load import _load, _prime, stop
from bench.ingest import fresh_graph
from bench.report import machine, write_section
from riskgraph.engine.engine import Engine
from riskgraph.graph.credentials import password_for
from riskgraph.graph.server import free_port
from riskgraph.ingest.generator import generate
from riskgraph.ingest.pipeline import ingest_bundle
from riskgraph.settings import Settings

TARGET_P99_MS = 100.0
MAX_COST = 0.05  # the hardening may cost at most 5% of the throughput
VARIANTS = {"hardened": "riskgraph.api.app:create_app", "plain": "bench.api_wrk:plain_app"}
LUA = """
local ids = {}
for line in io.lines(os.getenv("RISKGRAPH_WRK_IDS")) do ids[#ids + 1] = line end
local key = os.getenv("RISKGRAPH_WRK_KEY")
math.randomseed(7)
request = function()
  return wrk.format("GET", "/companies/" .. ids[math.random(#ids)] .. "/risk",
                    {["X-API-Key"] = key})
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %.1f %.1f %.1f %.3f\\n", summary.requests,
    e.connect + e.read + e.write + e.timeout, e.status, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, summary.duration / 1e6))
end
"""


def plain_app() -> object:
    """The API without its hardening: what the hardening's cost is measured against."""
    from riskgraph.api import app as api_app
    from riskgraph.api.audit import AuditMiddleware
    from riskgraph.api.limits import BodyLimit, InFlightLimit, SecurityHeaders
    from riskgraph.api.ratelimit import RateLimiter

    RateLimiter.spend = lambda self, rate, who: None  # type: ignore[method-assign]
    app = api_app.create_app()
    hardening = (BodyLimit, InFlightLimit, SecurityHeaders)
    app.user_middleware = [m for m in app.user_middleware if m.cls not in hardening]
    app.middleware_stack = AuditMiddleware(
        app.build_middleware_stack(), context=app.state.context.audit
    )
    return app


def wrk_binary(settings: Settings) -> tuple[str, dict[str, str]]:
    """wrk from ``make wrk`` (the cache dir), else from PATH."""
    root = settings.cache_dir / "wrk"
    unpacked = root / "usr" / "bin" / "wrk"
    env = dict(os.environ)
    if unpacked.exists():
        libs = [str(p) for p in (root / "usr" / "lib").glob("*-linux-gnu")]
        env["LD_LIBRARY_PATH"] = os.pathsep.join([*libs, env.get("LD_LIBRARY_PATH", "")])
        return str(unpacked), env
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit("wrk is needed: `make wrk` (no root) or `apt-get install wrk`")
    return found, env


def _wrk(
    binary: str, env: dict[str, str], base: str, seconds: int, script: Path
) -> dict[str, float]:
    command = [
        binary, "-t1", "-c50", f"-d{seconds}s", "--timeout", "10s", "-s", str(script), base,
    ]  # fmt: skip
    proc = subprocess.run(command, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"wrk failed ({proc.returncode}): {proc.stderr}{proc.stdout}")
    out = proc.stdout
    match = re.search(r"^RESULT (\d+) (\d+) (\d+) ([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+)$", out, re.M)
    if match is None:
        raise SystemExit(f"wrk said: {out}")
    requests, socket_errors, status_errors = (int(match.group(i)) for i in (1, 2, 3))
    p50, p95, p99, duration = (float(match.group(i)) for i in (4, 5, 6, 7))
    return {
        "requests": requests,
        "errors": socket_errors + status_errors,
        "p50": p50,
        "p95": p95,
        "p99": p99,
        "throughput": requests / duration,
    }


@contextmanager
def _server(
    env: dict[str, str], factory: str, workers: int, work: Path, audit: Path
) -> Iterator[str]:
    """A uvicorn serving ``factory`` (its audit log to ``audit``) until the block ends;
    yields its base URL."""
    port = free_port()
    env = {**env, "RISKGRAPH_AUDIT_LOG": str(audit)}
    command = [
        sys.executable, "-m", "uvicorn", factory, "--factory", "--host", "127.0.0.1",
        "--port", str(port), "--workers", str(workers), "--no-access-log",
        "--log-level", "warning",
    ]  # fmt: skip
    with (work / f"server-{port}.log").open("wb") as log:
        server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(server)


def _rounds(
    env: dict[str, str], wrk: tuple[str, dict[str, str]], workers: int, ids: list[str],
    key: str, work: Path, seconds: int, rounds: int,
) -> list[dict[str, Any]]:  # fmt: skip
    """Both APIs served at once; then ``rounds`` pairs of wrk runs in ABBA order (hardened
    first in one round, plain first in the next), so drift on the shared machine and
    whatever a first run pays fall on both alike."""
    script = work / "wrk.lua"
    audits = {name: work / f"audit-{name}-{workers}.log" for name in VARIANTS}
    with (
        _server(env, VARIANTS["hardened"], workers, work, audits["hardened"]) as hardened,
        _server(env, VARIANTS["plain"], workers, work, audits["plain"]) as plain,
    ):
        bases = {"hardened": hardened, "plain": plain}
        for base in bases.values():
            _prime(base, key, ids, workers, timeout=300)  # every worker's state loaded
            _wrk(*wrk, base, 10, script)  # warm-up
        runs = []
        for i in range(rounds):
            order = ("hardened", "plain") if i % 2 == 0 else ("plain", "hardened")
            for name in order:
                offset = audits[name].stat().st_size
                figures = _wrk(*wrk, bases[name], seconds, script)
                refused = _not_ok(audits[name], offset)
                runs.append(
                    {"variant": name, "workers": workers, "round": i + 1, **figures,
                     "refused": refused}
                )  # fmt: skip
        return runs


def _not_ok(audit: Path, offset: int) -> str:
    """The answers other than 200 in the audit log's lines from ``offset`` on, by status
    (what wrk counts as errors without saying which)."""
    statuses: Counter[int] = Counter()
    with audit.open("rb") as log:
        log.seek(offset)
        for line in log:
            entry = json.loads(line)
            if entry.get("event") == "end" and entry.get("status") != 200:
                statuses[int(entry["status"])] += 1
    return ", ".join(f"{status}×{n}" for status, n in sorted(statuses.items())) or "none"


def layer_cost(requests: int = 50_000) -> dict[str, float]:
    """CPU time per request (µs) of the hardening's layers and rate count, in this process,
    around an app that answers at once: what the hardening adds, free of the noise of a
    shared machine under load."""
    from riskgraph.api.limits import BodyLimit, InFlightLimit, SecurityHeaders
    from riskgraph.api.ratelimit import RateLimiter

    async def answer(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"content-type", b"application/json"), (b"content-length", b"512")]})  # fmt: skip
        await send({"type": "http.response.body", "body": b"x" * 512})

    scope = {
        "type": "http", "method": "GET", "path": "/companies/91330000X/risk",
        "query_string": b"", "headers": [(b"host", b"api"), (b"x-api-key", b"k" * 32)],
    }  # fmt: skip

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        return None

    async def per_request(app: ASGIApp) -> float:
        started = time.perf_counter()
        for _ in range(requests):
            await app(scope, receive, send)
        return (time.perf_counter() - started) / requests * 1e6

    layers = BodyLimit(InFlightLimit(SecurityHeaders(answer), lambda: 64), 10_000_000)
    bare = asyncio.run(per_request(answer))
    wrapped = asyncio.run(per_request(layers))
    limiter = RateLimiter()
    started = time.perf_counter()
    for _ in range(requests):
        limiter.spend("1000000000/minute", "viewer:bench")
    rate = (time.perf_counter() - started) / requests * 1e6
    return {"layers": wrapped - bare, "rate": rate, "total": wrapped - bare + rate}


def run(companies: int = 100_000, seed: int = 1, seconds: int = 30, rounds: int = 4) -> Path:
    layers = layer_cost()
    work = Path(tempfile.mkdtemp(prefix="riskgraph-wrk-"))
    try:
        bundle = work / "province"
        generate(companies, seed, bundle)
        with fresh_graph(work, "db") as (graph, base_settings):
            settings = base_settings.model_copy(update={"runs_dir": work / "runs"})
            ingest_bundle(bundle, graph, settings)
            Engine(graph, settings, gnn=False).run(raise_alerts=False)
            ids = [str(r["company_id"]) for r in graph.read_raw("export_scores")]
            key = secrets.token_urlsafe(24)
            (work / "ids.txt").write_text("\n".join(ids[:20_000]) + "\n", encoding="utf-8")
            (work / "wrk.lua").write_text(LUA, encoding="utf-8")
            env = {
                **os.environ,
                "NEO4J_URI": settings.bolt_uri,
                "NEO4J_PASSWORD": password_for(settings),
                "RISKGRAPH_RUNS_DIR": str(settings.runs_dir),
                "RISKGRAPH_API_KEYS": f"viewer:{key}",
                "RISKGRAPH_AUDIT_MAX_BYTES": str(10**12),  # one file per variant, kept whole
                "RISKGRAPH_RATE_LIMIT": "1000000000/minute",
                "RISKGRAPH_GNN_MODEL": str(work / "no-model.pt"),
                "RISKGRAPH_WRK_IDS": str(work / "ids.txt"),
                "RISKGRAPH_WRK_KEY": key,
                "PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parents[1])]),
            }
            binary, wrk_env = wrk_binary(settings)
            wrk = (binary, {**env, "LD_LIBRARY_PATH": wrk_env.get("LD_LIBRARY_PATH", "")})
            load_start = _load()
            runs = []
            for workers in (1, 2):
                runs += _rounds(env, wrk, workers, ids, key, work, seconds, rounds)
            load_end = _load()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    rows = []
    verdicts = []
    for workers in (1, 2):
        mine = [r for r in runs if r["workers"] == workers]
        hard = [r for r in mine if r["variant"] == "hardened"]
        plain = [r for r in mine if r["variant"] == "plain"]
        # each round's pair ran back to back: the cost is the median of the paired ratios
        paired = [1 - h["throughput"] / p["throughput"] for h, p in zip(hard, plain, strict=True)]
        cost = median(paired)
        worst = max(hard, key=lambda r: r["p99"])
        errors = sum(r["errors"] for r in hard)
        verdicts.append(
            f"{workers} worker(s): hardened {median(r['throughput'] for r in hard):.0f} req/s "
            f"against plain {median(r['throughput'] for r in plain):.0f} (medians of "
            f"{len(hard)} rounds); the hardening costs {cost * 100:.1f}% of the throughput "
            f"(median of the rounds' paired costs: "
            f"{', '.join(f'{c * 100:+.1f}%' for c in paired)}; target ≤ {MAX_COST * 100:.0f}%: "
            f"**{'met' if cost <= MAX_COST else 'missed'}**); worst p99 {worst['p99']:.0f} ms, "
            f"{errors:.0f} errors (0 errors: **{'met' if errors == 0 else 'missed'}**; p99 ≤ "
            f"{TARGET_P99_MS:.0f} ms, the scale target at 650,000 companies with 2 workers: "
            f"**{'met' if worst['p99'] <= TARGET_P99_MS else 'missed'}** here)"
        )
        for r in mine:
            rows.append(
                f"| {r['round']} | {r['variant']} | {r['workers']:.0f} | {r['requests']:,.0f} | "
                f"{r['errors']:.0f} | {r['refused']} | {r['throughput']:.0f} | {r['p50']:.1f} | "
                f"{r['p95']:.1f} | {r['p99']:.1f} |"
            )
    lines = [
        f"## API load under wrk: GET /companies/{{id}}/risk, {companies:,} companies",
        "",
        f"Machine: {machine()}; load average (1/5/15 min) {load_start} at the start, "
        f"{load_end} at the end. Command: `python -m bench api-wrk` (generate, ingest and "
        f"analyse into a fresh embedded Neo4j; then per number of workers, "
        f"`riskgraph.api.app:create_app` and the same without its hardening (`plain_app`) "
        f"both served by uvicorn, a 10 s warm-up each, then {rounds} rounds of `wrk -t1 -c50 "
        f"-d{seconds}s` over random scored ids against each, in ABBA order). Server, Neo4j "
        f"and wrk share the machine, so single runs swing by tens of percent; the rounds "
        f"and the medians are what to read.",
        "",
        f"What the hardening adds per request, measured in-process around an app that "
        f"answers at once ({layer_cost.__name__}): {layers['layers']:.1f} µs for the body, "
        f"in-flight and header layers, {layers['rate']:.1f} µs for the rate count, "
        f"{layers['total']:.1f} µs in all, against the "
        f"{1e6 / median(r['throughput'] for r in runs if r['workers'] == 1):.0f} µs a "
        f"request takes at 1 worker under load.",
        "",
        "| round | API | workers | requests | errors | not 200 (audit log) | req/s | p50 ms | "
        "p95 ms | p99 ms |",
        "| ---: | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |",
        *rows,
        "",
        *(f"- {v}" for v in verdicts),
    ]
    return write_section(f"api-wrk-{companies}", "\n".join(lines))
