"""`riskgraph analyze`, `export` and `evaluate` end to end on a generated province in the real
Neo4j: the planted rings and future failures are the answer key."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import neo4j
import pytest
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from riskgraph.cli import app
from riskgraph.graph.gateway import Gateway
from riskgraph.graph.snapshot import build_snapshot
from riskgraph.ingest.generator import generate
from riskgraph.ingest.pipeline import ingest_bundle
from riskgraph.risk.evaluation import read_ring_truth, ring_metrics
from riskgraph.settings import Settings

runner = CliRunner()


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("province")
    generate(3000, 5, out)
    return out


@pytest.fixture
def loaded(province: Path, graph: Gateway, neo4j_settings: Settings, server_env: None) -> Path:
    ingest_bundle(province, graph, neo4j_settings)
    return province


def _csv(path: Path) -> list[dict[str, str]]:
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # utf-8-sig, for Excel
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _xlsx(path: Path) -> list[dict[str, object]]:
    header, *rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    return [dict(zip(map(str, header), row, strict=True)) for row in rows]


def _same_cell(text: str, value: object) -> bool:
    """A CSV field and the xlsx cell of the same value: numbers are number cells there, with
    the 16 significant digits xlsxwriter writes (Excel itself shows 15)."""
    if isinstance(value, bool):
        return text == str(value)
    if isinstance(value, float):
        return math.isclose(float(text), value, rel_tol=1e-15)
    return text == value


def _shape(driver: neo4j.Driver) -> tuple[int, int, list[tuple[str, float, str]]]:
    rings = driver.execute_query("MATCH (r:Ring) RETURN count(r) AS n").records[0]["n"]
    members = driver.execute_query("MATCH ()-[m:MEMBER_OF]->() RETURN count(m) AS n").records
    scores = driver.execute_query(
        "MATCH (c:Company) RETURN c.id AS id, c.risk_score AS s, c.ring_id AS r ORDER BY id"
    ).records
    return rings, members[0]["n"], [(r["id"], r["s"], r["r"]) for r in scores]


def test_analyze_export_evaluate(
    loaded: Path, tmp_path: Path, driver: neo4j.Driver, neo4j_settings: Settings
) -> None:
    result = runner.invoke(app, ["analyze"])
    assert result.exit_code == 0, result.output
    assert "已评分企业" in result.output and "团伙" in result.output  # zh-CN by default

    assert runner.invoke(app, ["export", "scores", "--out", str(tmp_path / "s.csv")]).exit_code == 0
    assert runner.invoke(app, ["export", "rings", "--out", str(tmp_path / "r.csv")]).exit_code == 0
    scores = _csv(tmp_path / "s.csv")
    rings = _csv(tmp_path / "r.csv")
    result = runner.invoke(app, ["export", "scores", "--out", str(tmp_path / "s.xlsx")])
    assert result.exit_code == 0, result.output
    book = _xlsx(tmp_path / "s.xlsx")
    assert len(book) == len(scores) and list(book[0]) == list(scores[0])
    assert isinstance(book[0]["score"], float)
    for text_row, cell_row in zip(scores, book, strict=True):
        differ = {
            k: (text_row[k], v) for k, v in cell_row.items() if not _same_cell(text_row[k], v)
        }
        assert not differ, (text_row["company_id"], differ)
    with Gateway(neo4j_settings) as graph:
        snapshot = build_snapshot(graph)
    assert "Ring" not in snapshot.nodes  # the analysis output stays out of the next snapshot
    companies = snapshot.nodes["Company"]
    assert {r["company_id"] for r in scores} == set(companies.keys.tolist())
    assert {"company_id", "score", "level", "tier", "contagion", "ring_id"} <= set(scores[0])
    exposed = set(companies.keys[snapshot.exposed()].tolist())
    for row in scores:
        score = float(row["score"])
        assert 0.0 <= score <= 100.0
        expected = (
            "red"
            if score >= 80
            else "orange"
            if score >= 60
            else "yellow"
            if score >= 40
            else "none"
        )
        assert row["level"] == expected
        if row["company_id"] in exposed:
            assert score == 100.0 and row["reasons"].startswith("已暴雷")  # worded, zh-CN
    ringed = {r["entity_id"]: r["ring_id"] for r in rings}
    assert {r["company_id"]: r["ring_id"] for r in scores if r["ring_id"]} == {
        k: v for k, v in ringed.items() if k in companies.index
    }

    truth = read_ring_truth(loaded / "truth" / "rings.csv")
    metrics = ring_metrics(ringed, truth)
    assert metrics.members.f1 >= 0.9
    assert metrics.rings.recall == 1.0

    out = tmp_path / "evaluation.md"
    result = runner.invoke(app, ["evaluate", "--truth", str(loaded / "truth"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    for row in ("riskgraph contagion", "GDS recipe", "hop distance", "3,000 companies, seed 5"):
        assert row in page

    # a second run replaces the first: same rings, same members, same scores
    before = _shape(driver)
    assert runner.invoke(app, ["analyze"]).exit_code == 0
    assert _shape(driver) == before


def test_export_before_analyze_says_what_to_do(
    graph: Gateway, server_env: None, tmp_path: Path
) -> None:
    result = runner.invoke(app, ["export", "scores", "--out", str(tmp_path / "s.csv")])
    assert result.exit_code == 1
    assert "run `riskgraph analyze` first" in result.output


def test_evaluate_needs_a_truth_folder(graph: Gateway, server_env: None, tmp_path: Path) -> None:
    result = runner.invoke(app, ["evaluate", "--truth", str(tmp_path)])
    assert result.exit_code == 1
    assert "truth/ folder" in result.output
