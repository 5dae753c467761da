"""The closed loop: `riskgraph analyze` raises alerts, re-raising only on new material risk;
analysts move them through their states over the API; confirmed and dismissed ones come
back as labels for the GNN."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import neo4j
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from riskgraph.cli import app
from riskgraph.graph.alerts import (
    alert_labels,
    is_material,
    known_kind,
    raise_alerts,
    reason_kinds,
)
from riskgraph.graph.gateway import Gateway
from riskgraph.risk.scoring import Level
from riskgraph.settings import Settings
from tests.api.conftest import Province, headers


@pytest.fixture
def gateway(api_settings: Settings) -> Iterator[Gateway]:
    with Gateway(api_settings) as graph:
        yield graph


def _alerts(api: TestClient, **params: Any) -> dict[str, Any]:
    response = api.get("/alerts", headers=headers("viewer"), params={"limit": 500, **params})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _patch(api: TestClient, alert: str, role: str = "analyst", **change: Any) -> Any:
    return api.patch(f"/alerts/{alert}", headers=headers(role), json=change)


def test_reason_kinds_ignore_numbers_and_ids() -> None:
    before = [
        "contagion 0.412 from an exposed company, strongest path (2 hops): company A -[x]- b",
        "member of ring R0003 (ring score 0.71: 9 companies, 4 people, none exposed yet)",
        "3 lawsuit(s), 1 complaint(s) in the last 2 years",
    ]
    after = [
        "contagion 0.390 from an exposed company, strongest path (3 hops): company C -[y]- d",
        "member of ring R0001 (ring score 0.74: 10 companies, 4 people, none exposed yet)",
        "5 lawsuit(s) in the last 2 years",
    ]
    assert reason_kinds(after) <= reason_kinds(before)
    last = {"level": "orange", "reasons": before}
    assert not is_material("orange", after, last)
    assert not is_material("yellow", before, last)
    assert is_material("red", before, last)  # the level rose
    exposed_ring = "member of ring R0001 (ring score 0.9: 10 companies, 4 people, 2 exposed)"
    assert is_material("orange", [exposed_ring], last)  # the ring blew up
    assert is_material("orange", ["2 penalty(ies) in the last 2 years"], last)
    assert is_material("orange", [], None)


def test_every_reason_analyze_writes_has_a_known_kind(api: TestClient, province: Province) -> None:
    """Re-alerting compares reason kinds matched on reasons.py's wording: if that wording
    drifts, this fails instead of every company looking new at the next run."""
    flagged = [str(r["company_id"]) for r in province.scored if r["level"] != "none"]
    reasons: set[str] = set()
    for company in flagged[:200]:
        answer = api.get(f"/companies/{company}/risk", headers=headers("viewer"))
        reasons |= set(answer.json()["reasons"])
    assert len(reasons) > 10
    assert [r for r in reasons if not known_kind(r)] == []


def test_analyze_raises_alerts_and_a_rerun_raises_nothing_new(
    api: TestClient, province: Province, gateway: Gateway, server_env: None
) -> None:
    result = CliRunner().invoke(app, ["analyze"])
    assert result.exit_code == 0, result.output
    assert "alerts:" in result.output
    flagged = [r for r in province.scored if r["level"] in ("red", "orange")]
    body = _alerts(api)
    assert body["total"] == len(flagged) > 0
    assert {a["company_id"] for a in body["items"]} == {r["company_id"] for r in flagged}
    assert all(a["state"] == "new" and a["label"] is None for a in body["items"])
    assert raise_alerts(gateway).raised == ()  # same risk, nothing new
    assert _alerts(api)["total"] == len(flagged)


def test_new_material_risk_raises_again(
    api: TestClient, province: Province, gateway: Gateway, driver: neo4j.Driver
) -> None:
    raise_alerts(gateway)
    orange = next(str(r["company_id"]) for r in province.scored if r["level"] == "orange")
    driver.execute_query("MATCH (c:Company {id: $id}) SET c.risk_level = 'red'", id=orange)
    try:
        report = raise_alerts(gateway)
        assert len(report.raised) == 1
        mine = _alerts(api, company_id=orange)["items"]
        assert [a["level"] for a in mine] == ["red", "orange"]  # newest first
        assert raise_alerts(gateway).raised == ()
    finally:
        driver.execute_query("MATCH (c:Company {id: $id}) SET c.risk_level = 'orange'", id=orange)
    assert raise_alerts(gateway, Level.RED).raised == ()


def test_handling_an_alert_feeds_the_labels(api: TestClient, gateway: Gateway) -> None:
    raise_alerts(gateway)
    items = _alerts(api, state="new")["items"]
    first = items[0]
    # a re-alert (new material risk) leaves a company two new alerts: take another company's
    second = next(a for a in items[1:] if a["company_id"] != first["company_id"])
    response = _patch(api, first["id"], state="assigned", note="to 王科长")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["state"] == "assigned" and body["note"] == "to 王科长"
    assert body["updated_by"].startswith("analyst:") and len(body["history"]) == 1
    assert _patch(api, first["id"], state="confirmed").json()["label"] is True
    assert _patch(api, second["id"], role="admin", state="dismissed").json()["label"] is False
    labels = alert_labels(gateway)
    assert labels[first["company_id"]] is True and labels[second["company_id"]] is False
    # disposed after confirmation stays a positive label and is final
    assert _patch(api, first["id"], state="disposed").json()["label"] is True
    response = _patch(api, first["id"], state="new")
    assert response.status_code == 409 and "disposed" in response.json()["detail"]
    assert alert_labels(gateway)[first["company_id"]] is True
    # the note alone can change in any state
    assert _patch(api, first["id"], note="closed").json()["note"] == "closed"
    confirmed = _alerts(api, state="disposed")["items"]
    assert [a["id"] for a in confirmed] == [first["id"]]
    one = api.get(f"/alerts/{second['id']}", headers=headers("viewer")).json()
    assert one["state"] == "dismissed" and one["current_level"] in ("red", "orange")


def test_alert_errors(api: TestClient, gateway: Gateway) -> None:
    raise_alerts(gateway)
    alert = _alerts(api)["items"][0]["id"]
    assert _patch(api, "A-NOPE", state="assigned").status_code == 404
    assert api.get("/alerts/A-NOPE", headers=headers("viewer")).status_code == 404
    assert _patch(api, alert, state="sleeping").status_code == 422
    assert _patch(api, alert).status_code == 422
    assert _patch(api, alert, note="x" * 3000).status_code == 422
    response = api.get("/alerts", headers=headers("viewer"), params={"state": "sleeping"})
    assert response.status_code == 422
