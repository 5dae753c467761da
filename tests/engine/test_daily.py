"""``riskgraph daily`` against the real Neo4j, on a generated province and a generated delta:
the report lists exactly what changed between the run before and this one (levels, alerts,
rings), as JSON and as a workbook; a re-run on an unchanged graph reports nothing; the lock
refuses a second job and loads nothing; ``GET /rings/{id}/history`` serves what each run
found (docs/daily.md).

Every expected answer is computed here from the two runs' analyses, the graph and the Alert
nodes as they stood before the job, never read from the report under test. The province is
loaded and analysed once for the module (``day``); the tests that only read come first, the
one that adds a run comes last.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import neo4j
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from typer.testing import CliRunner, Result

from riskgraph.api.app import create_app
from riskgraph.cli import app as cli_app
from riskgraph.engine.engine import Engine, RunReport
from riskgraph.engine.lock import pipeline_lock
from riskgraph.engine.runs import RunStore
from riskgraph.graph.credentials import id_key_file, id_key_for, password_for
from riskgraph.graph.gateway import Gateway
from riskgraph.ingest.generator import generate
from riskgraph.ingest.pipeline import ingest_bundle
from riskgraph.ingest.synthetic.delta import DeltaReport, generate_delta
from riskgraph.risk.analysis import Analysis
from riskgraph.risk.codes import stored
from riskgraph.settings import Settings, get_settings
from tests.ingest.conftest import counts, write_bundle

pytestmark = pytest.mark.db

KEY = "viewer-key-0123456789abcdef"
T0 = date(2024, 1, 1)  # the province's first delivery (the generator's t0)
ALERTING = ("orange", "red")
RANK = {"none": 0, "yellow": 1, "orange": 2, "red": 3}
SHEETS = ["run", "level_changes", "new_alerts", "rings"]
CHANGE_COLUMNS = ["company_id", "name", "from", "to", "score_from", "score_to"]


# ------------------------------------------------------------------------ reading the truth


def levels_of(analysis: Analysis) -> dict[str, tuple[float, str]]:
    """Company id -> (score as written back, level) of one run's analysis."""
    keys = analysis.snapshot.nodes["Company"].keys
    return {
        str(k): (round(float(s), 2), str(lv))
        for k, s, lv in zip(keys, analysis.score, analysis.level, strict=True)
    }


@dataclass(frozen=True)
class RingState:
    score: float
    companies: frozenset[str]
    persons: frozenset[str]


def rings_of(analysis: Analysis) -> dict[str, RingState]:
    """Ring id -> the ring as one run's analysis found it."""
    companies = analysis.snapshot.nodes["Company"].keys
    persons = analysis.snapshot.nodes["Person"].keys
    return {
        analysis.rings.id_at(i): RingState(
            round(r.score, 4),
            frozenset(str(c) for c in companies[r.companies]),
            frozenset(str(p) for p in persons[r.persons]),
        )
        for i, r in enumerate(analysis.rings.rings)
    }


def graph_rings(driver: neo4j.Driver) -> dict[str, frozenset[str]]:
    """The current rings in the graph: id -> member companies."""
    rows = driver.execute_query(
        "MATCH (r:Ring) OPTIONAL MATCH (c:Company)-[:MEMBER_OF]->(r) "
        "RETURN r.id AS id, collect(c.id) AS members"
    ).records
    return {r["id"]: frozenset(r["members"]) for r in rows}


def graph_companies(driver: neo4j.Driver) -> dict[str, dict[str, Any]]:
    rows = driver.execute_query(
        "MATCH (c:Company) RETURN c.id AS id, c.name AS name, c.risk_score AS score, "
        "c.risk_level AS level, coalesce(c.risk_reasons, []) AS reasons, c.scored_run AS run"
    ).records
    return {r["id"]: dict(r) for r in rows}


def graph_alerts(driver: neo4j.Driver) -> dict[str, dict[str, Any]]:
    rows = driver.execute_query(
        "MATCH (a:Alert) OPTIONAL MATCH (a)-[:ALERT_ON]->(c:Company) "
        "RETURN a.id AS id, a.company_id AS company_id, c.id AS linked, a.level AS level, "
        "a.score AS score, coalesce(a.reasons, []) AS reasons, a.raised_at AS raised_at"
    ).records
    return {r["id"]: dict(r) for r in rows}


