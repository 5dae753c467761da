"""A generated province, exported the way a Chinese registry writes it, loads to the very
graph its English original loads to: Chinese headers and values, GB18030 or xlsx, mixed
date styles, 万元 amounts and percent shares change nothing but the spelling."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import neo4j
import pytest

from riskgraph.graph.schema import NODES
from riskgraph.ingest.generator import generate
from riskgraph.ingest.pipeline import IngestReport
from riskgraph.ingest.synthetic.delta import generate_delta
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


def _key(label: str, props: dict[str, Any]) -> str:
    """A node's key; a label outside the schema (the id key's Meta node) is keyed by what
    it holds, less when it was recorded (which differs between any two loads)."""
    if label in _KEYS:
        return str(props[_KEYS[label]])
    return repr(sorted((k, v) for k, v in props.items() if k != "recorded_at"))


def _nodes(driver: neo4j.Driver) -> set[tuple[str, str]]:
    records = driver.execute_query("MATCH (n) RETURN labels(n) AS labels, properties(n) AS p")
    return {(label, _key(label, r["p"])) for r in records.records for label in r["labels"]}


def _relationships(driver: neo4j.Driver) -> Counter[str]:
    """Every relationship with its ends and properties: roles, shares, amounts and dates
    live here, not on the nodes."""
    records = driver.execute_query(
        "MATCH (a)-[r]->(b) RETURN type(r) AS t, labels(a)[0] AS la, properties(a) AS a, "
        "labels(b)[0] AS lb, properties(b) AS b, properties(r) AS p"
    ).records
    return Counter(
        repr((r["t"], _key(r["la"], r["a"]), _key(r["lb"], r["b"]), sorted(r["p"].items())))
        for r in records
    )


def _companies(driver: neo4j.Driver) -> list[dict[str, Any]]:
    """Every loaded property of every company (the analysis' risk_*/scored_at aside)."""
    records = driver.execute_query("MATCH (c:Company) RETURN properties(c) AS p").records
    loaded = [
        {k: v for k, v in r["p"].items() if not k.startswith(("risk_", "scored_at"))}
        for r in records
    ]
    return sorted(loaded, key=lambda p: p["id"])


def _graph(driver: neo4j.Driver) -> dict[str, Any]:
    return {
        "counts": counts(driver),
        "nodes": _nodes(driver),
        "companies": _companies(driver),
        "relationships": _relationships(driver),
    }


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_registry_export_loads_to_the_graph_of_its_english_original(
    fmt: str, province: Path, exports: dict[str, Path], ingest: Ingest, driver: neo4j.Driver
) -> None:
    english = ingest(province)
    want = _graph(driver)
    driver.execute_query("MATCH (n) DETACH DELETE n")

    chinese = ingest(exports[fmt])
    got = _graph(driver)

    assert [f.source.name for f in chinese.files if f.source] == [
        f"{f.name.removesuffix('.csv')}.{fmt}" for f in english.files
    ]
    assert english.rejected > 0 and english.warned > 0  # the planted traps are in play
    assert _per_file(chinese) == _per_file(english)
    for aspect in want:  # one at a time, for a readable diff
        assert got[aspect] == want[aspect], aspect


def test_a_gb18030_export_is_read_as_gb18030(exports: dict[str, Path], ingest: Ingest) -> None:
    report = ingest(exports["csv"])
    assert {f.name: f.encoding for f in report.files} == {f.name: "gb18030" for f in report.files}
    assert len(report.files) == 8


def _changes(driver: neo4j.Driver) -> Counter[str]:
    """The attribute history, less each record's random id."""
    records = driver.execute_query("MATCH (c:AttributeChange) RETURN properties(c) AS p").records
    return Counter(repr(sorted((k, v) for k, v in r["p"].items() if k != "id")) for r in records)


def test_a_delta_exported_by_a_registry_changes_the_graph_as_its_english_original(
    province: Path, ingest: Ingest, driver: neo4j.Driver, tmp_path: Path
) -> None:
    delta = tmp_path / "delta"
    made = generate_delta(province, delta, 0.05, seed=3)
    assert made.counts["share_change"] and made.counts["holding_exit"]  # history in play
    chinese = to_registry_export(delta, tmp_path / "delta-export")  # GB18030, 退出日期 etc.

    ingest(province)
    ingest(delta)
    want = {**_graph(driver), "changes": _changes(driver)}
    driver.execute_query("MATCH (n) DETACH DELETE n")

    ingest(province)
    report = ingest(chinese)
    got = {**_graph(driver), "changes": _changes(driver)}

    assert report.rejected == 0 and {f.encoding for f in report.files} == {"gb18030"}
    assert want["changes"]  # the delta overwrote attributes
    for aspect in ("counts", "companies", "relationships", "changes"):
        assert got[aspect] == want[aspect], aspect
