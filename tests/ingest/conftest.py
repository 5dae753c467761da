"""Small bundles written by hand, whose right answer is known by construction."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import neo4j
import pytest
from stdnum.cn import ric, uscc

from riskgraph.graph.gateway import Gateway
from riskgraph.ingest.files import SPECS as FILES
from riskgraph.ingest.pipeline import IngestReport, ingest_bundle
from riskgraph.settings import Settings

COLUMNS = {spec.name: [*spec.required, *spec.optional] for spec in FILES}


def make_uscc(serial: int) -> str:
    base = f"91330106MA2{serial:06d}"
    return base + uscc.calc_check_digit(base)


def make_resident_id(serial: int) -> str:
    base = f"33010619850101{serial % 1000:03d}"
    return base + ric.calc_check_digit(base + "0")  # it reads 18 chars, ignoring the last


def write_bundle(directory: Path, **files: list[dict[str, str]]) -> Path:
    """Write every bundle file (empty ones get just a header); keys are file stems."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, columns in COLUMNS.items():
        rows = files.get(name.removesuffix(".csv"), [])
        with (directory / name).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            for row in rows:
                writer.writerow({c: row.get(c, "") for c in columns})
    return directory


def counts(driver: neo4j.Driver) -> dict[str, int]:
    """Nodes per label and relationships per type: the shape of the graph."""
    labels = driver.execute_query(
        "MATCH (n) UNWIND labels(n) AS label RETURN label, count(*) AS c"
    ).records
    types = driver.execute_query("MATCH ()-[r]->() RETURN type(r) AS t, count(*) AS c").records
    return {r["label"]: r["c"] for r in labels} | {r["t"]: r["c"] for r in types}


Ingest = Callable[[Path], IngestReport]


@pytest.fixture
def ingest(graph: Gateway, neo4j_settings: Settings) -> Ingest:
    return lambda directory: ingest_bundle(directory, graph, neo4j_settings)
