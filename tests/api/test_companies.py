"""/companies/{id}: the company file, risk, subgraph (JSON and page) and controllers on the
analysed province; unknown ids 404, bad parameters 422, all as problem details."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from riskgraph.api.models import CompanyRisk
from tests.api.conftest import Province, headers


def _get(api: TestClient, url: str, role: str = "viewer", **params: Any) -> Any:
    response = api.get(url, headers=headers(role), params=params)
    assert response.status_code == 200, response.text
    return response.json()


def _held_company(province: Province, api: TestClient) -> str:
    """A company with shareholders, officers and identifiers."""
    for row in province.scored[:200]:
        body = _get(api, f"/companies/{row['company_id']}")
        if body["shareholders"] and body["people"] and body["identifiers"]:
            return str(row["company_id"])
    raise AssertionError("no company with holders and people")


def test_company_file(api: TestClient, province: Province) -> None:
    company = _held_company(province, api)
    body = _get(api, f"/companies/{company}")
    assert body["company"]["id"] == company and body["company"]["name"]
    assert body["score"]["level"] in {"red", "orange", "yellow", "none"}
    assert 0 <= body["score"]["score"] <= 100
    assert all(p["roles"] for p in body["people"])
    assert {"id", "label", "share"} <= set(body["shareholders"][0])
    for identifier in body["identifiers"]:
        assert identifier["kind"] in {"phone", "address"}
        assert identifier["entities"] >= identifier["companies"] >= 1
    for event in body["events"]:
        assert event["type"] and "date" in event


def test_risk_with_evidence_ring_and_no_gnn_yet(
    api: TestClient, province: Province, top_company: str
) -> None:
    body = _get(api, f"/companies/{top_company}/risk")
    # the route sends its validated, masked body as is: it must still be the documented model
    assert CompanyRisk.model_validate(body).company_id == top_company
    row = next(r for r in province.scored if r["company_id"] == top_company)
    assert body["score"] == row["score"] and body["level"] == row["level"]
    assert set(body["components"]) >= {"contagion", "ring", "events", "structure"}
    assert body["reasons"]
    assert body["evidence"], "a contagion-hit company has evidence paths"
    path = body["evidence"][0]
    assert path["nodes"][-1]["id"] == top_company and 0 < path["contribution"] <= 1
    assert len(path["hops"]) == len(path["nodes"]) - 1
    assert body["gnn"] is None
    ringed = next(r for r in province.scored if r["ring_id"])
    ring = _get(api, f"/companies/{ringed['company_id']}/risk")["ring"]
    assert ring["id"] == ringed["ring_id"] and ring["reasons"]


def test_risk_speaks_the_callers_language_and_names_entities(
    api: TestClient, province: Province, top_company: str
) -> None:
    url = f"/companies/{top_company}/risk"
    zh = api.get(url, headers={**headers("viewer"), "Accept-Language": "zh-CN,zh;q=0.9"}).json()
    en = api.get(url, headers={**headers("viewer"), "Accept-Language": "en-US,en;q=0.8"}).json()
    assert zh["reason_codes"] == en["reason_codes"]  # the same data, worded twice
    assert zh["score"] == en["score"] and zh["level"] == en["level"]
    assert zh["reasons"] != en["reasons"] and len(zh["reasons"]) == len(en["reasons"])
    assert all(re.search(r"[\u4e00-\u9fff]", r) for r in zh["reasons"])
    assert zh["level_name"] in {"红色", "橙色", "黄色", "无"} and en["level_name"] == en["level"]
    contagion = next(r for r in en["reason_codes"] if r["code"] == "contagion")
    seed = contagion["params"]["path"]["seed"]
    assert seed["label"] == "Company" and seed["name"], "reasons name the companies they cite"
    named = f"{seed['name']}（{seed['id']}）"
    assert any(named in r for r in zh["reasons"]) and any(
        f"{seed['name']} ({seed['id']})" in r for r in en["reasons"]
    )
    # evidence paths name their companies too, in the caller's language
    assert any("（" in p["text"] for p in zh["evidence"])
    assert all(
        re.fullmatch(r"[\x00-\x7f\u4e00-\u9fff（）·\-\[\] ]+", p["text"]) for p in en["evidence"]
    )
    # no header: RISKGRAPH_LOCALE's default, zh-CN
    plain = api.get(url, headers=headers("viewer")).json()
    assert plain["reasons"] == zh["reasons"]


def test_subgraph_shape_and_caps(api: TestClient, top_company: str) -> None:
    body = _get(api, f"/companies/{top_company}/subgraph", hops=2, limit=30)
    assert body["center"] == top_company
    ids = {n["id"] for n in body["nodes"]}
    assert top_company in ids and len(body["nodes"]) <= 30 + 10  # evidence always shown
    for node in body["nodes"]:
        assert set(node) >= {"id", "type", "name", "level", "score"}
    for edge in body["edges"]:
        assert edge["source"] in ids and edge["target"] in ids
        assert set(edge) >= {"type", "label", "evidence"}
    assert any(e["evidence"] for e in body["edges"])
    assert body["left_out"] >= 0 and (body["note"] is None) == (body["left_out"] == 0)
    labels = {e["label"] for e in body["edges"]}
    assert any(label.startswith("HOLDS ") and label.endswith("%") for label in labels) or (
        "LEGAL_REP" in labels
    )


def test_subgraph_type_filter(api: TestClient, top_company: str) -> None:
    body = _get(api, f"/companies/{top_company}/subgraph", hops=1, types="OFFICER_OF,HOLDS")
    assert all(e["type"] in {"OFFICER_OF", "HOLDS"} or e["evidence"] for e in body["edges"])


def test_subgraph_page(api: TestClient, top_company: str) -> None:
    response = api.get(f"/companies/{top_company}/subgraph.html", headers=headers("viewer"))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert "<html" in response.text.lower() and top_company in response.text


def test_controllers(api: TestClient, province: Province) -> None:
    company = _held_company(province, api)
    body = _get(api, f"/companies/{company}/controllers", threshold=0.0)
    assert body["company_id"] == company and body["holders"]
    shares = [h["effective_share"] for h in body["holders"]]
    assert shares == sorted(shares, reverse=True)
    assert {h["holder_id"] for h in body["ultimate"]} <= {h["holder_id"] for h in body["holders"]}
    assert all(h["ultimate"] for h in body["ultimate"])


def test_unknown_company_is_404_problem(api: TestClient) -> None:
    for suffix in ("", "/risk", "/subgraph", "/subgraph.html", "/controllers"):
        response = api.get(f"/companies/NOPE-123{suffix}", headers=headers("viewer"))
        assert response.status_code == 404, suffix
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert problem["status"] == 404 and "NOPE-123" in problem["detail"]
        assert {"type", "title", "status", "detail"} <= set(problem)


def test_bad_parameters_are_422_problems(api: TestClient, top_company: str) -> None:
    for params in (
        {"hops": 99},
        {"hops": 0},
        {"types": "NOT_A_TYPE"},
        {"limit": 100000},
        {"limit": "many"},
    ):
        response = api.get(
            f"/companies/{top_company}/subgraph", headers=headers("viewer"), params=params
        )
        assert response.status_code == 422, params
        problem = response.json()
        assert problem["title"] == "Unprocessable Content" and problem["errors"]
    response = api.get(
        f"/companies/{top_company}/subgraph",
        headers=headers("viewer"),
        params={"types": "NOT_A_TYPE"},
    )
    assert "unknown relationship type" in response.json()["detail"]
    response = api.get(
        f"/companies/{top_company}/controllers", headers=headers("viewer"), params={"threshold": 2}
    )
    assert response.status_code == 422
