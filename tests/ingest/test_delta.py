"""Deltas against the real Neo4j: a delta is an ordinary bundle of changed rows. A
relationship is keyed by its endpoints and role or type, so a new value closes the current
edge and opens another (history as closed edges); node rows update attributes and record
what they overwrite; re-delivering the same data changes nothing
(docs/bundle-format.md, "Deltas and history")."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

import neo4j
import pytest

from riskgraph.graph.gateway import Gateway
from riskgraph.ingest.pipeline import IngestReport, ingest_bundle
from riskgraph.settings import Settings
from tests.ingest.conftest import counts, make_resident_id, make_uscc, write_bundle

FIRST = date(2024, 1, 15)  # the first delivery
SECOND = date(2024, 2, 1)  # the delta's

A, B, C = make_uscc(1), make_uscc(2), make_uscc(3)
COMPANIES = [
    {"id": A, "name": "甲公司", "status": "active", "registered_capital": "500万元"},
    {"id": B, "name": "乙公司"},
    {"id": C, "name": "丙公司"},
]
PERSONS = [{"id": "P1", "name": "李娜", "id_number": make_resident_id(1)}]
HOLDING = {"holder_id": "P1", "holder_type": "person", "company_id": A}


class Loader:
    """Ingest bundles into the test graph under a given delivery date."""

    def __init__(self, graph: Gateway, settings: Settings, root: Path) -> None:
        self.graph, self.settings, self.root = graph, settings, root

    def bundle(self, name: str, **files: list[dict[str, str]]) -> Path:
        return write_bundle(self.root / name, **files)

    def __call__(self, directory: Path, delivered: date) -> IngestReport:
        return ingest_bundle(directory, self.graph, self.settings, delivered=delivered)


@pytest.fixture
def load(graph: Gateway, neo4j_settings: Settings, tmp_path: Path) -> Loader:
    return Loader(graph, neo4j_settings, tmp_path)


def state(driver: neo4j.Driver) -> tuple[list[str], list[str]]:
    """Every node and every relationship with all its properties, sorted: equal states
    mean nothing at all changed."""
    nodes = driver.execute_query("MATCH (n) RETURN labels(n) AS l, properties(n) AS p").records
    edges = driver.execute_query(
        "MATCH (a)-[r]->(b) RETURN coalesce(a.id, a.key, a.number) AS a, type(r) AS t, "
        "coalesce(b.id, b.key, b.number) AS b, properties(r) AS p"
    ).records
    return (
        sorted(f"{r['l']} {sorted(r['p'].items())}" for r in nodes),
        sorted(f"{r['a']} {r['t']} {r['b']} {sorted(r['p'].items())}" for r in edges),
    )


def holds(driver: neo4j.Driver, holder: str, company: str) -> list[dict[str, Any]]:
    """The HOLDS edges between two entities, oldest first."""
    rows = driver.execute_query(
        "MATCH ({id: $h})-[r:HOLDS]->(:Company {id: $c}) RETURN properties(r) AS p "
        "ORDER BY coalesce(r.since, date('0001-01-01')), r.until",
        h=holder,
        c=company,
    ).records
    return [_plain(r["p"]) for r in rows]


def _plain(props: dict[str, Any]) -> dict[str, Any]:
    """Neo4j dates as ``datetime.date``, for comparing with literals."""
    return {k: v.to_native() if hasattr(v, "to_native") else v for k, v in props.items()}


def _edges(driver: neo4j.Driver, rel: str) -> list[dict[str, Any]]:
    rows = driver.execute_query(
        f"MATCH (a)-[r:{rel}]->(b) RETURN properties(r) AS p "
        "ORDER BY coalesce(r.since, date('0001-01-01')), r.until"
    ).records
    return [_plain(r["p"]) for r in rows]


def _first(load: Loader, **extra: list[dict[str, str]]) -> Path:
    files: dict[str, list[dict[str, str]]] = {
        "companies": COMPANIES,
        "persons": PERSONS,
        "shareholdings": [HOLDING | {"share": "35%", "since": "2019-03-05"}],
        "officers": [
            {"person_id": "P1", "company_id": A, "role": "legal_representative"},
            {"person_id": "P1", "company_id": B, "role": "director", "since": "2020-05-01"},
        ],
        "links": [{"source_id": A, "target_id": B, "type": "guarantee", "amount": "100万元"}],
        "phones": [{"entity_id": A, "phone": "0571-87654321"}],
        "addresses": [{"entity_id": A, "address": "杭州市西湖区文三路123号"}],
    }
    directory = load.bundle("first", **(files | extra))
    report = load(directory, FIRST)
    assert report.rejected == 0 and report.warned == 0
    return directory


def test_a_changed_share_closes_the_old_holding_and_opens_one(
    load: Loader, driver: neo4j.Driver
) -> None:
    _first(load)
    delta = load.bundle("delta", shareholdings=[HOLDING | {"share": "40%", "since": "2024-01-31"}])
    load(delta, SECOND)
    old, new = holds(driver, "P1", A)
    assert old == {
        "share": pytest.approx(0.35),
        "since": date(2019, 3, 5),
        "until": date(2024, 1, 31),
    }
    assert new == {"share": pytest.approx(0.40), "since": date(2024, 1, 31)}
    current = driver.execute_query(
        "MATCH (:Person {id: 'P1'})-[r:HOLDS]->(:Company {id: $a}) WHERE r.until IS NULL "
        "RETURN r.share AS s",
        a=A,
    ).records
    assert [r["s"] for r in current] == [pytest.approx(0.40)]

    before, shape = state(driver), counts(driver)
    load(delta, SECOND)  # the same delta again
    load(delta, date(2024, 3, 1))  # and again on another day
    assert counts(driver) == shape and state(driver) == before


def test_a_share_changed_without_since_is_closed_at_the_delivery_date(
    load: Loader, driver: neo4j.Driver
) -> None:
    _first(load)
    delta = load.bundle("delta", shareholdings=[HOLDING | {"share": "0.4"}])
    load(delta, SECOND)
    assert holds(driver, "P1", A) == [
        {"share": pytest.approx(0.35), "since": date(2019, 3, 5), "until": SECOND},
        {"share": pytest.approx(0.40), "since": SECOND},
    ]
    before = state(driver)
    load(delta, date(2024, 5, 1))
    assert state(driver) == before


def test_a_full_redelivery_changes_nothing_even_after_a_delta(
    load: Loader, driver: neo4j.Driver
) -> None:
    first = _first(load)
    before, shape = state(driver), counts(driver)
    load(first, SECOND)
    assert counts(driver) == shape and state(driver) == before
    assert "AttributeChange" not in shape

    # a delta, then the old full bundle delivered again: it is already in the history
    load(
        load.bundle("delta", shareholdings=[HOLDING | {"share": "40%", "since": "2024-01-31"}]),
        SECOND,
    )
    after_delta = state(driver)
    load(first, date(2024, 3, 1))
    assert state(driver) == after_delta


def test_a_holding_with_until_in_the_past_is_stored_closed(
    load: Loader, driver: neo4j.Driver
) -> None:
    _first(load)
    ended = {"holder_id": B, "holder_type": "company", "company_id": C, "share": "20%"}
    ended |= {"since": "2018-01-01", "until": "2023-06-30"}
    exited = HOLDING | {"share": "35%", "since": "2019-03-05", "until": "2023-12-31"}
    delta = load.bundle("delta", shareholdings=[ended, exited])
    load(delta, SECOND)
    assert holds(driver, B, C) == [
        {"share": pytest.approx(0.2), "since": date(2018, 1, 1), "until": date(2023, 6, 30)}
    ]
    # the open holding of the same values is closed, not duplicated
    assert holds(driver, "P1", A) == [
        {"share": pytest.approx(0.35), "since": date(2019, 3, 5), "until": date(2023, 12, 31)}
    ]
    before = state(driver)
    load(delta, SECOND)
    assert state(driver) == before


def test_an_officer_row_with_until_closes_the_office(load: Loader, driver: neo4j.Driver) -> None:
    _first(load)
    left = {"person_id": "P1", "company_id": B, "role": "director", "until": "2024-01-20"}
    delta = load.bundle("delta", officers=[left])
    load(delta, SECOND)
    offices = driver.execute_query(
        "MATCH (:Person {id: 'P1'})-[r:OFFICER_OF]->(c:Company) "
        "RETURN c.id AS c, r.role AS role, r.since AS since, r.until AS until ORDER BY c"
    ).records
    got = {(r["c"], r["role"]): (r["since"], r["until"]) for r in offices}
    assert len(offices) == 2
    assert got[(B, "director")] == (neo4j.time.Date(2020, 5, 1), neo4j.time.Date(2024, 1, 20))
    assert got[(A, "legal_representative")] == (None, None)  # another office, untouched
    before = state(driver)
    load(delta, SECOND)
    # the office re-delivered open, as in the first bundle, stays closed
    load(load.bundle("again", officers=[left | {"until": "", "since": "2020-05-01"}]), SECOND)
    assert state(driver) == before


def test_versions_in_one_delivery_are_applied_in_since_order(
    load: Loader, driver: neo4j.Driver
) -> None:
    _first(load)
    rows = [
        HOLDING | {"share": "40%", "since": "2023-01-01"},
        HOLDING | {"share": "30%", "since": "2021-01-01"},
        HOLDING | {"share": "40%", "since": "2023-01-01"},  # an identical row: collapses
    ]
    delta = load.bundle("delta", shareholdings=rows)
    load(delta, SECOND)
    assert holds(driver, "P1", A) == [
        {"share": pytest.approx(0.35), "since": date(2019, 3, 5), "until": date(2021, 1, 1)},
        {"share": pytest.approx(0.30), "since": date(2021, 1, 1), "until": date(2023, 1, 1)},
        {"share": pytest.approx(0.40), "since": date(2023, 1, 1)},
    ]
    before = state(driver)
    load(delta, SECOND)
    assert state(driver) == before


def test_an_older_version_is_added_to_the_history_behind_the_current_one(
    load: Loader, driver: neo4j.Driver
) -> None:
    _first(load)
    load(
        load.bundle("back", shareholdings=[HOLDING | {"share": "10%", "since": "2015-06-01"}]),
        SECOND,
    )
    assert holds(driver, "P1", A) == [
        {"share": pytest.approx(0.10), "since": date(2015, 6, 1), "until": date(2019, 3, 5)},
        {"share": pytest.approx(0.35), "since": date(2019, 3, 5)},
    ]


def test_an_older_version_ends_where_the_next_version_begins_not_at_the_current(
    load: Loader, driver: neo4j.Driver
) -> None:
    _first(load)
    load(
        load.bundle("up", shareholdings=[HOLDING | {"share": "40%", "since": "2024-01-31"}]), SECOND
    )
    # older than both versions: it ends where the 35% began, never overlapping it
    load(
        load.bundle("back", shareholdings=[HOLDING | {"share": "10%", "since": "2015-06-01"}]),
        date(2024, 3, 1),
    )
    assert holds(driver, "P1", A) == [
        {"share": pytest.approx(0.10), "since": date(2015, 6, 1), "until": date(2019, 3, 5)},
        {"share": pytest.approx(0.35), "since": date(2019, 3, 5), "until": date(2024, 1, 31)},
        {"share": pytest.approx(0.40), "since": date(2024, 1, 31)},
    ]


def test_a_holder_back_after_an_exit_starts_on_the_delivery_date(
    load: Loader, driver: neo4j.Driver
) -> None:
    _first(load)
    exit_row = HOLDING | {"until": "2024-01-20"}
    load(load.bundle("exit", shareholdings=[exit_row]), SECOND)
    # back with another share and no since: from the delivery, not since ever
    back = date(2024, 3, 1)
    load(load.bundle("back", shareholdings=[HOLDING | {"share": "5%"}]), back)
    assert holds(driver, "P1", A) == [
        {"share": pytest.approx(0.35), "since": date(2019, 3, 5), "until": date(2024, 1, 20)},
        {"share": pytest.approx(0.05), "since": back},
    ]


def test_a_late_version_between_two_closed_ones_cuts_the_one_it_falls_in(
    load: Loader, driver: neo4j.Driver
) -> None:
    _first(load)
    load(
        load.bundle("up", shareholdings=[HOLDING | {"share": "40%", "since": "2024-01-31"}]), SECOND
    )
    late = load.bundle("late", shareholdings=[HOLDING | {"share": "30%", "since": "2021-01-01"}])
    load(late, date(2024, 3, 1))
    assert holds(driver, "P1", A) == [
        {"share": pytest.approx(0.35), "since": date(2019, 3, 5), "until": date(2021, 1, 1)},
        {"share": pytest.approx(0.30), "since": date(2021, 1, 1), "until": date(2024, 1, 31)},
        {"share": pytest.approx(0.40), "since": date(2024, 1, 31)},
    ]
    before = state(driver)
    load(late, date(2024, 3, 2))  # again: known
    assert state(driver) == before


def test_an_exit_and_a_dated_change_in_one_file_apply_in_date_order(
    load: Loader, driver: neo4j.Driver
) -> None:
    _first(load)
    rows = [HOLDING | {"until": "2024-02-20"}, HOLDING | {"share": "40%", "since": "2024-02-01"}]
    load(load.bundle("delta", shareholdings=rows), date(2024, 3, 1))
    assert holds(driver, "P1", A) == [
        {"share": pytest.approx(0.35), "since": date(2019, 3, 5), "until": date(2024, 2, 1)},
        {"share": pytest.approx(0.40), "since": date(2024, 2, 1), "until": date(2024, 2, 20)},
    ]


def test_an_office_with_a_term_ended_early_is_one_office(
    load: Loader, driver: neo4j.Driver
) -> None:
    term = {"person_id": "P1", "company_id": C, "role": "director", "since": "2021-01-01"}
    _first(load, officers=[term | {"until": "2030-01-01"}])
    resigned = load.bundle("resigned", officers=[{**term, "since": "", "until": "2024-01-20"}])
    load(resigned, SECOND)
    offices = driver.execute_query(
        "MATCH (:Person {id: 'P1'})-[r:OFFICER_OF]->(:Company {id: $c}) "
        "RETURN toString(r.since) AS since, toString(r.until) AS until",
        c=C,
    ).records
    assert [(r["since"], r["until"]) for r in offices] == [("2021-01-01", "2024-01-20")]
    before = state(driver)
    load(resigned, SECOND)
    # the first bundle again (its planned end) does not undo the resignation
    load(load.bundle("again", officers=[term | {"until": "2030-01-01"}]), date(2024, 3, 1))
    assert state(driver) == before


def test_a_tie_amount_change_and_ended_phone_and_address(
    load: Loader, driver: neo4j.Driver
) -> None:
    _first(load)
    delta = load.bundle(
        "delta",
        links=[
            {
                "source_id": A,
                "target_id": B,
                "type": "担保",
                "amount": "200万元",
                "since": "2024-01-10",
            }
        ],
        phones=[{"entity_id": A, "phone": "(0571)87654321", "until": "2024-01-25"}],
        addresses=[
            {"entity_id": A, "address": "浙江省杭州市西湖区文三路１２３号", "until": "2024-01-25"},
            {"entity_id": A, "address": "杭州市滨江区江南大道1号", "since": "2024-01-25"},
        ],
    )
    load(delta, SECOND)
    assert _edges(driver, "GUARANTEE") == [
        {"amount": 1_000_000.0, "until": date(2024, 1, 10)},
        {"amount": 2_000_000.0, "since": date(2024, 1, 10)},
    ]
    assert _edges(driver, "HAS_PHONE") == [{"until": date(2024, 1, 25)}]
    assert sorted(map(str, _edges(driver, "REGISTERED_AT"))) == sorted(
        map(str, [{"until": date(2024, 1, 25)}, {"since": date(2024, 1, 25)}])
    )
    before = state(driver)
    load(delta, SECOND)
    assert state(driver) == before


def test_a_name_change_records_the_old_value(load: Loader, driver: neo4j.Driver) -> None:
    _first(load)
    delta = load.bundle(
        "delta",
        companies=[{"id": A, "name": "甲控股有限公司", "status": "active", "industry": "制造业"}],
        persons=[{"id": "P1", "name": "李娜娜"}],
    )
    load(delta, SECOND)
    company = driver.execute_query("MATCH (c:Company {id: $a}) RETURN c", a=A).records[0]["c"]
    assert company["name"] == "甲控股有限公司" and company["industry"] == "制造业"
    assert company["registered_capital"] == 5_000_000.0  # a missing cell erases nothing
    changes = driver.execute_query(
        "MATCH (x:AttributeChange) RETURN x.entity_id AS id, x.label AS label, x.field AS f, "
        "x.old AS old, x.new AS new, x.date AS d, COUNT { (x)--() } AS links ORDER BY id"
    ).records
    # only overwritten values: the unchanged status and the new industry record nothing
    assert [tuple(r.values()) for r in changes] == [
        (A, "Company", "name", "甲公司", "甲控股有限公司", neo4j.time.Date(2024, 2, 1), 0),
        ("P1", "Person", "name", "李娜", "李娜娜", neo4j.time.Date(2024, 2, 1), 0),
    ]
    before = state(driver)
    load(delta, date(2024, 3, 1))
    assert state(driver) == before


def test_bad_until_is_a_warning_and_the_row_loads(
    load: Loader, driver: neo4j.Driver, tmp_path: Path
) -> None:
    _first(load)
    rows = [
        {"holder_id": B, "holder_type": "company", "company_id": C, "until": "not a date"},
        {"holder_id": A, "holder_type": "company", "company_id": C, "since": "2024-01-01",
         "until": "2023-01-01"},
    ]  # fmt: skip
    delta = load.bundle("delta", shareholdings=rows)
    report = load(delta, SECOND)
    assert report.rejected == 0 and report.warned == 2
    with (delta / "_warnings" / "shareholdings.csv").open(encoding="utf-8-sig") as handle:
        warned = {(r["line"], r["column"], r["kind"]) for r in csv.DictReader(handle)}
    assert warned == {("2", "until", "bad_date"), ("3", "until", "until_before_since")}
    assert holds(driver, B, C) == [{}]
    assert holds(driver, A, C) == [{"since": date(2024, 1, 1)}]
