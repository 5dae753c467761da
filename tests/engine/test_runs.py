"""Runs against the real Neo4j: stable ring ids, one current run published whole, readers
during a write-back, the pipeline lock, API workers following the current run."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2 as httpx
import neo4j
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from typer.testing import CliRunner

from riskgraph.api.app import create_app
from riskgraph.cli import app as cli_app
from riskgraph.engine.daily import run_daily
from riskgraph.engine.engine import Engine
from riskgraph.engine.lock import PipelineBusy, pipeline_lock
from riskgraph.engine.runs import current_run, previous_rings
from riskgraph.graph.credentials import password_for
from riskgraph.graph.gateway import Gateway
from riskgraph.graph.server import free_port
from riskgraph.ingest.generator import generate
from riskgraph.ingest.pipeline import ingest_bundle
from riskgraph.settings import Settings, get_settings
from tests.ingest.conftest import write_bundle

pytestmark = pytest.mark.db

KEY = "viewer-key-0123456789abcdef"


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("runs-province")
    generate(1500, 5, path)
    return path


@pytest.fixture
def loaded(
    bundle: Path, neo4j_settings: Settings, tmp_path: Path
) -> Iterator[tuple[Gateway, Settings]]:
    """The province loaded into an empty graph, with this test's own runs folder."""
    settings = neo4j_settings.model_copy(
        update={
            "runs_dir": tmp_path / "runs",
            "lock_file": tmp_path / "pipeline.lock",
            "gnn_model": tmp_path / "none.pt",
            "run_poll_s": 0.2,
            "api_keys": SecretStr(f"viewer:{KEY}"),
            "audit_log": tmp_path / "audit.log",
        }
    )
    auth = (settings.neo4j_user, password_for(settings))
    with neo4j.GraphDatabase.driver(settings.bolt_uri, auth=auth) as driver:
        driver.execute_query("MATCH (n) DETACH DELETE n")
    with Gateway(settings) as graph:
        ingest_bundle(bundle, graph, settings)
        yield graph, settings


def _rings(graph: Gateway) -> dict[str, frozenset[str]]:
    return dict(previous_rings(graph).members)


def test_an_unchanged_graph_keeps_its_ring_ids_and_memberships(
    loaded: tuple[Gateway, Settings],
) -> None:
    graph, settings = loaded
    first = Engine(graph, settings, gnn=False).run(raise_alerts=False)
    rings_first = _rings(graph)
    assert rings_first, "the province has rings"
    second = Engine(graph, settings, gnn=False).run(raise_alerts=False)
    assert second.run_id != first.run_id and second.previous_run_id == first.run_id
    assert _rings(graph) == rings_first
    current = current_run(graph)
    assert current is not None and current.id == second.run_id
    assert current.artefact is not None and current.artefact.exists()
    rows = graph.read("ring_history", id=sorted(rings_first)[0])
    assert [r["run_id"] for r in rows] == [first.run_id, second.run_id]


def _graph_scores(graph: Gateway) -> dict[str, tuple[Any, ...]]:
    rows = graph.read_raw("export_scores")
    return {str(r["company_id"]): (r["score"], r["level"], r["ring_id"]) for r in rows}


def _state_scores(run: Any) -> dict[str, tuple[Any, ...]]:
    a = run.analysis
    keys = a.snapshot.nodes["Company"].keys
    return {
        str(k): (round(float(a.score[i]), 2), str(a.level[i]),
                 a.rings.id_at(int(a.rings.company_ring[i])) if a.rings.company_ring[i] >= 0
                 else "")
        for i, k in enumerate(keys)
    }  # fmt: skip


def test_a_run_writes_only_changed_companies_and_all_after_a_run_died(
    loaded: tuple[Gateway, Settings], tmp_path: Path
) -> None:
    graph, settings = loaded
    first = Engine(graph, settings, gnn=False).run(raise_alerts=False)
    assert first.written.written == first.written.companies > 0  # no run before: all
    same = Engine(graph, settings, gnn=False).run(raise_alerts=False)
    assert same.written.written == 0  # nothing changed, nothing written
    quiet = next(k for k, v in _state_scores(same).items() if v[1] == "none")
    _expose(graph, settings, quiet, tmp_path / "delta")
    after = Engine(graph, settings, gnn=False).run(raise_alerts=False)
    moved = {k for k, v in _state_scores(after).items() if _state_scores(same)[k] != v}
    assert quiet in moved and 0 < after.written.written < after.written.companies
    assert _graph_scores(graph) == _state_scores(after)  # the graph holds the whole run

    # a run that dies after writing part of its scores: the next one writes every company
    def crash(step: str, done: int, total: int | None) -> None:
        if step == "write back" and done > 0:
            raise RuntimeError("killed")

    dying = Engine(graph, settings, gnn=False, progress=crash)
    analysis = dying.analyze()
    analysis.score[:] = 0.0
    with pytest.raises(RuntimeError, match="killed"):
        dying.write_back(analysis, dying.explain(analysis), "dead-run")
    assert _graph_scores(graph) != _state_scores(after)  # half written
    healed = Engine(graph, settings, gnn=False).run(raise_alerts=False)
    assert healed.written.written == healed.written.companies
    assert _graph_scores(graph) == _state_scores(healed)
    assert graph.read("runs_unfinished") == []  # the dead run is marked abandoned