def latest_alerts(alerts: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Company id -> its latest alert (by raise time, then id)."""
    latest: dict[str, dict[str, Any]] = {}
    for alert in sorted(alerts.values(), key=lambda a: (a["raised_at"], a["id"])):
        latest[alert["company_id"]] = alert
    return latest


def kinds(reasons: list[str]) -> set[str]:
    return set().union(*(r.kinds() for r in stored(reasons)))


def deserves_alert(level: str, reasons: list[str], last: dict[str, Any] | None) -> bool:
    """docs/daily.md: orange or red, and no alert yet, or a higher level than the latest
    alert's, or a kind of reason the latest alert did not have."""
    if level not in ALERTING:
        return False
    if last is None or RANK[level] > RANK[str(last["level"])]:
        return True
    return bool(kinds(reasons) - kinds(list(last["reasons"])))


def expected_level_changes(
    before: dict[str, tuple[float, str]], after: dict[str, tuple[float, str]]
) -> dict[str, tuple[str | None, str, float | None, float]]:
    out: dict[str, tuple[str | None, str, float | None, float]] = {}
    for ident, (score, level) in after.items():
        old = before.get(ident)
        if old is None:
            if level != "none":
                out[ident] = (None, level, None, score)
        elif old[1] != level:
            out[ident] = (old[1], level, old[0], score)
    return out


# ------------------------------------------------------------------------------- fixtures

NEWCOMER = "NEWCOMER-DAILY-1"  # joins the largest ring through the day's delta


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _append(path: Path, rows: list[dict[str, str]]) -> None:
    """Rows added to one of the delta's files, under its own header."""
    with path.open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    with path.open("a", encoding="utf-8", newline="") as handle:
        csv.DictWriter(handle, fieldnames=header).writerows(
            {c: row.get(c, "") for c in header} for row in rows
        )


def join_the_largest_ring(delta: Path, bundle: Path, rings: dict[str, frozenset[str]]) -> None:
    """Add to the delta a new company filed with the largest ring's phones, address and
    people, so that one ring gains a member (and keeps its id)."""
    members = max(rings.values(), key=len)
    phones = [r for r in _read(bundle / "phones.csv") if r["entity_id"] in members]
    addresses = [r for r in _read(bundle / "addresses.csv") if r["entity_id"] in members]
    officers = [r for r in _read(bundle / "officers.csv") if r["company_id"] in members]
    _append(delta / "companies.csv", [{"id": NEWCOMER, "name": "新来实业有限公司",
            "status": "active", "established": "2024-01-02", "industry": "retail"}])  # fmt: skip
    _append(
        delta / "phones.csv", [{"entity_id": NEWCOMER, "phone": p["phone"]} for p in phones[:2]]
    )
    _append(
        delta / "addresses.csv",
        [{"entity_id": NEWCOMER, "address": a["address"]} for a in addresses[:1]],
    )
    _append(delta / "officers.csv", [{"person_id": o["person_id"], "company_id": NEWCOMER,
            "role": o["role"]} for o in officers[:3]])  # fmt: skip


@dataclass(frozen=True)
class Province:
    bundle: Path
    delta: Path
    report: DeltaReport


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Province:
    bundle = tmp_path_factory.mktemp("daily-province")
    generate(1800, 23, bundle, t0=T0)
    delta = tmp_path_factory.mktemp("daily-delta")
    report = generate_delta(bundle, delta, fraction=0.05, seed=4)
    assert report.counts["new_exposure"] > 0, report.counts  # else no level need move
    return Province(bundle, delta, report)


@dataclass(frozen=True)
class Day:
    """The module's graph after a first run and one ``riskgraph daily`` with the delta."""

    settings: Settings
    graph: Gateway
    driver: neo4j.Driver
    first: RunReport
    first_rings: dict[str, RingState]
    rings_before: dict[str, frozenset[str]]  # in the graph, just before the job
    alerts_before: dict[str, dict[str, Any]]
    result: Result
    report: dict[str, Any]
    xlsx: Path
    daily: Analysis  # the job's run, as saved for serving
    companies_after: dict[str, dict[str, Any]]
    rings_after: dict[str, frozenset[str]]
    alerts_after: dict[str, dict[str, Any]]


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli_app, ["daily", *args], catch_exceptions=False)


