"""Reading the graph as of a day, after a first load and a delta (docs/bundle-format.md,
"Deltas and history"). The right answers are known by construction:

    first load (2024-01-15):
      P1 ─35% since 2019-03-05─▶ T
      P2 ─40% 2018-01-01 .. 2023-06-30─▶ T          (an exit already in the past)
      P3 ─legal representative─▶ T                  (undated)
    delta (2024-02-01):
      P1 ─40% since 2024-02-01─▶ T                  (the share changed)
      P3 ─legal representative until 2024-01-20─▶ T (left)
      P4 ─legal representative since 2024-01-20─▶ T (the new one)
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from riskgraph.api.app import create_app
from riskgraph.graph import investigate
from riskgraph.graph.gateway import Gateway
from riskgraph.graph.schema import OfficerRole
from riskgraph.graph.snapshot import ROLES, Snapshot, build_snapshot
from riskgraph.ingest.pipeline import ingest_bundle
from riskgraph.settings import Settings
from tests.ingest.conftest import make_resident_id, make_uscc, write_bundle

T, H = make_uscc(11), make_uscc(12)
KEY = "viewer-key-0123456789abcdef"
BEFORE_CHANGE, CHANGE, TODAY = date(2024, 1, 31), date(2024, 2, 1), date.today()


@pytest.fixture
def history(graph: Gateway, neo4j_settings: Settings, tmp_path: Path) -> Gateway:
    persons = [
        {"id": f"P{i}", "name": name, "id_number": make_resident_id(20 + i)}
        for i, name in enumerate(["王伟", "李娜", "张敏", "刘洋"], start=1)
    ]
    first = write_bundle(
        tmp_path / "first",
        companies=[{"id": T, "name": "目标公司"}, {"id": H, "name": "控股公司"}],
        persons=persons,
        shareholdings=[
            {"holder_id": "P1", "holder_type": "person", "company_id": T, "share": "35%",
             "since": "2019-03-05"},
            {"holder_id": "P2", "holder_type": "person", "company_id": T, "share": "40%",
             "since": "2018-01-01", "until": "2023-06-30"},
        ],
        officers=[{"person_id": "P3", "company_id": T, "role": "legal_representative"}],
    )  # fmt: skip
    delta = write_bundle(
        tmp_path / "delta",
        shareholdings=[
            {"holder_id": "P1", "holder_type": "person", "company_id": T, "share": "40%",
             "since": CHANGE.isoformat()},
        ],
        officers=[
            {"person_id": "P3", "company_id": T, "role": "legal_representative",
             "until": "2024-01-20"},
            {"person_id": "P4", "company_id": T, "role": "legal_representative",
             "since": "2024-01-20"},
        ],
    )  # fmt: skip
    assert ingest_bundle(first, graph, neo4j_settings, delivered=date(2024, 1, 15)).rejected == 0
    assert ingest_bundle(delta, graph, neo4j_settings, delivered=CHANGE).rejected == 0
    return graph


def holders(graph: Gateway, day: date | None) -> dict[str, float]:
    params = investigate.OwnershipParams(id=T, threshold=0.0, as_of=day)
    found = investigate.run(graph, "equity_penetration", params)
    return {h.holder_id: h.effective_share for h in found}  # type: ignore[attr-defined]


def test_equity_penetration_uses_the_shares_in_force_on_the_day(history: Gateway) -> None:
    assert holders(history, BEFORE_CHANGE) == {"P1": pytest.approx(0.35)}
    assert holders(history, CHANGE) == {"P1": pytest.approx(0.40)}
    assert holders(history, None) == {"P1": pytest.approx(0.40)}  # today, never 0.75


def test_a_holding_that_ended_in_the_past_no_longer_counts(history: Gateway) -> None:
    assert holders(history, date(2023, 6, 29)) == {
        "P1": pytest.approx(0.35),
        "P2": pytest.approx(0.40),
    }
    assert "P2" not in holders(history, date(2023, 6, 30))  # `until` is exclusive
    assert "P2" not in holders(history, TODAY)


def _representatives(snap: Snapshot) -> set[str]:
    table = snap.edges[("Person", "OFFICER_OF", "Company")]
    rep = ROLES.index(OfficerRole.LEGAL_REPRESENTATIVE.value)
    persons = snap.nodes["Person"].keys
    target = snap.nodes["Company"].index[T]
    return {
        str(persons[s])
        for s, t, role in zip(table.source, table.target, table.role, strict=True)
        if t == target and role == rep
    }


def test_an_officer_who_left_no_longer_fronts_the_company(history: Gateway) -> None:
    assert _representatives(build_snapshot(history)) == {"P4"}
    assert _representatives(build_snapshot(history, as_of=date(2024, 1, 10))) == {"P3"}
    holding = build_snapshot(history, as_of=BEFORE_CHANGE).edges[("Person", "HOLDS", "Company")]
    assert list(holding.share) == [pytest.approx(0.35)]  # one edge: the share of that day
    today = build_snapshot(history).edges[("Person", "HOLDS", "Company")]
    assert list(today.share) == [pytest.approx(0.40)]


def test_the_api_reads_the_company_as_of_a_day(
    history: Gateway, neo4j_settings: Settings, tmp_path: Path
) -> None:
    settings = neo4j_settings.model_copy(
        update={
            "api_keys": SecretStr(f"viewer:{KEY}"),
            "audit_log": tmp_path / "audit.log",
            "gnn_model": tmp_path / "none.pt",
            "runs_dir": tmp_path / "runs",
        }
    )
    with TestClient(create_app(settings)) as api:
        auth = {"X-API-Key": KEY}

        def controllers(day: str | None) -> dict[str, float]:
            query = "" if day is None else f"?as_of={day}"
            answer = api.get(f"/companies/{T}/controllers{query}", headers=auth)
            assert answer.status_code == 200, answer.text
            return {h["holder_id"]: h["effective_share"] for h in answer.json()["holders"]}

        assert controllers("2024-01-31") == {"P1": pytest.approx(0.35)}
        assert controllers(None) == {"P1": pytest.approx(0.40)}

        def people(day: str | None) -> dict[str, list[str]]:
            query = "" if day is None else f"?as_of={day}"
            answer = api.get(f"/companies/{T}{query}", headers=auth)
            assert answer.status_code == 200, answer.text
            return {p["id"]: p["roles"] for p in answer.json()["people"]}

        assert people(None) == {"P4": ["legal_representative"], "P1": ["shareholder"]}
        assert people("2023-01-01") == {
            "P3": ["legal_representative"],
            "P1": ["shareholder"],
            "P2": ["shareholder"],
        }
        assert api.get(f"/companies/{T}?as_of=yesterday", headers=auth).status_code == 422
