"""A generated province, exported the way a Chinese registry writes it, loads to the very
graph its English original loads to: Chinese headers and values, GB18030 or xlsx, mixed
date styles, 万元 amounts and percent shares change nothing but the spelling."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import neo4j
import pytest

from riskgraph.graph.schema import NODES
from riskgraph.ingest.generator import generate
from riskgraph.ingest.pipeline import IngestReport
from tests.ingest.conftest import Ingest, counts
from tests.ingest.registry_export import to_registry_export

_KEYS = {node.label: node.key for node in NODES}


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("province")
    generate(1500, 11, out)
    return out


@pytest.fixture(scope="module")
def exports(province: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return {
        fmt: to_registry_export(province, tmp_path_factory.mktemp(f"export-{fmt}"), fmt=fmt)
        for fmt in ("csv", "xlsx")
    }


def _per_file(report: IngestReport) -> dict[str, dict[str, Any]]:
    return {
        f.name: {
            "read": f.read,
            "loaded": f.loaded,
            "rejected": f.rejected,
            "reasons": dict(f.reasons),
            "warnings": dict(f.warnings),
            "merged": f.merged,
        }
        for f in report.files
    }


def _nodes(driver: neo4j.Driver) -> set[tuple[str, str]]:
    """(label, key) of every node; a label outside the schema is keyed by all it holds."""
    records = driver.execute_query("MATCH (n) RETURN labels(n) AS labels, properties(n) AS p")
    return {
        (label, str(r["p"][_KEYS[label]]) if label in _KEYS else repr(sorted(r["p"].items())))
        for r in records.records
        for label in r["labels"]
    }


def _companies(driver: neo4j.Driver) -> list[dict[str, Any]]:
    """Every loaded property of every company (the analysis' risk_*/scored_at aside)."""
    records = driver.execute_query("MATCH (c:Company) RETURN properties(c) AS p").records
    loaded = [
        {k: v for k, v in r["p"].items() if not k.startswith(("risk_", "scored_at"))}
        for r in records
    ]
    return sorted(loaded, key=lambda p: p["id"])


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_registry_export_loads_to_the_graph_of_its_english_original(
    fmt: str, province: Path, exports: dict[str, Path], ingest: Ingest, driver: neo4j.Driver
) -> None:
    english = ingest(province)
    want = (counts(driver), _nodes(driver), _companies(driver))
    driver.execute_query("MATCH (n) DETACH DELETE n")

    chinese = ingest(exports[fmt])
    got = (counts(driver), _nodes(driver), _companies(driver))

    assert [f.source.name for f in chinese.files if f.source] == [
        f"{f.name.removesuffix('.csv')}.{fmt}" for f in english.files
    ]
    assert _per_file(chinese) == _per_file(english)
    assert english.rejected > 0 and english.warned > 0  # the planted traps still bite
    assert got[0] == want[0]
    assert got[1] == want[1]
    assert got[2] == want[2]


def test_a_gb18030_export_is_read_as_gb18030(
    exports: dict[str, Path], ingest: Ingest
) -> None:
    report = ingest(exports["csv"])
    assert {f.name: f.encoding for f in report.files} == {
        f.name: "gb18030" for f in report.files
    }
    assert len(report.files) == 8
