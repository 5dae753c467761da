"""Growth with the province: `python -m bench scale` generates provinces of 20,000,
100,000, 650,000 and 2,000,000 companies (``RISKGRAPH_BENCH_SIZES`` to choose) and runs,
per province, each step as the product runs it, each in a fresh process so that its peak
memory is its own:

- **first load**: `riskgraph ingest` into an empty embedded Neo4j, through the bulk
  importer (validation, quarantine, import files, import, schema, later versions);
- **analyze**: `riskgraph analyze` without the GNN (snapshot, propagation, rings, scores,
  reasons, write-back, run);
- **GNN inference**: the model trained on the smallest province, applied in batches
  (snapshot and rules' analysis first, not counted in the step's time);
- **API state load**: what each API worker loads at start (the current run's state);
- **daily cycle**: a 1% delta (`riskgraph daily`: delta ingest, analysis with the GNN).

For Neo4j: heap and page cache as configured, the JVM's peak resident memory, and the
store's size on disk. Then a fit of each step's growth (a power law through the runs),
what the largest province this machine can serve is, and what a national graph would need.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.children import in_child, peak_gib
from bench.report import machine, write_section
from riskgraph.graph.server import EmbeddedServer, free_port
from riskgraph.settings import Settings

SIZES = (20_000, 100_000, 650_000, 2_000_000)
NATIONAL = 50_000_000  # enterprises in a national graph
GIB = 2**30


def _settings(home: Path, heap: str, pagecache: str) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        neo4j_dir=home,
        neo4j_port=free_port(),
        neo4j_heap=heap,
        neo4j_pagecache=pagecache,
        neo4j_uri=None,
        neo4j_password=None,
        runs_dir=home / "runs",
        lock_file=home / "pipeline.lock",
        gnn_model=home / "no-model.pt",
    )


# --- the steps, each run in a child process -----------------------------------------------


def _first_load(settings: Settings, bundle: str, out: Any) -> None:
    from riskgraph.graph.admin_import import run_import
    from riskgraph.graph.gateway import Gateway
    from riskgraph.graph.migrate import migrate
    from riskgraph.ingest.pipeline import Initial, ingest_bundle

    started = time.perf_counter()
    server = EmbeddedServer(settings)
    with Gateway(settings) as graph:
        migrate(graph)
        initial = Initial(
            settings.neo4j_dir / "import",
            lambda files: run_import(server, files, settings.neo4j_database),
        )
        report = ingest_bundle(Path(bundle), graph, settings, initial=initial)
    seconds = time.perf_counter() - started
    assert report.imported is not None
    out.put(
        {
            "seconds": seconds,
            "peak": peak_gib(),
            "rows": sum(f.read for f in report.files),
            "rejected": report.rejected,
            "import_s": report.imported.seconds,
            "restart_s": report.imported.stopped_s + report.imported.started_s,
        }
    )


def _analyze(settings: Settings, out: Any) -> None:
    from riskgraph.engine.engine import Engine
    from riskgraph.graph.gateway import Gateway

    with Gateway(settings) as graph:
        started = time.perf_counter()
        Engine(graph, settings, gnn=False).run(raise_alerts=False)
        out.put({"seconds": time.perf_counter() - started, "peak": peak_gib()})


def _train(settings: Settings, model: str, out: Any) -> None:
    from riskgraph.gnn.train import train
    from riskgraph.graph.gateway import Gateway
    from riskgraph.graph.snapshot import build_snapshot
    from riskgraph.risk.analysis import analyze

    with Gateway(settings) as graph:
        snapshot = build_snapshot(graph)
    started = time.perf_counter()
    train(snapshot, analyze(snapshot)).save(model)
    out.put({"seconds": time.perf_counter() - started, "peak": peak_gib()})


def _infer(settings: Settings, model: str, out: Any) -> None:
    from riskgraph.gnn.train import TrainedModel
    from riskgraph.graph.gateway import Gateway
    from riskgraph.graph.snapshot import build_snapshot
    from riskgraph.risk.analysis import analyze

    with Gateway(settings) as graph:
        snapshot = build_snapshot(graph)
    analysis = analyze(snapshot)
    before = peak_gib()
    trained = TrainedModel.load(model)
    started = time.perf_counter()
    trained.predict(snapshot, analysis)
    out.put({"seconds": time.perf_counter() - started, "peak": peak_gib(), "before": before})


def _state(settings: Settings, out: Any) -> None:
    from riskgraph.engine.engine import Engine
    from riskgraph.graph.gateway import Gateway

    with Gateway(settings) as graph:
        started = time.perf_counter()
        Engine(graph, settings, gnn=False).current_state()
        out.put({"seconds": time.perf_counter() - started, "peak": peak_gib()})


def _daily(settings: Settings, delta: str, out: Any) -> None:
    from riskgraph.engine.daily import run_daily
    from riskgraph.graph.gateway import Gateway

    with Gateway(settings) as graph:
        started = time.perf_counter()
        run_daily(Path(delta), graph, settings)
        out.put({"seconds": time.perf_counter() - started, "peak": peak_gib()})


# --- one province -----------------------------------------------------------------------


@dataclass
class Province:
    companies: int
    generate_s: float = 0.0
    steps: dict[str, dict[str, Any]] = field(default_factory=dict)
    neo4j_peak_gib: float = 0.0
    store_gib: float = 0.0
    heap: str = ""
    pagecache: str = ""
    nodes: int = 0
    relationships: int = 0


def _jvm_peak_gib(pid: int | None) -> float:
    """The server JVM's peak resident memory (VmHWM) so far."""
    if pid is None:
        return 0.0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 2**20
    return 0.0


