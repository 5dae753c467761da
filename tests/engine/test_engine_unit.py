"""The engine's wiring on a hand-built province and a recording gateway: the reasons it
writes back are data with the entities' names, the alerts compare codes. No database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from riskgraph.engine import writeback
from riskgraph.engine.engine import Engine, NothingToAnalyse
from riskgraph.engine.runs import RunScores
from riskgraph.graph.snapshot import snapshot_reads
from riskgraph.risk.codes import Reason, ReasonCode
from riskgraph.settings import Settings
from tests.fakes import RecordingGateway
from tests.risk.tiny import TinyGraph

NAMES = {"X": "温州某某财富管理有限公司", "Y": "温州某某投资有限公司", "front": "王伟"}


def _province() -> TinyGraph:
    """X blew up; its legal representative fronts Y too. Z is unrelated."""
    g = TinyGraph()
    for company in ("X", "Y", "Z"):
        g.company(company, established="2020-01-01")
    g.person("front")
    g.officer("front", "X")
    g.officer("front", "Y")
    g.event("X", "exposure", "2023-12-01")
    return g


def _names(params: dict[str, Any]) -> list[dict[str, Any]]:
    return [{**e, "name": NAMES.get(e["id"])} for e in params["entities"]]


def _settings(tmp_path: Path) -> Settings:
    return Settings(_env_file=None, gnn_model=tmp_path / "none.pt")  # type: ignore[call-arg]


def test_run_writes_named_reasons_as_data_and_raises_alerts(tmp_path: Path) -> None:
    graph = RecordingGateway(
        {
            "entity_names": _names,
            "write_scores": None,
            "run_begin": None,
            "rings_previous": [{"rings": [], "issued": 0}],
            "alert_candidates": [],
        }
    )
    engine = Engine(graph, _settings(tmp_path))
    analysis = engine.analyze(_province().build())
    assert engine.model() is None and "gnn" not in analysis.components
    reasons = engine.explain(analysis)
    written = engine.write_back(analysis, reasons, "run-1")
    assert written.companies == 3
    (scores,) = graph.params_of("write_scores")
    assert scores["run_id"] == "run-1"
    stored = dict(zip(scores["ids"], scores["reasons"], strict=True))
    y = [Reason.from_json(r) for r in stored["Y"]]
    front = next(r for r in y if r.code is ReasonCode.FRONT_OF_EXPOSED)
    assert front.params["person"] == {"label": "Person", "id": "front", "name": "王伟"}
    contagion = next(r for r in y if r.code is ReasonCode.CONTAGION)
    assert contagion.params["path"]["seed"]["name"] == NAMES["X"]
    assert stored["Z"] is None  # not flagged: no reasons stored
    assert json.loads(stored["X"][0]) == {"code": "exposed", "params": {}}
    # the names were looked up once, for the companies and people the reasons cite
    (lookup,) = graph.params_of("entity_names")
    assert {(e["label"], e["id"]) for e in lookup["entities"]} == {
        ("Company", "X"),
        ("Person", "front"),
        ("Company", "Y"),
    }


def test_alerts_are_raised_on_new_codes_only(tmp_path: Path) -> None:
    old = [Reason(ReasonCode.EXPOSED).to_json()]
    graph = RecordingGateway(
        {
            "alert_candidates": [
                {"company_id": "A", "score": 90.0, "level": "red", "reasons": old,
                 "scored_at": "t1", "last": {"level": "red", "reasons": old}},
                {"company_id": "B", "score": 70.0, "level": "orange",
                 "reasons": [Reason(ReasonCode.HIGH_RISK_INDUSTRY, {"industry": "x"}).to_json()],
                 "scored_at": "t1", "last": {"level": "orange", "reasons": old}},
                {"company_id": "C", "score": 65.0, "level": "orange", "reasons": old,
                 "scored_at": "t1", "last": None},
            ],
            "alert_create": None,
        }
    )  # fmt: skip
    report = Engine(graph, _settings(tmp_path)).raise_alerts()
    assert report.candidates == 3 and len(report.raised) == 2
    (created,) = graph.params_of("alert_create")
    assert [r["company_id"] for r in created["rows"]] == ["B", "C"]


def test_an_empty_graph_is_a_clear_error(tmp_path: Path) -> None:
    graph = RecordingGateway({name: [] for name, _ in snapshot_reads(date.today())})
    try:
        Engine(graph, _settings(tmp_path), gnn=False).snapshot()
    except NothingToAnalyse as exc:
        assert "ingest" in str(exc)
    else:
        raise AssertionError("an empty graph was analysed")


def test_a_second_run_writes_only_the_companies_whose_values_changed(tmp_path: Path) -> None:
    columns = {
        "ids": ["A", "B", "C"],
        "score": [10.0, 20.0, 30.0],
        "reasons": [None, ['{"code": "exposed", "params": {}}'], None],
    }
    digests = writeback.row_digests(columns)
    assert len(set(digests.tolist())) == 3
    again = writeback.row_digests({k: list(v) for k, v in columns.items()})
    assert again.tolist() == digests.tolist()  # stable: saved by one run, read by the next
    before = RunScores(np.array(["A", "B", "C"]), np.zeros(3), np.array(["none"] * 3), digests)
    changed = {**columns, "ids": ["A", "B", "C", "D"], "score": [10.0, 21.0, 30.0, 5.0],
               "reasons": [*columns["reasons"], None]}  # fmt: skip
    rows = writeback.changed_rows(changed["ids"], writeback.row_digests(changed), before)
    assert rows is not None and rows.tolist() == [1, 3]  # B changed, D is new
    legacy = RunScores(before.ids, before.score, before.level, None)
    assert writeback.changed_rows(changed["ids"], digests, legacy) is None  # write them all


def test_row_digests_are_the_same_in_another_process_and_see_every_column() -> None:
    """The digests a run saves are compared by the next run's process: no salted hash."""
    columns = {
        "ids": ["A", "B", "C", "D"],
        "score": [10.0, None, 30.0, 30.0],
        "level": ["red", "none", "orange", "orange"],
        "ring_id": [None, None, "R0001", None],
        "reasons": [None, None, ['{"code": "exposed"}'], ['{"code": "exposed"}']],
    }
    here = writeback.row_digests(columns).tolist()
    script = (
        "import json, sys; from riskgraph.engine import writeback; "
        "print(json.dumps(writeback.row_digests(json.loads(sys.argv[1])).tolist()))"
    )
    run = subprocess.run(
        [sys.executable, "-c", script, json.dumps(columns)],
        capture_output=True, text=True, check=True, env={**os.environ, "PYTHONHASHSEED": "random"},
    )  # fmt: skip
    assert json.loads(run.stdout) == here
    assert len(set(here)) == 4  # C and D differ only by their ring
    for name, value in (("level", "red"), ("ring_id", "R0002"), ("score", 30.5)):
        edited = {**columns, name: [*columns[name][:3], value]}
        assert writeback.row_digests(edited).tolist()[:3] == here[:3], name
        assert writeback.row_digests(edited).tolist()[3] != here[3], name
