"""The synthetic delta (``generate --delta-of``): checked from the files alone against the
province it changes, then through the real loader against its own truth."""

from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import neo4j
import pytest
from typer.testing import CliRunner

from riskgraph.cli import app
from riskgraph.errors import ConfigError
from riskgraph.graph.gateway import Gateway
from riskgraph.ingest import normalise as norm
from riskgraph.ingest.generator import generate
from riskgraph.ingest.pipeline import ingest_bundle
from riskgraph.ingest.synthetic.delta import HEADERS, KINDS, TRUTH_COLUMNS, generate_delta
from riskgraph.settings import Settings
from tests.ingest.test_delta import state

T0 = date(2024, 1, 1)
DAY = date(2024, 1, 2)  # t0 + 1: the delta's default date
N = 2000


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def header(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle))


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("province")
    generate(N, 11, out, T0)
    return out


@pytest.fixture(scope="module")
def valid(province: Path) -> dict[str, set[str]]:
    """The province's ids that load: planted malformed lines left out."""
    bad = {(r["file"], int(r["line"])) for r in read_csv(province / "truth" / "malformed.csv")}

    def ids(name: str) -> set[str]:
        rows = read_csv(province / name)
        return {r["id"] for i, r in enumerate(rows) if (name, i + 2) not in bad}

    return {"Company": ids("companies.csv"), "Person": ids("persons.csv")}


