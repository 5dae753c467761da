"""Ingest against the real Neo4j, on bundles built by hand."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import neo4j
import pytest

from riskgraph.errors import RiskgraphError
from riskgraph.graph.gateway import Gateway
from riskgraph.ingest.pipeline import ingest_bundle
from riskgraph.settings import Settings
from tests.ingest.conftest import Ingest, counts, make_resident_id, make_uscc, write_bundle

REPO = Path(__file__).resolve().parents[2]
SMESD = REPO.parent / "shared" / "datasets" / "smesd"


def _companies(n: int) -> list[dict[str, str]]:
    return [
        {"id": make_uscc(i), "uscc": make_uscc(i), "name": f"测试{i}有限公司", "status": "active"}
        for i in range(n)
    ]


def test_one_phone_in_four_spellings_is_one_node(
    tmp_path: Path, ingest: Ingest, driver: neo4j.Driver
) -> None:
    companies = _companies(4)
    spellings = ["13812345678", "+86 138 1234 5678", "86-138-1234-5678", "１３８１２３４５６７８"]
    phones = [{"entity_id": c["id"], "phone": p} for c, p in zip(companies, spellings, strict=True)]
    report = ingest(write_bundle(tmp_path, companies=companies, phones=phones))
    assert report.rejected == 0
    rows = driver.execute_query(
        "MATCH (t:Phone) RETURN t.number AS number, COUNT { (t)<-[:HAS_PHONE]-() } AS degree"
    ).records
    assert [(r["number"], r["degree"]) for r in rows] == [("+8613812345678", 4)]


def _report(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_bad_rows_are_quarantined_and_bad_optional_values_nulled(
    tmp_path: Path, ingest: Ingest, driver: neo4j.Driver
) -> None:
    good = _companies(3)
    bad_uscc = {"id": "X1", "uscc": make_uscc(9)[:-1] + "0", "name": "坏代码有限公司"}
    no_name = {"id": "X2", "name": ""}
    persons = [{"id": "P1", "name": "王伟"}, {"id": "P2", "name": "王伟", "id_number": "123"}]
    holdings = [
        {"holder_id": "P1", "holder_type": "person", "company_id": good[0]["id"], "share": "35%"},
        {"holder_id": "P1", "holder_type": "person", "company_id": good[1]["id"], "share": "135%"},
        {"holder_id": "P1", "holder_type": "robot", "company_id": good[1]["id"]},
        {"holder_id": "P9", "holder_type": "person", "company_id": good[2]["id"], "share": "0.1"},
    ]
    officers = [
        {"person_id": "P2", "company_id": good[0]["id"], "role": "legal_representative"},
        {"person_id": "P1", "company_id": good[1]["id"], "role": "king"},
    ]
    events = [
        {"company_id": good[0]["id"], "date": "2023-05-01", "type": "exposure", "severity": "5"},
        {"company_id": good[0]["id"], "date": "2023-13-45", "type": "penalty"},
        {"company_id": good[1]["id"], "date": "2023-05-02", "type": "penalty", "severity": "9"},
    ]
    directory = write_bundle(
        tmp_path,
        companies=[*good, bad_uscc, no_name],
        persons=persons,
        shareholdings=holdings,
        officers=officers,
        events=events,
    )
    report = ingest(directory)
    by_file = {f.name: f for f in report.files}
    assert (by_file["companies.csv"].loaded, by_file["companies.csv"].rejected) == (4, 1)
    assert (by_file["persons.csv"].loaded, by_file["persons.csv"].rejected) == (2, 0)
    assert (by_file["shareholdings.csv"].loaded, by_file["shareholdings.csv"].rejected) == (2, 2)
    assert (by_file["officers.csv"].loaded, by_file["officers.csv"].rejected) == (1, 1)
    assert (by_file["events.csv"].loaded, by_file["events.csv"].rejected) == (2, 1)

    def rejected(name: str) -> dict[int, str]:
        return {int(r["_line"]): r["_reason"] for r in _report(directory / "_rejected" / name)}

    def warned(name: str) -> dict[int, tuple[str, str]]:
        rows = _report(directory / "_warnings" / name)
        return {int(r["line"]): (r["column"], r["kind"]) for r in rows}

    assert rejected("companies.csv") == {6: "missing_field: name is empty"}  # header: line 1
    assert warned("companies.csv") == {5: ("uscc", "invalid_uscc")}
    assert warned("persons.csv") == {3: ("id_number", "invalid_id_number")}
    holdings_rejected = rejected("shareholdings.csv")
    assert set(holdings_rejected) == {4, 5}
    assert holdings_rejected[4].startswith("unknown_holder_type")
    assert holdings_rejected[5].startswith("dangling_reference: holder_id 'P9'")
    assert warned("shareholdings.csv") == {3: ("share", "share_out_of_range")}
    assert rejected("officers.csv")[3].startswith("unknown_role")
    assert rejected("events.csv")[3].startswith("bad_date")  # an event's date is required
    assert warned("events.csv") == {4: ("severity", "bad_number")}
    assert not (directory / "_rejected" / "links.csv").exists()
    assert not (directory / "_rejected" / "persons.csv").exists()

    shape = counts(driver)
    assert shape["Company"] == 4 and shape["Person"] == 2 and shape["HOLDS"] == 2
    # nothing cascades from a warning: P2's bad ID number still leaves P2 an officer
    assert shape["OFFICER_OF"] == 1
    x1 = driver.execute_query("MATCH (c:Company {id: 'X1'}) RETURN c.uscc AS u, c.name AS n")
    assert (x1.records[0]["u"], x1.records[0]["n"]) == (None, "坏代码有限公司")
    shares = driver.execute_query("MATCH ()-[h:HOLDS]->() RETURN h.share AS s ORDER BY s")
    assert len(shares.records) == 2
    assert sorted(r["s"] for r in shares.records if r["s"] is not None) == [pytest.approx(0.35)]
    severity = driver.execute_query(
        "MATCH (e:Event) RETURN e.severity AS s ORDER BY e.date"
    ).records
    assert [r["s"] for r in severity] == [5, None]


def test_reingest_changes_nothing(tmp_path: Path, ingest: Ingest, driver: neo4j.Driver) -> None:
    companies = _companies(3)
    a, b, c = (x["id"] for x in companies)
    persons = [{"id": "P1", "name": "李娜", "id_number": make_resident_id(1)}]
    holdings = [
        {"holder_id": "P1", "holder_type": "person", "company_id": a, "share": "0.6"},
        # the same holding twice in the source is one holding (keyed by holder and company)
        {"holder_id": a, "holder_type": "company", "company_id": b, "amount": "100000"},
        {"holder_id": a, "holder_type": "company", "company_id": b, "amount": "100000"},
    ]
    links = [{"source_id": a, "target_id": c, "type": "guarantee", "amount": "5000000"}]
    events = [{"company_id": c, "date": "2022-01-01", "type": "litigation"}] * 2
    addresses = [
        {"entity_id": a, "address": "浙江省杭州市西湖区文三路１２３号"},
        {"entity_id": b, "address": "杭州市西湖区文三路123号"},
        {"entity_id": "P1", "address": "温州市鹿城区五马街1号"},
    ]
    directory = write_bundle(
        tmp_path,
        companies=companies,
        persons=persons,
        shareholdings=holdings,
        links=links,
        events=events,
        addresses=addresses,
    )
    first = ingest(directory)
    shape = counts(driver)
    assert first.rejected == 0
    assert shape["HOLDS"] == 2 and shape["GUARANTEE"] == 1
    assert shape["Event"] == 2 and shape["Address"] == 2 and shape["REGISTERED_AT"] == 3
    second = ingest(directory)
    assert counts(driver) == shape
    assert second.loaded == first.loaded


def test_no_resident_id_in_clear_anywhere(
    tmp_path: Path, ingest: Ingest, driver: neo4j.Driver
) -> None:
    numbers = [make_resident_id(i) for i in range(5)]
    persons = [{"id": f"P{i}", "name": "张伟", "id_number": n} for i, n in enumerate(numbers)]
    ingest(write_bundle(tmp_path, persons=persons))
    values = driver.execute_query(
        "MATCH (n) UNWIND keys(n) AS k RETURN collect(toString(n[k])) AS v"
    ).records[0]["v"]
    assert len(values) >= 15
    assert not [v for v in values for n in numbers if n in v or n[:-1] in v]
    hashes = driver.execute_query("MATCH (p:Person) RETURN p.id_hash AS h, p.birth_year AS y")
    assert {len(r["h"]) for r in hashes.records} == {64}
    assert {r["y"] for r in hashes.records} == {1985}


def test_references_may_point_at_the_graph(
    tmp_path: Path, ingest: Ingest, driver: neo4j.Driver
) -> None:
    companies = _companies(2)
    ingest(write_bundle(tmp_path / "first", companies=companies))
    holding = {"holder_id": companies[0]["id"], "holder_type": "company"}
    holding |= {"company_id": companies[1]["id"], "share": "1"}
    report = ingest(write_bundle(tmp_path / "second", shareholdings=[holding]))
    assert report.rejected == 0 and counts(driver)["HOLDS"] == 1


def test_unreadable_bundle_is_one_clear_error(tmp_path: Path, ingest: Ingest) -> None:
    with pytest.raises(RiskgraphError, match="bundle folder not found"):
        ingest(tmp_path / "nowhere")
    write_bundle(tmp_path / "b")
    (tmp_path / "b" / "persons.csv").unlink()
    with pytest.raises(RiskgraphError, match=r"persons.csv: missing"):
        ingest(tmp_path / "b")


@pytest.mark.skipif(
    not SMESD.is_dir(), reason="the shared SMEsD bundle is not beside this checkout"
)
def test_smesd_loads_with_the_published_counts(
    tmp_path: Path, graph: Gateway, neo4j_settings: Settings, driver: neo4j.Driver
) -> None:
    expected = json.loads((SMESD / "truth" / "counts.json").read_text())
    # the shared data set is read-only: reports go elsewhere
    report = ingest_bundle(SMESD, graph, neo4j_settings, reports=tmp_path)
    assert report.rejected == 0
    # one name ends in a DEL character: removed, with a warning, and the person loads
    (warning,) = _report(tmp_path / "_warnings" / "persons.csv")
    assert (warning["column"], warning["kind"]) == ("name", "control_character")
    assert not (SMESD / "_warnings").exists() and not (SMESD / "_rejected").exists()
    shape = counts(driver)
    links = sum(
        shape.get(t, 0) for t in ("BRANCH", "LOAN", "TRADE", "RENT", "CREDITOR", "GUARANTEE")
    )
    assert shape["Company"] == expected["companies"]
    assert shape["Person"] == expected["persons"]
    # a holding is keyed by holder and company (docs/bundle-format.md, "Deltas and
    # history"): the source's 7,767 rows hold 3,118 pairs twice, once without values and
    # once with them, which load as one holding with the values
    with (SMESD / "shareholdings.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    pairs = {(r["holder_type"], r["holder_id"], r["company_id"]) for r in rows}
    valued = {
        (r["holder_type"], r["holder_id"], r["company_id"])
        for r in rows
        if r["share"] or r["amount"]
    }
    assert expected["holdings"] == len(rows) == 7767 and len(pairs) < len(rows)
    assert shape["HOLDS"] == len(pairs)
    unvalued = driver.execute_query(
        "MATCH ()-[r:HOLDS]->() WHERE r.share IS NULL AND r.amount IS NULL RETURN count(r) AS n"
    ).records[0]["n"]
    assert unvalued == len(pairs - valued)  # a pair delivered twice kept its values
    assert shape["OFFICER_OF"] == expected["officers"]
    assert links == expected["links"]