def _du_gib(path: Path) -> float:
    total = sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return total / GIB


def _memory_for(companies: int) -> tuple[str, str]:
    """Neo4j's heap and page cache for a province: the defaults up to 650,000 companies,
    more page cache above (the store would not fit in 2 GiB)."""
    return ("4g", "2g") if companies <= 650_000 else ("4g", "6g")


def _province(companies: int, work: Path, model: Path, seed: int) -> Province:
    from riskgraph.graph.gateway import Gateway
    from riskgraph.ingest.generator import generate
    from riskgraph.ingest.synthetic.delta import generate_delta

    result = Province(companies)
    bundle = work / f"p{companies}"
    started = time.perf_counter()
    generate(companies, seed, bundle)
    result.generate_s = time.perf_counter() - started
    heap, pagecache = _memory_for(companies)
    result.heap, result.pagecache = heap, pagecache
    settings = _settings(work / f"db{companies}", heap, pagecache)
    server = EmbeddedServer(settings)
    server.start()
    try:
        result.steps["first load"] = in_child(_first_load, settings, str(bundle))
        result.steps["analyze"] = in_child(_analyze, settings)
        if not model.exists():
            result.steps["GNN training (once, smallest province)"] = in_child(
                _train, settings, str(model)
            )
        result.steps["GNN inference"] = in_child(_infer, settings, str(model))
        result.steps["API state load"] = in_child(_state, settings)
        delta = work / f"p{companies}-delta"
        generate_delta(bundle, delta, 0.01, seed)
        # the model was trained on the smallest province: another graph, used on purpose
        daily = settings.model_copy(update={"gnn_model": model, "gnn_any_graph": True})
        result.steps["daily cycle (1% delta, analysis with GNN)"] = in_child(
            _daily, daily, str(delta)
        )
        result.neo4j_peak_gib = _jvm_peak_gib(server.pid())
        with Gateway(settings) as graph:
            info = graph.read("server_info")[0]
        result.nodes, result.relationships = int(info["nodes"]), int(info["relationships"])
    finally:
        server.stop()
        result.store_gib = _du_gib(settings.neo4j_dir / "data")
        shutil.rmtree(settings.neo4j_dir, ignore_errors=True)
        shutil.rmtree(bundle, ignore_errors=True)
    return result


def _exponent(n1: float, y1: float, n2: float, y2: float) -> float:
    """b in y = a·n^b through two points."""
    return math.log(max(y2, 1e-9) / max(y1, 1e-9)) / math.log(n2 / n1)


def _linear(n1: float, y1: float, n2: float, y2: float) -> float:
    """y at a national graph, on the straight line through two points."""
    return y2 + (y2 - y1) / (n2 - n1) * (NATIONAL - n2)


def _disk_free_gib(path: Path) -> float:
    stat = os.statvfs(path)
    return stat.f_bavail * stat.f_frsize / GIB