@pytest.fixture(scope="module")
def day(
    province: Province, neo4j_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Day]:
    home = tmp_path_factory.mktemp("daily-home")
    settings = neo4j_settings.model_copy(
        update={
            "runs_dir": home / "runs",
            "lock_file": home / "pipeline.lock",
            "gnn_model": home / "none.pt",
            "run_poll_s": 0.2,
            "api_keys": SecretStr(f"viewer:{KEY}"),
            "audit_log": home / "audit.log",
        }
    )
    auth = (settings.neo4j_user, password_for(settings))
    with (
        pytest.MonkeyPatch.context() as env,
        neo4j.GraphDatabase.driver(settings.bolt_uri, auth=auth) as driver,
    ):
        # the CLI reads the environment: the same server, ID key, runs folder, lock, no model
        env.setenv("NEO4J_URI", settings.bolt_uri)
        env.setenv("NEO4J_PASSWORD", password_for(settings))
        id_key_for(settings)
        env.setenv("RISKGRAPH_ID_KEY_FILE", str(id_key_file(settings)))
        env.setenv("RISKGRAPH_RUNS_DIR", str(settings.runs_dir))
        env.setenv("RISKGRAPH_LOCK_FILE", str(settings.lock_file))
        env.setenv("RISKGRAPH_GNN_MODEL", str(settings.gnn_model))
        get_settings.cache_clear()
        driver.execute_query("MATCH (n) DETACH DELETE n")
        try:
            with Gateway(settings) as graph:
                ingest_bundle(province.bundle, graph, settings, delivered=T0)
                first = Engine(graph, settings, gnn=False).run(raise_alerts=True)
                rings_before = graph_rings(driver)
                alerts_before = graph_alerts(driver)
                delta = home / "delta"  # a copy: the job writes _rejected/ and _warnings/ in it
                shutil.copytree(province.delta, delta)
                join_the_largest_ring(delta, province.bundle, rings_before)
                xlsx = home / "daily.xlsx"
                day = province.report.day.isoformat()
                result = invoke(
                    str(delta), "--json", "--date", day, "--no-gnn", "--xlsx", str(xlsx)
                )
                assert result.exit_code == 0, result.output
                report = json.loads(result.stdout)  # stdout is the JSON and nothing else
                saved = RunStore(settings.runs_dir, settings.runs_keep).load(report["run_id"])
                yield Day(
                    settings=settings,
                    graph=graph,
                    driver=driver,
                    first=first,
                    first_rings=rings_of(first.analysis),
                    rings_before=rings_before,
                    alerts_before=alerts_before,
                    result=result,
                    report=report,
                    xlsx=xlsx,
                    daily=saved.analysis,
                    companies_after=graph_companies(driver),
                    rings_after=graph_rings(driver),
                    alerts_after=graph_alerts(driver),
                )
        finally:
            get_settings.cache_clear()


# ---------------------------------------------------------------------------------- tests


def test_the_report_names_this_run_and_the_one_before(day: Day) -> None:
    report = day.report
    assert report["previous_run_id"] == day.first.run_id
    assert report["run_id"] != day.first.run_id
    current = day.driver.execute_query(
        "MATCH (r:Run {current: true}) RETURN r.id AS id, r.previous_id AS previous"
    ).records
    assert [(r["id"], r["previous"]) for r in current] == [(report["run_id"], day.first.run_id)]
    # every company holds the scores the job's run saved; those that changed were written
    # by it, the others keep the first run's tag (a run writes changed companies only)
    after, before = levels_of(day.daily), levels_of(day.first.analysis)
    assert set(after) == set(day.companies_after)
    tags = set()
    for ident, (score, level) in after.items():
        row = day.companies_after[ident]
        assert (row["score"], row["level"]) == (score, level)
        if before.get(ident) != (score, level):
            assert row["run"] == report["run_id"], ident
        tags.add(row["run"])
    assert tags == {report["run_id"], day.first.run_id}


def test_level_changes_are_exactly_the_companies_whose_level_moved(day: Day) -> None:
    expected = expected_level_changes(levels_of(day.first.analysis), levels_of(day.daily))
    listed = day.report["level_changes"]
    assert expected, "the delta moved no level: the test would prove nothing"
    ids = [c["company_id"] for c in listed]
    assert len(ids) == len(set(ids)), "a company listed twice"
    assert set(ids) == set(expected)
    for change in listed:
        ident = change["company_id"]
        assert (change["from"], change["to"], change["score_from"], change["score_to"]) == (
            expected[ident]
        ), ident
        assert change["name"] == day.companies_after[ident]["name"]
        assert change["to"] == day.companies_after[ident]["level"]
    # highest new score first, then by id
    order = sorted(listed, key=lambda c: (-c["score_to"], c["company_id"]))
    assert ids == [c["company_id"] for c in order]
    # the delta's new companies that are flagged are listed as new (from null)
    new_flagged = {i for i, (_, lv) in levels_of(day.daily).items() if lv != "none"} - set(
        levels_of(day.first.analysis)
    )
    assert {c["company_id"] for c in listed if c["from"] is None} == new_flagged


