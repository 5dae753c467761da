"""FollowTheMoney streams load into the same graph shape as the equivalent CSV bundle."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import neo4j
from followthemoney import model
from followthemoney.proxy import EntityProxy

from riskgraph.ingest.ftm import convert
from riskgraph.settings import Settings
from tests.ingest.conftest import Ingest, counts, make_resident_id, make_uscc, write_bundle


def _entity(schema: str, key: str, **props: str | list[str]) -> EntityProxy:
    proxy = model.make_entity(schema)
    proxy.make_id(key)
    for prop, values in props.items():
        proxy.add(prop, values)
    return proxy


def _write(path: Path, entities: list[EntityProxy]) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for proxy in entities:
            handle.write(json.dumps(proxy.to_dict(), ensure_ascii=False) + "\n")
    return path


def test_ftm_loads_into_the_csv_shape(
    tmp_path: Path, ingest: Ingest, driver: neo4j.Driver, neo4j_settings: Settings
) -> None:
    a, b = make_uscc(1), make_uscc(2)
    hq = _entity("Address", "hq", full="浙江省杭州市西湖区文三路123号")
    parent = _entity(
        "Company", "a", name="甲投资有限公司", uscCode=a, country="cn",
        phone="+86 138 1234 5678", addressEntity=hq.id or "",
    )  # fmt: skip
    child = _entity("Company", "b", name="乙科技有限公司", registrationNumber=b, country="cn",
                    address="杭州市西湖区文三路１２３号")  # fmt: skip
    person = _entity("Person", "p", name="王伟", idNumber=make_resident_id(7), country="cn",
                     phone="+8613812345678")  # fmt: skip
    owns = _entity("Ownership", "o1", owner=parent.id or "", asset=child.id or "", percentage="60")
    holds = _entity(
        "Ownership", "o2", owner=person.id or "", asset=parent.id or "", percentage="35"
    )
    rep = _entity("Directorship", "d", director=person.id or "", organization=parent.id or "",
                  role="法定代表人")  # fmt: skip
    path = _write(tmp_path / "entities.jsonl", [hq, parent, child, person, owns, holds, rep])

    report = ingest(convert(path, tmp_path / "ftm.bundle", neo4j_settings))
    assert report.rejected == 0
    from_ftm = counts(driver)

    driver.execute_query("MATCH (n) DETACH DELETE n")
    csv_report = ingest(
        write_bundle(
            tmp_path / "csv",
            companies=[{"id": a, "uscc": a, "name": "甲"}, {"id": b, "uscc": b, "name": "乙"}],
            persons=[{"id": "P", "name": "王伟", "id_number": make_resident_id(7)}],
            shareholdings=[
                {"holder_id": a, "holder_type": "company", "company_id": b, "share": "60%"},
                {"holder_id": "P", "holder_type": "person", "company_id": a, "share": "0.35"},
            ],
            officers=[{"person_id": "P", "company_id": a, "role": "legal_representative"}],
            addresses=[
                {"entity_id": a, "address": "浙江省杭州市西湖区文三路123号"},
                {"entity_id": b, "address": "杭州市西湖区文三路123号"},
            ],
            phones=[
                {"entity_id": a, "phone": "13812345678"},
                {"entity_id": "P", "phone": "13812345678"},
            ],
        )
    )
    assert csv_report.rejected == 0
    assert counts(driver) == from_ftm
    assert from_ftm["Phone"] == 1 and from_ftm["Address"] == 1 and from_ftm["HOLDS"] == 2


def test_ftm_rejections_point_at_the_jsonl_line(
    tmp_path: Path, ingest: Ingest, neo4j_settings: Settings
) -> None:
    good = _entity("Company", "a", name="甲有限公司", uscCode=make_uscc(3))
    bad = _entity("Company", "b", name="乙有限公司")
    bad.add("uscCode", make_uscc(4)[:-1] + "0", quiet=True, cleaned=True)
    ghost_owner = _entity("Ownership", "o", owner="nobody", asset=good.id or "", percentage="10")
    path = _write(tmp_path / "e.jsonl", [good, bad, ghost_owner])
    bundle = convert(path, tmp_path / "e.bundle", neo4j_settings)
    report = ingest(bundle)
    assert report.rejected == 1  # the unknown owner; the bad code is a warning, its row loads
    with (bundle / "_rejected" / "shareholdings.csv").open(encoding="utf-8-sig") as handle:
        (row,) = list(csv.DictReader(handle))
    assert row["source_line"] == "3" and "holder_type is empty" in row["_reason"]
    with (bundle / "_warnings" / "companies.csv").open(encoding="utf-8-sig") as handle:
        (warning,) = list(csv.DictReader(handle))
    with (bundle / "companies.csv").open(encoding="utf-8") as handle:
        converted = list(csv.DictReader(handle))
    assert warning["kind"] == "invalid_uscc" and warning["column"] == "uscc"
    assert converted[int(warning["line"]) - 2]["source_line"] == "2"


def test_ftm_end_dates_end_the_relationship(
    tmp_path: Path, ingest: Ingest, driver: neo4j.Driver, neo4j_settings: Settings
) -> None:
    company = _entity("Company", "c", name="丙公司", uscCode=make_uscc(3), country="cn")
    person = _entity("Person", "p", name="赵强", idNumber=make_resident_id(8), country="cn")
    sold = _entity("Ownership", "o", owner=person.id or "", asset=company.id or "",
                   percentage="20", startDate="2019-01-01", endDate="2023-06-30")  # fmt: skip
    left = _entity("Directorship", "d", director=person.id or "", organization=company.id or "",
                   role="董事", startDate="2019-01-01", endDate="2022-12-31")  # fmt: skip
    path = _write(tmp_path / "entities.jsonl", [company, person, sold, left])
    assert ingest(convert(path, tmp_path / "ftm.bundle", neo4j_settings)).rejected == 0
    rows = driver.execute_query(
        "MATCH (:Person)-[r:HOLDS|OFFICER_OF]->(:Company) "
        "RETURN type(r) AS t, toString(r.since) AS since, toString(r.until) AS until ORDER BY t"
    ).records
    assert [(r["t"], r["since"], r["until"]) for r in rows] == [
        ("HOLDS", "2019-01-01", "2023-06-30"),
        ("OFFICER_OF", "2019-01-01", "2022-12-31"),
    ]