def run(sizes: tuple[int, ...] | None = None, seed: int = 1) -> Path:
    chosen = (
        sizes
        or tuple(int(s) for s in os.environ.get("RISKGRAPH_BENCH_SIZES", "").split(",") if s)
        or SIZES
    )
    work = Path(tempfile.mkdtemp(prefix="riskgraph-scale-"))
    model = work / "gnn.pt"
    provinces: list[Province] = []
    skipped: list[str] = []
    try:
        for companies in chosen:
            try:
                provinces.append(_province(companies, work, model, seed))
            except (RuntimeError, MemoryError, subprocess.SubprocessError, OSError) as exc:
                skipped.append(f"{companies:,} companies: {type(exc).__name__}: {exc}")
                break  # a bigger one would not fit either
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return write_section("scale", _report(provinces, skipped))


def _report(provinces: list[Province], skipped: list[str]) -> str:
    steps = list(dict.fromkeys(s for p in provinces for s in p.steps))
    lines = [
        "## Growth with the province: "
        + " to ".join(f"{p.companies:,}" for p in provinces[:: max(len(provinces) - 1, 1)])
        + " companies",
        "",
        f"Machine: {machine()}. Command: `python -m bench scale` (`RISKGRAPH_BENCH_SIZES` "
        "to choose the sizes). Each step runs in a fresh process: its time, and its peak "
        "resident memory (Python). Neo4j runs embedded in its own JVM beside it.",
        "",
        "| companies | nodes | relationships | generate (s) | "
        + " | ".join(f"{s} (s / GiB)" for s in steps)
        + " | Neo4j heap / page cache | Neo4j peak RSS (GiB) | store (GiB) |",
        "| ---: | ---: | ---: | ---: | "
        + " | ".join("---:" for _ in steps)
        + " | --- | ---: | ---: |",
    ]
    for p in provinces:
        cells = []
        for s in steps:
            step = p.steps.get(s)
            cells.append("" if step is None else f"{step['seconds']:.1f} / {step['peak']:.2f}")
        lines.append(
            f"| {p.companies:,} | {p.nodes:,} | {p.relationships:,} | {p.generate_s:.1f} | "
            + " | ".join(cells)
            + f" | {p.heap} / {p.pagecache} | {p.neo4j_peak_gib:.1f} | {p.store_gib:.2f} |"
        )
    for p in provinces:
        load = p.steps["first load"]
        lines.append(
            f"\n{p.companies:,} companies, first load: {load['rows']:,} rows "
            f"({load['rejected']:,} rejected), of which the import itself "
            f"{load['import_s']:.1f} s and stopping and starting the server "
            f"{load['restart_s']:.1f} s."
        )
        infer = p.steps.get("GNN inference")
        if infer is not None and "before" in infer:
            lines.append(
                f"GNN inference at {p.companies:,}: the process held {infer['before']:.2f} "
                f"GiB with the snapshot and the rules' analysis before it began; the "
                f"inference added {infer['peak'] - infer['before']:.2f} GiB."
            )
    if skipped:
        lines += ["", "Not run: " + "; ".join(skipped)]
    if len(provinces) >= 2:
        lines += [
            "",
            "Growth per step from the two largest runs (the small ones are mostly fixed "
            "costs: JVM start, index creation, preallocated logs): the local exponent b of "
            "n^b (1: linear), and a straight-line extrapolation (the cost per company "
            f"between them) to a national graph of {NATIONAL:,} enterprises, on this "
            "machine's two cores; the parallel parts (the importer, Neo4j's reads, torch) "
            "divide by the cores a large server has, Python's validation and analysis do "
            "not.",
            "",
            "| step | time exponent | memory exponent | time at 50M, linear (h) "
            "| memory at 50M, linear (GiB) |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        for s in steps:
            pts = [(float(p.companies), p.steps[s]) for p in provinces if s in p.steps]
            if len(pts) < 2:
                continue
            (n1, a), (n2, b) = pts[-2], pts[-1]
            lines.append(
                f"| {s} | {_exponent(n1, a['seconds'], n2, b['seconds']):.2f} "
                f"| {_exponent(n1, a['peak'], n2, b['peak']):.2f} "
                f"| {_linear(n1, a['seconds'], n2, b['seconds']) / 3600:.1f} "
                f"| {_linear(n1, a['peak'], n2, b['peak']):,.0f} |"
            )
        p1, p2 = provinces[-2], provinces[-1]
        n1, n2 = float(p1.companies), float(p2.companies)
        lines.append(
            f"| Neo4j store on disk | {_exponent(n1, p1.store_gib, n2, p2.store_gib):.2f} | | "
            f"| {_linear(n1, p1.store_gib, n2, p2.store_gib):,.0f} (disk) |"
        )
    return "\n".join(lines)
