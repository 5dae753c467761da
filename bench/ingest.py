"""Ingest benchmark: generate provinces, load them into fresh embedded Neo4j servers, and
compare the batched loader with a naive one-row-per-transaction load on a sample."""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.report import machine, write_section
from riskgraph.graph.admin_import import run_import
from riskgraph.graph.gateway import Gateway
from riskgraph.graph.migrate import migrate
from riskgraph.graph.server import EmbeddedServer, free_port
from riskgraph.graph.snapshot import Snapshot, build_snapshot
from riskgraph.ingest.generator import generate
from riskgraph.ingest.pipeline import IngestReport, Initial, ingest_bundle
from riskgraph.settings import Settings


@contextmanager
def fresh_graph(
    work: Path, name: str, batch_size: int = 5000, heap: str = "4g", pagecache: str = "2g"
) -> Iterator[tuple[Gateway, Settings]]:
    """An empty, migrated database on its own embedded server, removed afterwards."""
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        neo4j_dir=work / name,
        neo4j_port=free_port(),
        neo4j_heap=heap,
        neo4j_pagecache=pagecache,
        neo4j_uri=None,
        neo4j_password=None,
        ingest_batch_size=batch_size,
    )
    server = EmbeddedServer(settings)
    server.start()
    try:
        with Gateway(settings) as graph:
            migrate(graph)
            yield graph, settings
    finally:
        server.stop()
        shutil.rmtree(settings.neo4j_dir, ignore_errors=True)


def province_snapshot(work: Path, name: str, companies: int, seed: int) -> tuple[Path, Snapshot]:
    """A generated province (``work/name``) and its snapshot, read from a fresh database
    that is removed afterwards: for benches that need the arrays, not the graph."""
    bundle = work / name
    generate(companies, seed, bundle)
    with fresh_graph(work, f"db-{name}") as (graph, settings):
        ingest_bundle(bundle, graph, settings)
        return bundle, build_snapshot(graph)


@dataclass
class Run:
    companies: int
    generate_s: float
    report: IngestReport
    ingest_s: float
    bulk: IngestReport | None = None
    bulk_s: float = 0.0

    @property
    def rows(self) -> int:
        return sum(f.read for f in self.report.files)


def _load(
    bundle: Path, work: Path, name: str, batch_size: int = 5000
) -> tuple[IngestReport, float]:
    with fresh_graph(work, name, batch_size) as (graph, settings):
        started = time.perf_counter()
        report = ingest_bundle(bundle, graph, settings)
        return report, time.perf_counter() - started


def _load_bulk(bundle: Path, work: Path, name: str) -> tuple[IngestReport, float]:
    """A first load through the bulk importer, as `riskgraph ingest` makes it."""
    with fresh_graph(work, name) as (graph, settings):
        server = EmbeddedServer(settings)
        initial = Initial(
            work / f"{name}-import",
            lambda files: run_import(server, files, settings.neo4j_database),
        )
        started = time.perf_counter()
        report = ingest_bundle(bundle, graph, settings, initial=initial)
        return report, time.perf_counter() - started


def run(sizes: tuple[int, ...] = (20_000, 100_000), sample: int = 1_000, seed: int = 1) -> Path:
    work = Path(tempfile.mkdtemp(prefix="riskgraph-bench-"))
    try:
        sample_bundle = work / "sample"
        generate(sample, seed, sample_bundle)
        naive, naive_s = _load(sample_bundle, work, "naive", batch_size=1)
        batched, batched_s = _load(sample_bundle, work, "batched")
        sample_rows = sum(f.read for f in naive.files)

        runs: list[Run] = []
        for size in sizes:
            bundle = work / f"p{size}"
            started = time.perf_counter()
            generate(size, seed, bundle)
            generate_s = time.perf_counter() - started
            report, ingest_s = _load(bundle, work, f"db{size}")
            bulk, bulk_s = _load_bulk(bundle, work, f"bulk{size}")
            assert bulk.rejected == report.rejected and bulk.loaded == report.loaded
            runs.append(Run(size, generate_s, report, ingest_s, bulk, bulk_s))
            shutil.rmtree(bundle, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    lines = [
        "## Ingest",
        "",
        f"Machine: {machine()}; Neo4j 5.26 embedded (heap 4g, page cache 2g), batch 5,000.",
        "Command: `make bench` (`python -m bench ingest`).",
        "",
        "| companies | rows | generate (s) | ingest (s) | rows/s | rejected |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in runs:
        lines.append(
            f"| {r.companies:,} | {r.rows:,} | {r.generate_s:.1f} | {r.ingest_s:.1f} "
            f"| {r.rows / r.ingest_s:,.0f} | {r.report.rejected:,} |"
        )
    biggest = runs[-1]
    lines += [
        "",
        f"Per file, {biggest.companies:,} companies. A file's span runs from the start of its",
        "validation to its last batch written; validation of one file overlaps the writing",
        "of the previous one, so spans overlap and add up to more than the total.",
        "",
        "| file | rows | span (s) |",
        "| --- | ---: | ---: |",
    ]
    for f in biggest.report.files:
        lines.append(f"| {f.name} | {f.read:,} | {f.seconds:.1f} |")
    if len(runs) >= 2:
        a, b = runs[0], runs[-1]
        per_company = (b.ingest_s - a.ingest_s) / (b.companies - a.companies)
        fixed = a.ingest_s - per_company * a.companies
        gen_per = (b.generate_s - a.generate_s) / (b.companies - a.companies)
        projected = fixed + per_company * 650_000
        projected_gen = a.generate_s + gen_per * (650_000 - a.companies)
        lines += [
            "",
            f"Extrapolation to a 650,000-company province (linear fit through the "
            f"{a.companies:,} and {b.companies:,} runs): ingest ≈ {projected / 60:.1f} min "
            f"({per_company * 1000:.2f} s per 1,000 companies), generation ≈ "
            f"{projected_gen / 60:.1f} min.",
        ]
    lines += [
        "",
        "A first load through Neo4j's bulk importer (`riskgraph ingest` into an empty "
        "embedded graph: the same validation and quarantine, then the importer's files, "
        "the import with the server stopped, the schema, the later versions of "
        "relationships by query), against the transactional loader above on the same "
        "bundle. The write phase is what follows validation: the writer thread's busy "
        "time for the transactional loader; the files, the import, the server's restart, "
        "the schema and the later versions for the bulk one.",
        "",
        "| companies | transactional (s) | its write phase (s) | bulk (s) | "
        "its write phase (s) | write phase speed-up | end-to-end speed-up |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in runs:
        assert r.bulk is not None
        lines.append(
            f"| {r.companies:,} | {r.ingest_s:.1f} | {r.report.write_s:.1f} | {r.bulk_s:.1f} "
            f"| {r.bulk.write_s:.1f} | {r.report.write_s / r.bulk.write_s:.1f}x "
            f"| {r.ingest_s / r.bulk_s:.1f}x |"
        )
    lines += [
        "",
        f"Baseline in the same run, a {sample:,}-company sample ({sample_rows:,} rows):",
        "",
        "| loader | seconds | rows/s |",
        "| --- | ---: | ---: |",
        f"| naive, one row per transaction | {naive_s:.1f} | {sample_rows / naive_s:,.0f} |",
        f"| batched UNWIND/MERGE (5,000 rows) | {batched_s:.1f} | {sample_rows / batched_s:,.0f} |",
        "",
        f"Speed-up of the batched loader: {naive_s / batched_s:.1f}x.",
    ]
    assert naive.rejected == batched.rejected
    return write_section("ingest", "\n".join(lines))
