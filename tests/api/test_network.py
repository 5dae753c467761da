"""/paths, /propagate and /rings on the analysed province."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.api.conftest import Province, headers


def _get(api: TestClient, url: str, **params: Any) -> Any:
    response = api.get(url, headers=headers("viewer"), params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_paths_between_two_entities(api: TestClient, top_company: str) -> None:
    person = _get(api, f"/companies/{top_company}")["people"][0]["id"]
    body = _get(api, "/paths", **{"from": person, "to": top_company, "max_hops": 3})
    assert body["from"] == person and body["to"] == top_company
    first = body["paths"][0]
    assert first["shortest"] and first["length"] == 1
    assert [n["id"] for n in first["nodes"]] == [person, top_company]
    assert first["hops"][0]["type"] in {"OFFICER_OF", "HOLDS"}


def test_paths_errors(api: TestClient, top_company: str) -> None:
    response = api.get(
        "/paths", headers=headers("viewer"), params={"from": "NOPE", "to": top_company}
    )
    assert response.status_code == 404 and "NOPE" in response.json()["detail"]
    for params in (
        {"from": top_company, "to": top_company, "max_hops": 9},
        {"from": top_company},
        {"from": top_company, "to": top_company, "types": "NOPE"},
    ):
        response = api.get("/paths", headers=headers("viewer"), params=params)
        assert response.status_code == 422, params


def test_propagate_what_if(api: TestClient, province: Province, top_company: str) -> None:
    seeds = [str(r["company_id"]) for r in province.scored[:3]]
    response = api.post(
        "/propagate", headers=headers("analyst"), json={"seeds": seeds, "top": 10, "paths": 2}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["seeds"] == seeds and body["alpha"] == 0.85 and body["hit"] > 0
    hit = body["companies"]
    assert hit and len(hit) <= 10 and not {c["id"] for c in hit} & set(seeds)
    assert [c["contagion"] for c in hit] == sorted((c["contagion"] for c in hit), reverse=True)
    assert all(0 < c["contagion"] <= 1 and c["paths"] for c in hit)
    assert all(p["seed_id"] in seeds for c in hit for p in c["paths"])
    # the state is in memory now: a what-if costs a solve, not a re-read of the graph
    again = api.post("/propagate", headers=headers("admin"), json={"seeds": seeds, "alpha": 0.5})
    assert again.status_code == 200 and again.json()["took_ms"] < 1000
    assert again.json()["alpha"] == 0.5


def test_propagate_bad_requests(api: TestClient, top_company: str) -> None:
    unknown = api.post("/propagate", headers=headers("analyst"), json={"seeds": ["NOPE"]})
    assert unknown.status_code == 404 and "'NOPE'" in unknown.json()["detail"]
    for body in (
        {"seeds": []},
        {"seeds": [""]},
        {"seeds": [top_company], "alpha": 1.5},
        {"seeds": [top_company], "top": 0},
        {"seeds": [top_company], "surprise": 1},
        {},
    ):
        response = api.post("/propagate", headers=headers("analyst"), json=body)
        assert response.status_code == 422, body
        assert response.headers["content-type"] == "application/problem+json"


def test_rings(api: TestClient) -> None:
    body = _get(api, "/rings", limit=5)
    assert body["total"] >= len(body["items"]) > 0
    scores = [r["score"] for r in body["items"]]
    assert scores == sorted(scores, reverse=True)
    top = body["items"][0]
    detail = _get(api, f"/rings/{top['id']}")
    assert detail["id"] == top["id"] and detail["reasons"] and detail["features"]
    assert len(detail["members"]) == detail["companies"]
    assert detail["shared"] and all(s["members"] >= 2 for s in detail["shared"])
    assert all(s["kind"] in {"phone", "address", "person"} for s in detail["shared"])
    assert _get(api, "/rings", min_score=1.0, limit=5)["total"] <= body["total"]


def test_unknown_ring_is_404(api: TestClient) -> None:
    response = api.get("/rings/R9999", headers=headers("viewer"))
    assert response.status_code == 404 and response.json()["status"] == 404


def test_admin_state(api: TestClient, province: Province) -> None:
    response = api.get("/admin/state", headers=headers("admin"))
    assert response.status_code == 200
    assert response.json()["companies"] == len(province.scored)
    response = api.post("/admin/state/refresh", headers=headers("admin"))
    assert response.status_code == 200 and response.json()["exposed"] > 0