def test_new_alerts_are_exactly_the_new_material_risk(day: Day) -> None:
    created = set(day.alerts_after) - set(day.alerts_before)
    listed = day.report["new_alerts"]
    ids = [a["id"] for a in listed]
    assert len(ids) == len(set(ids)) and set(ids) == created
    assert set(day.alerts_before) <= set(day.alerts_after), "an alert disappeared"
    last = latest_alerts(day.alerts_before)
    now = levels_of(day.daily)
    # which companies deserve an alert, from the levels and reasons now and the last alerts
    deserving = {
        ident
        for ident, row in day.companies_after.items()
        if deserves_alert(now[ident][1], list(row["reasons"]), last.get(ident))
    }
    assert {a["company_id"] for a in listed} == deserving
    for alert in listed:
        ident = alert["company_id"]
        node = day.alerts_after[alert["id"]]
        assert node["linked"] == ident == node["company_id"]
        assert alert["level"] == node["level"] == now[ident][1]
        assert alert["level"] in ALERTING
        assert alert["score"] == node["score"] == now[ident][0]
        assert alert["name"] == day.companies_after[ident]["name"]
        assert alert["raised_at"] == node["raised_at"]
        previous = last.get(ident)
        if previous is not None and previous["level"] == alert["level"]:
            # alerted before at this level: only a new kind of reason justifies another
            assert kinds(alert["reasons"]) - kinds(list(previous["reasons"])), ident
    scores = [a["score"] for a in listed]
    assert scores == sorted(scores, reverse=True)
    # a company alerted by the first run that stays at its level with the same kinds of
    # reasons is not alerted again (the case the rule is for): there must be such companies
    quiet = [
        i
        for i, a in last.items()
        if now.get(i, (0.0, "none"))[1] == a["level"]
        and kinds(list(day.companies_after[i]["reasons"])) <= kinds(list(a["reasons"]))
    ]
    assert quiet, "no alerted company kept its level and reasons: the rule is not exercised"
    assert not {a["company_id"] for a in listed} & set(quiet)


def test_ring_changes_match_the_two_runs_rings(day: Day) -> None:
    before = day.rings_before
    assert before == {i: r.companies for i, r in day.first_rings.items()}
    now = rings_of(day.daily)
    assert day.rings_after == {i: r.companies for i, r in now.items()}
    rings = day.report["rings"]
    new = {r["id"]: r for r in rings["new"]}
    changed = {r["id"]: r for r in rings["changed"]}
    assert len(new) == len(rings["new"]) and len(changed) == len(rings["changed"])
    assert set(new) == set(now) - set(before)
    assert set(changed) == {i for i in set(now) & set(before) if now[i].companies != before[i]}
    assert rings["gone"] == sorted(set(before) - set(now))
    assert changed, "no ring changed: the diff of kept rings is not exercised"
    for ident, ring in (new | changed).items():
        members, was = now[ident].companies, before.get(ident, frozenset())
        assert ring["added"] == sorted(members - was), ident
        assert ring["removed"] == sorted(was - members), ident
        assert ring["companies"] == len(members)
        assert ring["persons"] == len(now[ident].persons)
        assert ring["score"] == pytest.approx(now[ident].score, abs=1e-4)
    # ring ids are kept across runs: most of the first run's rings survive a 5% delta
    assert len(set(now) & set(before)) >= len(before) // 2, (sorted(before), sorted(now))


def test_the_workbook_holds_the_same_rows_as_the_json(day: Day) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.load_workbook(day.xlsx, read_only=True)
    try:
        assert book.sheetnames == SHEETS
        rows = {name: [list(r) for r in book[name].iter_rows(values_only=True)] for name in SHEETS}
    finally:
        book.close()
    report = day.report
    assert rows["run"] == [["run_id", "previous_run_id"], [report["run_id"], day.first.run_id]]
    changes = rows["level_changes"]
    assert changes[0] == CHANGE_COLUMNS
    assert changes[1:] == [[c[k] for k in CHANGE_COLUMNS] for c in report["level_changes"]]
    assert [r[0] for r in rows["new_alerts"][1:]] == [a["id"] for a in report["new_alerts"]]
    kinds_listed = [r[0] for r in rows["rings"][1:]]
    rings = report["rings"]
    assert kinds_listed == (
        ["new"] * len(rings["new"])
        + ["changed"] * len(rings["changed"])
        + ["gone"] * len(rings["gone"])
    )