@pytest.fixture(scope="module")
def delta(province: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("delta")
    generate_delta(province, out, 0.05, seed=5)
    return out


def changes(delta: Path) -> list[dict[str, str]]:
    return read_csv(delta / "truth" / "changes.csv")


def test_same_seed_same_bytes_another_seed_other_changes(
    province: Path, delta: Path, tmp_path: Path
) -> None:
    again = generate_delta(province, tmp_path / "again", 0.05, seed=5)
    files = sorted(p.relative_to(delta) for p in delta.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(again.out) for p in again.out.rglob("*") if p.is_file())
    for name in files:
        assert (delta / name).read_bytes() == (again.out / name).read_bytes(), name
    other = generate_delta(province, tmp_path / "other", 0.05, seed=6)
    assert changes(other.out) != changes(delta)


@pytest.mark.parametrize("fraction", [0.01, 0.05, 0.2])
def test_about_the_fraction_of_companies_is_touched(
    province: Path, valid: dict[str, set[str]], tmp_path: Path, fraction: float
) -> None:
    report = generate_delta(province, tmp_path / "d", fraction, seed=1)
    wanted = fraction * len(valid["Company"])
    touched = {r["company_id"] for r in changes(report.out)}
    assert report.touched == len(touched)
    assert 0.9 * wanted <= len(touched) <= 1.1 * wanted + len(KINDS)
    summary = json.loads((report.out / "truth" / "summary.json").read_text(encoding="utf-8"))
    assert summary["touched_companies"] == len(touched)
    assert summary["parameters"] == {
        "delta_of": str(province),
        "seed": 1,
        "date": "2024-01-02",
        "changes": fraction,
    }
    kinds = Counter(r["kind"] for r in changes(report.out))
    assert summary["counts"] == {k: kinds[k] for k in KINDS} == report.counts


def test_a_tiny_fraction_still_touches_one_company(province: Path, tmp_path: Path) -> None:
    report = generate_delta(province, tmp_path / "d", 1e-9, seed=1)
    assert report.touched == 1


@pytest.mark.parametrize("fraction", [0.01, 0.05])
def test_every_kind_of_change_is_present(province: Path, tmp_path: Path, fraction: float) -> None:
    report = generate_delta(province, tmp_path / "d", fraction, seed=2)
    kinds = Counter(r["kind"] for r in changes(report.out))
    assert set(kinds) == set(KINDS)
    assert report.counts == {k: kinds[k] for k in KINDS}
    assert list(report.counts) == list(KINDS)


def test_files_keep_the_generators_conventions(province: Path, delta: Path) -> None:
    for name, columns in HEADERS.items():
        assert (delta / name).is_file(), name
        generated = header(province / name)
        assert header(delta / name)[: len(generated)] == generated
        assert header(delta / name) == list(columns)
        assert not (delta / name).read_bytes().startswith(b"\xef\xbb\xbf")  # no BOM, as there
    assert "until" in HEADERS["shareholdings.csv"] and "until" in HEADERS["phones.csv"]
    assert header(delta / "truth" / "changes.csv") == list(TRUTH_COLUMNS)


def test_every_row_refers_to_ids_of_the_province_or_the_delta(
    delta: Path, valid: dict[str, set[str]]
) -> None:
    new = {r["id"] for r in read_csv(delta / "companies.csv")} - valid["Company"]
    companies, persons = valid["Company"] | new, valid["Person"]
    assert not valid["Person"] & companies
    refs: list[tuple[str, str]] = []
    for r in read_csv(delta / "shareholdings.csv"):
        holder = "Person" if r["holder_type"] == "person" else "Company"
        refs += [(holder, r["holder_id"]), ("Company", r["company_id"])]
    for r in read_csv(delta / "officers.csv"):
        refs += [("Person", r["person_id"]), ("Company", r["company_id"])]
    refs += [("Company", r["company_id"]) for r in read_csv(delta / "events.csv")]
    for name in ("phones.csv", "addresses.csv"):
        refs += [("Company", r["entity_id"]) for r in read_csv(delta / name)]
    assert refs
    for label, ident in refs:
        assert ident in (companies if label == "Company" else persons), (label, ident)
    for r in changes(delta):
        assert r["company_id"] in companies
        assert r["other_id"] == "" or r["other_id"] in companies | persons
        if r["kind"] == "representative_change":
            assert {r["old"], r["new"]} <= persons
    assert read_csv(delta / "persons.csv") == []  # officers and owners are existing persons


def test_no_resident_id_number_in_the_delta_or_its_truth(province: Path, delta: Path) -> None:
    numbers = {r["id_number"] for r in read_csv(province / "persons.csv") if r["id_number"]}
    assert len(numbers) > 1000
    for path in delta.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            assert not any(n in text for n in numbers), path


def _shares(rows: list[dict[str, str]]) -> dict[str, dict[str, float]]:
    percent = norm.percent_column([r["share"] for r in rows])
    out: dict[str, dict[str, float]] = defaultdict(dict)
    for r in rows:
        try:
            out[r["company_id"]][r["holder_id"]] = norm.parse_share(r["share"], percent)
        except ValueError:
            out[r["company_id"]][r["holder_id"]] = float("nan")
    return out


def test_shares_stay_within_100_percent_where_they_were(province: Path, tmp_path: Path) -> None:
    report = generate_delta(province, tmp_path / "d", 0.3, seed=3)
    before = _shares(read_csv(province / "shareholdings.csv"))
    rows = read_csv(report.out / "shareholdings.csv")
    assert all(0 < norm.parse_share(r["share"]) <= 1 for r in rows)
    after = {c: dict(holders) for c, holders in before.items()}
    for r in rows:
        holders = after.setdefault(r["company_id"], {})
        if r["until"]:
            del holders[r["holder_id"]]
        else:
            holders[r["holder_id"]] = norm.parse_share(r["share"])
    checked = 0
    for company in {r["company_id"] for r in rows}:
        if sum(before.get(company, {}).values()) <= 1 + 1e-9:
            assert sum(after[company].values()) <= 1 + 1e-9, company
            checked += 1
    assert checked > 100


def test_each_truth_row_is_a_row_of_the_delta(delta: Path) -> None:
    files = {name: read_csv(delta / name) for name in HEADERS}
    holds = {(r["holder_id"], r["company_id"]): r for r in files["shareholdings.csv"]}
    offices = {(r["person_id"], r["company_id"], r["role"]): r for r in files["officers.csv"]}
    companies = {r["id"]: r for r in files["companies.csv"]}
    day = DAY.isoformat()
    for t in changes(delta):
        kind, company, other = t["kind"], t["company_id"], t["other_id"]
        assert t["date"] == day
        if kind in ("share_change", "new_shareholder"):
            row = holds[(other, company)]
            assert (row["share"], row["since"], row["until"]) == (t["new"], day, "")
        elif kind == "holding_exit":
            row = holds[(other, company)]
            assert (row["share"], row["until"]) == (t["old"], day)
        elif kind == "office_exit":
            assert offices[(other, company, t["field"])]["until"] == day
        elif kind == "new_officer":
            assert offices[(other, company, t["field"])]["since"] == day
        elif kind == "representative_change":
            assert offices[(t["old"], company, "legal_representative")]["until"] == day
            assert offices[(t["new"], company, "legal_representative")]["since"] == day
        elif kind in ("status_change", "capital_change", "rename", "new_company"):
            assert companies[company][t["field"]] == t["new"]
        elif kind == "new_exposure":
            assert {(r["company_id"], r["date"], r["type"]) for r in files["events.csv"]} >= {
                (company, day, "exposure")
            }
        else:
            name = "phones.csv" if kind == "phone_ended" else "addresses.csv"
            column = t["field"]
            assert {"entity_id": company, column: t["old"], "until": day} in files[name]
    # nothing in the files that the truth does not account for
    assert len(files["events.csv"]) == sum(1 for t in changes(delta) if t["kind"] == "new_exposure")
    attribute = {"status_change", "capital_change", "rename", "new_company"}
    assert len(companies) == sum(1 for t in changes(delta) if t["kind"] in attribute)


def test_new_exposures_land_where_risk_already_is(province: Path, tmp_path: Path) -> None:
    report = generate_delta(province, tmp_path / "d", 0.2, seed=4)
    rings = {r["entity_id"] for r in read_csv(province / "truth" / "rings.csv")}
    future = {r["company_id"] for r in read_csv(province / "truth" / "future_exposures.csv")}
    exposed = {
        r["company_id"] for r in read_csv(province / "events.csv") if r["type"] == "exposure"
    }
    new = [r for r in changes(report.out) if r["kind"] == "new_exposure"]
    assert len(new) >= 15
    assert not {r["company_id"] for r in new} & exposed
    assert all(r["other_id"] in exposed for r in new if r["other_id"])
    near = [r for r in new if r["other_id"] or r["company_id"] in rings | future]
    assert len(near) >= 0.6 * len(new)


def test_the_date_defaults_to_the_day_after_t0_and_can_be_set(
    province: Path, tmp_path: Path
) -> None:
    assert generate_delta(province, tmp_path / "a", 0.01).day == DAY
    report = generate_delta(province, tmp_path / "b", 0.01, day=date(2024, 3, 1))
    assert {r["date"] for r in changes(report.out)} == {"2024-03-01"}


def test_refuses_a_bad_fraction_and_overwriting_the_province(
    province: Path, tmp_path: Path
) -> None:
    for fraction in (0.0, -0.1, 1.5):
        with pytest.raises(ConfigError):
            generate_delta(province, tmp_path / "d", fraction)
    with pytest.raises(ConfigError):
        generate_delta(province, province, 0.01)


def test_the_command_prints_the_changes_per_kind(province: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "cli"
    args = ["generate", "--delta-of", str(province), "--out", str(out), "--seed", "5"]
    result = runner.invoke(app, [*args, "--changes", "0.05", "--date", "2024-02-01"])
    assert result.exit_code == 0, result.output
    for kind in KINDS:
        assert kind in result.output
    assert {r["date"] for r in changes(out)} == {"2024-02-01"}
    refused = runner.invoke(app, [*args, "--changes", "0"])
    assert refused.exit_code == 2


# ---------------------------------------------------------------------------- through Neo4j


def _edges(driver: neo4j.Driver, rel: str, source: str, company: str) -> list[dict[str, Any]]:
    rows = driver.execute_query(
        f"MATCH ({{id: $s}})-[r:{rel}]->(:Company {{id: $c}}) RETURN properties(r) AS p",
        s=source,
        c=company,
    ).records
    native = [{k: (v.to_native() if hasattr(v, "to_native") else v) for k, v in r["p"].items()}
              for r in rows]  # fmt: skip
    return native


def _contact(driver: neo4j.Driver, company: str, t: dict[str, str]) -> list[dict[str, Any]]:
    if t["kind"] == "phone_ended":
        query = "MATCH (:Company {id: $c})-[r:HAS_PHONE]->(:Phone {number: $v}) RETURN r.until AS u"
        value = norm.normalise_phone(t["old"]).number
    else:
        query = (
            "MATCH (:Company {id: $c})-[r:REGISTERED_AT]->(:Address {key: $v}) RETURN r.until AS u"
        )
        value = norm.normalise_addresses([t["old"]])[0].key
    return [r["u"] for r in driver.execute_query(query, c=company, v=value).records]


def test_the_delta_loads_as_its_truth_says_and_reloads_as_a_no_op(
    graph: Gateway, driver: neo4j.Driver, neo4j_settings: Settings, tmp_path: Path
) -> None:
    province = tmp_path / "province"
    generate(1500, 11, province, T0)
    ingest_bundle(province, graph, neo4j_settings, delivered=T0)
    delta = tmp_path / "delta"
    report = generate_delta(province, delta, 0.05, seed=7)
    assert all(report.counts.values())
    loaded = ingest_bundle(delta, graph, neo4j_settings, delivered=report.day)
    assert loaded.rejected == 0 and loaded.warned == 0

    day = report.day
    attributes = 0
    for t in changes(delta):
        kind, company, other = t["kind"], t["company_id"], t["other_id"]
        if kind in ("share_change", "new_shareholder"):
            edges = _edges(driver, "HOLDS", other, company)
            current = [e for e in edges if e.get("until") is None]
            assert len(current) == 1 and current[0]["since"] == day, (t, edges)
            assert current[0]["share"] == pytest.approx(float(t["new"]))
            if kind == "share_change":  # the old share is history, closed that day
                closed = [e for e in edges if e.get("until") == day]
                assert [e["share"] for e in closed] == [pytest.approx(float(t["old"]))], t
        elif kind == "holding_exit":
            edges = _edges(driver, "HOLDS", other, company)
            assert [e.get("until") for e in edges] == [day], (t, edges)
        elif kind in ("office_exit", "new_officer"):
            roles = [
                e for e in _edges(driver, "OFFICER_OF", other, company) if e["role"] == t["field"]
            ]
            period = ("until", day) if kind == "office_exit" else ("since", day)
            assert len(roles) == 1 and roles[0].get(period[0]) == period[1], (t, roles)
            assert (roles[0].get("until") is None) == (kind == "new_officer")
        elif kind == "representative_change":
            old = _edges(driver, "OFFICER_OF", t["old"], company)
            new = _edges(driver, "OFFICER_OF", t["new"], company)
            legal = "legal_representative"
            assert [e.get("until") for e in old if e["role"] == legal] == [day]
            assert [(e.get("since"), e.get("until")) for e in new if e["role"] == legal] == [
                (day, None)
            ]
        elif kind in ("status_change", "capital_change", "rename"):
            attributes += 1
            node = driver.execute_query(
                "MATCH (c:Company {id: $c}) RETURN c[$f] AS value", c=company, f=t["field"]
            ).records[0]["value"]
            recorded = driver.execute_query(
                "MATCH (x:AttributeChange {entity_id: $c, field: $f}) "
                "RETURN x.old AS old, x.new AS new, x.date AS d",
                c=company,
                f=t["field"],
            ).records
            assert len(recorded) == 1, t
            old, new = recorded[0]["old"], recorded[0]["new"]
            if kind == "capital_change":
                assert (old, new, node) == (float(t["old"]), float(t["new"]), float(t["new"]))
            else:
                assert (old, new, node) == (t["old"], t["new"], t["new"])
            assert recorded[0]["d"].to_native() == day
        elif kind == "new_exposure":
            events = driver.execute_query(
                "MATCH (:Company {id: $c})-[:HAS_EVENT]->(e:Event {type: 'exposure'}) "
                "RETURN e.date AS d",
                c=company,
            ).records
            assert day in [r["d"].to_native() for r in events], t
        elif kind == "new_company":
            names = driver.execute_query(
                "MATCH (c:Company {id: $c}) RETURN c.name AS n", c=company
            ).records
            assert [r["n"] for r in names] == [t["new"]]
        else:
            assert _contact(driver, company, t) == [neo4j.time.Date(day.year, day.month, day.day)]
    # the full company rows of the delta record only what the truth changed
    total = driver.execute_query("MATCH (x:AttributeChange) RETURN count(x) AS n").records[0]["n"]
    assert attributes > 0 and total == attributes

    before = state(driver)
    again = ingest_bundle(delta, graph, neo4j_settings, delivered=report.day)
    assert again.rejected == 0
    assert state(driver) == before
