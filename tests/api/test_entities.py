"""/entities/{type}/{id}/neighbours (what the web app's "expand" adds) and
/rings/{id}/subgraph (a ring drawn), checked against the graph itself."""

from __future__ import annotations

from typing import Any

import neo4j
import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import Province, headers

BIGGEST_ADDRESS = """
MATCH (a:Address)<-[:REGISTERED_AT]-(x)
WITH a, count(DISTINCT x) AS n ORDER BY n DESC, a.key LIMIT 1
MATCH (a)-[r]-(m)
WHERE (r.since IS NULL OR r.since <= date()) AND (r.until IS NULL OR date() < r.until)
RETURN a.key AS key, collect(DISTINCT coalesce(m.id, m.key, m.number)) AS neighbours
"""


def _get(api: TestClient, url: str, role: str = "viewer", **params: Any) -> Any:
    response = api.get(url, headers=headers(role), params=params)
    assert response.status_code == 200, (url, response.text)
    return response.json()


@pytest.fixture
def hub(province: Province, driver: neo4j.Driver) -> tuple[str, set[str]]:
    """The address most entities are registered at, and every neighbour it has today."""
    row = driver.execute_query(BIGGEST_ADDRESS).records[0]
    return row["key"], set(row["neighbours"])


def test_a_hub_comes_a_page_at_a_time(api: TestClient, hub: tuple[str, set[str]]) -> None:
    key, neighbours = hub
    assert len(neighbours) > 5, "the province has a shared address"
    seen: list[str] = []
    offset = 0
    while True:
        page = _get(api, f"/entities/address/{key}/neighbours", offset=offset, limit=5)
        assert page["center"]["id"] == key and page["center"]["type"] == "Address"
        assert page["total"] == len(neighbours) and page["offset"] == offset
        assert page["more"] == len(neighbours) - offset - len(page["nodes"])
        ids = [n["id"] for n in page["nodes"]]
        seen += ids
        # every node on the page is tied to the centre by an edge drawn with it
        tied = {e["source"] for e in page["edges"]} | {e["target"] for e in page["edges"]}
        assert set(ids) <= tied and all(key in (e["source"], e["target"]) for e in page["edges"])
        if not page["more"]:
            break
        offset += 5
    assert len(seen) == len(set(seen)) and set(seen) == neighbours  # disjoint, all of them


def test_a_company_expands_to_its_people_and_identifiers(api: TestClient, top_company: str) -> None:
    page = _get(api, f"/entities/company/{top_company}/neighbours", limit=200)
    kinds = {n["type"] for n in page["nodes"]}
    assert page["center"]["name"] and page["center"]["level"]
    assert kinds & {"Person", "Company"} and "Alert" not in kinds  # alerts are not the graph's
    holds = [e for e in page["edges"] if e["type"] == "HOLDS"]
    assert all(e["label"].startswith("HOLDS") for e in holds)
    officer = [e for e in page["edges"] if e["type"] == "OFFICER_OF"]
    assert all(e["target"] == top_company for e in officer)  # person -> company


def test_unknown_entities_and_types(api: TestClient) -> None:
    assert (
        api.get("/entities/company/NOPE/neighbours", headers=headers("viewer")).status_code == 404
    )
    assert api.get("/entities/alert/A1/neighbours", headers=headers("viewer")).status_code == 422
    assert api.get("/entities/company/X/neighbours").status_code == 401
    # an address may hold a slash (楼/室): still one id
    response = api.get("/entities/address/5幢/301室/neighbours", headers=headers("viewer"))
    assert response.status_code == 404 and "'5幢/301室'" in response.json()["detail"]
    url = "/entities/company/X/neighbours"
    assert api.get(url, headers=headers("viewer"), params={"limit": 0}).status_code == 422


def test_a_ring_is_drawn_with_what_its_members_share(api: TestClient) -> None:
    ring = _get(api, "/rings", limit=1)["items"][0]["id"]
    detail = _get(api, f"/rings/{ring}")
    drawn = _get(api, f"/rings/{ring}/subgraph")
    ids = {n["id"] for n in drawn["nodes"]}
    assert drawn["center"] == ring
    assert {m["id"] for m in detail["members"]} <= ids
    assert {s["value"] for s in detail["shared"] if s["kind"] != "phone"} <= ids
    # every member is tied to something else drawn
    tied = {e["source"] for e in drawn["edges"]} | {e["target"] for e in drawn["edges"]}
    assert {m["id"] for m in detail["members"]} <= tied
    assert api.get("/rings/R9999/subgraph", headers=headers("viewer")).status_code == 404