def test_ring_history_lists_both_runs_with_the_members_that_moved(day: Day) -> None:
    first, daily = day.first_rings, rings_of(day.daily)
    first_id, daily_id = day.first.run_id, day.report["run_id"]
    kept = sorted(set(first) & set(daily))
    assert kept, "no ring kept its id across the two runs"
    headers = {"X-API-Key": KEY}
    with TestClient(create_app(day.settings)) as api:
        for ident in sorted(set(first) | set(daily)):
            answer = api.get(f"/rings/{ident}/history", headers=headers)
            assert answer.status_code == 200, answer.text
            body = answer.json()
            assert body["id"] == ident
            found = [(run, rings[ident]) for run, rings in ((first_id, first), (daily_id, daily))
                     if ident in rings]  # fmt: skip
            assert [r["run_id"] for r in body["runs"]] == [run for run, _ in found]
            companies: frozenset[str] = frozenset()
            persons: frozenset[str] = frozenset()
            for entry, (_, ring) in zip(body["runs"], found, strict=True):
                assert entry["score"] == pytest.approx(ring.score, abs=1e-4)
                assert (entry["companies"], entry["persons"]) == (
                    len(ring.companies),
                    len(ring.persons),
                )
                assert entry["companies_added"] == sorted(ring.companies - companies)
                assert entry["companies_removed"] == sorted(companies - ring.companies)
                assert entry["persons_added"] == sorted(ring.persons - persons)
                assert entry["persons_removed"] == sorted(persons - ring.persons)
                companies, persons = ring.companies, ring.persons
        unknown = api.get("/rings/R999999/history", headers=headers)
        assert unknown.status_code == 404
        assert unknown.headers["content-type"].startswith("application/problem+json")
        assert unknown.json()["status"] == 404
        assert api.get(f"/rings/{kept[0]}/history").status_code == 401  # a key is needed


def test_a_second_job_while_the_lock_is_held_exits_1_and_loads_nothing(
    day: Day, tmp_path: Path
) -> None:
    newcomer = "LOCKED-OUT-1"
    delta = write_bundle(
        tmp_path / "delta",
        companies=[{"id": newcomer, "name": "锁外实业有限公司", "status": "active",
                    "established": "2024-01-02", "industry": "retail"}],
        events=[{"company_id": newcomer, "date": "2024-01-02", "type": "exposure",
                 "severity": "5", "description": "平台暴雷"}],
    )  # fmt: skip
    shape = counts(day.driver)
    current = day.driver.execute_query("MATCH (r:Run {current: true}) RETURN r.id AS id").records
    with pipeline_lock(day.settings.lock_file, "riskgraph analyze"):
        refused = invoke(str(delta), "--json", "--date", "2024-01-02", "--no-gnn")
    assert refused.exit_code == 1, refused.output
    assert refused.stdout == ""  # no report, not even an empty one
    assert "`riskgraph analyze`" in refused.stderr
    assert f"pid {os.getpid()}" in refused.stderr
    assert counts(day.driver) == shape
    assert not day.driver.execute_query("MATCH (c:Company {id: $id}) RETURN c", id=newcomer).records
    again = day.driver.execute_query("MATCH (r:Run {current: true}) RETURN r.id AS id").records
    assert [r["id"] for r in again] == [r["id"] for r in current]
    assert not (delta / "_rejected").exists() and not (delta / "_warnings").exists()


def test_a_rerun_on_an_unchanged_graph_reports_no_change(day: Day) -> None:
    """Last: it adds a run to the module's graph."""
    before = graph_rings(day.driver)
    current = day.driver.execute_query("MATCH (r:Run {current: true}) RETURN r.id AS id").records
    alerts = graph_alerts(day.driver)
    result = invoke("--json", "--no-gnn")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["previous_run_id"] == current[0]["id"]
    assert report["run_id"] != report["previous_run_id"]
    assert report["level_changes"] == []
    assert report["new_alerts"] == []
    assert report["rings"] == {"new": [], "changed": [], "gone": []}
    assert graph_rings(day.driver) == before
    assert graph_alerts(day.driver) == alerts
    # and the levels really are the same run to run (not merely unreported)
    rerun = RunStore(day.settings.runs_dir, day.settings.runs_keep).load(report["run_id"])
    assert {i: lv for i, (_, lv) in levels_of(rerun.analysis).items()} == {
        i: lv for i, (_, lv) in levels_of(day.daily).items()
    }