def _delta(path: Path, **files: list[dict[str, str]]) -> Path:
    return write_bundle(path, **files)


def _read(bundle: Path, name: str) -> list[dict[str, str]]:
    with (bundle / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_a_ring_that_gains_a_member_keeps_its_id(
    loaded: tuple[Gateway, Settings], bundle: Path, tmp_path: Path
) -> None:
    graph, settings = loaded
    Engine(graph, settings, gnn=False).run(raise_alerts=False)
    rings = _rings(graph)
    ident, members = max(rings.items(), key=lambda kv: len(kv[1]))
    # a new company filed with the ring's own phone, address and people
    phones = [r for r in _read(bundle, "phones.csv") if r["entity_id"] in members]
    addresses = [r for r in _read(bundle, "addresses.csv") if r["entity_id"] in members]
    officers = [r for r in _read(bundle, "officers.csv") if r["company_id"] in members]
    newcomer = "NEWCOMER-1"
    _delta(
        tmp_path / "delta",
        companies=[{"id": newcomer, "name": "新来实业有限公司", "status": "active",
                    "established": "2024-01-02", "industry": "retail"}],
        phones=[{"entity_id": newcomer, "phone": p["phone"]} for p in phones[:2]],
        addresses=[{"entity_id": newcomer, "address": a["address"]} for a in addresses[:1]],
        officers=[{"person_id": o["person_id"], "company_id": newcomer, "role": o["role"]}
                  for o in officers[:3]],
    )  # fmt: skip
    ingest_bundle(tmp_path / "delta", graph, settings)
    Engine(graph, settings, gnn=False).run(raise_alerts=False)
    after = _rings(graph)
    assert newcomer in after[ident], (ident, sorted(after))
    assert after[ident] - {newcomer} == members


class Gate:
    """An engine progress callback that holds the run at its write-back until released."""

    def __init__(self) -> None:
        self.reached = threading.Event()
        self.release = threading.Event()

    def __call__(self, step: str, done: int, total: int | None) -> None:
        if step == "write back" and not self.release.is_set():
            self.reached.set()
            assert self.release.wait(120)


def _expose(graph: Gateway, settings: Settings, company: str, folder: Path) -> None:
    _delta(folder, events=[{"company_id": company, "date": "2026-11-30", "type": "exposure",
                            "severity": "5", "description": "平台暴雷"}])  # fmt: skip
    ingest_bundle(folder, graph, settings)


def test_readers_during_a_write_back_see_the_previous_run_whole(
    loaded: tuple[Gateway, Settings],
    tmp_path: Path,
    server_env: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    graph, settings = loaded
    monkeypatch.setenv("RISKGRAPH_LOCK_FILE", str(settings.lock_file))  # the CLI's lock too
    get_settings.cache_clear()
    first = Engine(graph, settings, gnn=False).run(raise_alerts=False)
    quiet = [
        str(k)
        for k, level in zip(
            first.analysis.snapshot.nodes["Company"].keys, first.analysis.level, strict=True
        )
        if level == "none"
    ]
    target = quiet[0]
    _expose(graph, settings, target, tmp_path / "delta")
    with TestClient(create_app(settings)) as api:
        wait_for(lambda: api.get("/ready").json()["run_id"] == first.run_id)
        before_risk = api.get(f"/companies/{target}/risk", headers={"X-API-Key": KEY}).json()
        before_rings = api.get("/rings?limit=500", headers={"X-API-Key": KEY}).json()
        assert before_risk["level"] == "none"
        gate = Gate()
        outcome: dict[str, Any] = {}

        def analyse() -> None:
            with pipeline_lock(settings.lock_file, "riskgraph analyze"):
                outcome["run"] = Engine(graph, settings, gnn=False, progress=gate).run(
                    raise_alerts=False
                )

        worker = threading.Thread(target=analyse)
        worker.start()
        try:
            assert gate.reached.wait(120)
            # mid-analysis: the API still answers from the first run, complete
            during = api.get(f"/companies/{target}/risk", headers={"X-API-Key": KEY}).json()
            assert (during["score"], during["level"]) == (before_risk["score"], "none")
            assert api.get("/rings?limit=500", headers={"X-API-Key": KEY}).json() == before_rings
            assert api.get("/ready").json()["run_id"] == first.run_id
            # and a second ingest is refused while the analysis holds the lock
            refused = CliRunner().invoke(cli_app, ["ingest", str(tmp_path / "delta")])
            assert refused.exit_code == 1
            assert "riskgraph analyze" in refused.output
        finally:
            gate.release.set()
            worker.join(300)
        second = outcome["run"]
        # the API follows the new current run by itself, with no refresh call
        wait_for(lambda: api.get("/ready").json()["run_id"] == second.run_id)
        after = api.get(f"/companies/{target}/risk", headers={"X-API-Key": KEY}).json()
        row = second.analysis.snapshot.nodes["Company"].index[target]
        assert after["level"] == str(second.analysis.level[row]) != "none"


def test_the_lock_refuses_a_second_holder_and_frees_on_exit(tmp_path: Path) -> None:
    path = tmp_path / "pipeline.lock"
    with (
        pipeline_lock(path, "riskgraph analyze"),
        pytest.raises(PipelineBusy, match="riskgraph analyze"),
        pipeline_lock(path, "riskgraph ingest"),
    ):
        pass
    with pipeline_lock(path, "riskgraph ingest"):
        pass


def wait_for(check: Any, seconds: float = 60.0, log: Path | None = None) -> None:
    """Until ``check()`` holds; failing, say what the server (its ``log``) printed."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except (httpx.HTTPError, KeyError):
            pass
        time.sleep(0.2)
    said = log.read_text(errors="replace")[-3000:] if log is not None else ""
    raise AssertionError(f"not within the time allowed\n{said}")


def test_two_api_workers_serve_a_new_run_without_a_refresh_call(
    loaded: tuple[Gateway, Settings], tmp_path: Path
) -> None:
    graph, settings = loaded
    first = Engine(graph, settings, gnn=False).run(raise_alerts=False)
    port = free_port()
    env = {
        **os.environ,
        "NEO4J_URI": settings.bolt_uri,
        "NEO4J_PASSWORD": password_for(settings),
        "RISKGRAPH_RUNS_DIR": str(settings.runs_dir),
        "RISKGRAPH_LOCK_FILE": str(settings.lock_file),
        "RISKGRAPH_GNN_MODEL": str(settings.gnn_model),
        "RISKGRAPH_RUN_POLL_S": "0.5",
        "RISKGRAPH_API_KEYS": f"viewer:{KEY}",
        "RISKGRAPH_AUDIT_LOG": str(tmp_path / "audit.log"),
    }
    command = [sys.executable, "-m", "riskgraph", "serve", "--port", str(port), "--workers", "2"]
    log = tmp_path / "serve.log"
    with log.open("wb") as sink:
        server = subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}/ready"

        def workers_on(run_id: str) -> bool:
            seen: dict[int, str | None] = {}
            for _ in range(40):
                answer = httpx.get(url, timeout=5)
                body = answer.json()
                seen[body["pid"]] = body["run_id"]
            return len(seen) == 2 and set(seen.values()) == {run_id}

        wait_for(lambda: workers_on(first.run_id), 120, log)
        quiet = [
            str(k)
            for k, lv in zip(
                first.analysis.snapshot.nodes["Company"].keys, first.analysis.level, strict=True
            )
            if lv == "none"
        ]
        delta = _delta(tmp_path / "delta", events=[
            {"company_id": quiet[0], "date": "2026-11-30", "type": "exposure", "severity": "5",
             "description": "平台暴雷"}])  # fmt: skip
        second = run_daily(delta, graph, settings, gnn=False)  # `riskgraph daily` DELTA
        wait_for(lambda: workers_on(second.run_id), 60, log)
        risk = httpx.get(
            f"http://127.0.0.1:{port}/companies/{quiet[0]}/risk",
            headers={"X-API-Key": KEY},
            timeout=10,
        ).json()
        assert risk["level"] != "none"
    finally:
        server.terminate()
        server.wait(30)
