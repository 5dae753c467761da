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
from riskgraph.engine.alerts import alert_labels, is_material, raise_alerts
from riskgraph.graph.gateway import Gateway
from riskgraph.graph.schema import Level
from riskgraph.risk.codes import Reason, ReasonCode
from riskgraph.settings import Settings, get_settings
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


def _ring(exposed: int, ring: str = "R0003") -> Reason:
    params = {"ring": ring, "score": 0.71, "companies": 9, "persons": 4, "exposed": exposed}
    return Reason(ReasonCode.RING_MEMBER, params)


def test_materiality_compares_codes_not_figures_ids_or_names() -> None:
    path = {"seed": {"label": "Company", "id": "A"}, "hops": [{"type": "LOAN", "entity": {}}]}
    before = [
        Reason(ReasonCode.CONTAGION, {"contagion": 0.412, "path": path}),
        _ring(0),
        Reason(ReasonCode.RECENT_EVENTS, {"counts": {"litigation": 3, "complaint": 1}, "years": 2}),
    ]
    other = {"seed": {"label": "Company", "id": "C", "name": "丙公司"}, "hops": []}
    after = [
        Reason(ReasonCode.CONTAGION, {"contagion": 0.39, "path": other}),
        _ring(0, "R0001"),
        Reason(ReasonCode.RECENT_EVENTS, {"counts": {"litigation": 5}, "years": 2}),
    ]
    last = {"level": "orange", "reasons": [r.to_json() for r in before]}
    assert not is_material("orange", after, last)
    assert not is_material("yellow", before, last)
    assert is_material("red", before, last)  # the level rose
    assert is_material("orange", [_ring(2)], last)  # the ring blew up
    penalty = Reason(ReasonCode.RECENT_EVENTS, {"counts": {"penalty": 2}, "years": 2})
    assert is_material("orange", [penalty], last)  # a new kind of event
    assert is_material("orange", [], None)
    # an alert raised before reason codes (English text): only a higher level re-alerts
    legacy = {"level": "orange", "reasons": ["exposed (暴雷): an exposure event is on record"]}
    assert not is_material("orange", before, legacy)
    assert is_material("red", before, legacy)


def test_analyze_raises_alerts_and_a_rerun_in_another_language_raises_nothing_new(
    api: TestClient,
    province: Province,
    gateway: Gateway,
    server_env: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RISKGRAPH_LOCALE", "zh-CN")
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["analyze"])
    assert result.exit_code == 0, result.output
    assert "预警：新增实质风险预警" in result.output
    flagged = [r for r in province.scored if r["level"] in ("red", "orange")]
    body = _alerts(api)
    assert body["total"] == len(flagged) > 0
    assert {a["company_id"] for a in body["items"]} == {r["company_id"] for r in flagged}
    assert all(a["state"] == "new" and a["label"] is None for a in body["items"])
    assert raise_alerts(gateway).raised == ()  # same risk, nothing new
    # the same analysis read in English: the words change, the stored data and alerts don't
    stored = gateway.read_raw("export_scores")
    monkeypatch.setenv("RISKGRAPH_LOCALE", "en")
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["analyze"])
    assert result.exit_code == 0, result.output
    assert "alerts: 0 raised for new material risk" in result.output
    assert _alerts(api)["total"] == len(flagged)
    again = gateway.read_raw("export_scores")
    assert [r["reasons"] for r in again] == [r["reasons"] for r in stored]


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
    assert body["updated_by"] == "analyst:li.na" and len(body["history"]) == 1  # named key
    assert body["assignee"] == "li.na"  # assigned without a name: to the caller
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


def test_alerts_are_assigned_to_named_users(api: TestClient, gateway: Gateway) -> None:
    raise_alerts(gateway)
    alert = _alerts(api, state="new")["items"][0]["id"]
    response = _patch(api, alert, state="assigned", assignee="张伟")
    assert response.status_code == 200, response.text
    assert response.json()["assignee"] == "张伟"
    assert '"assignee": "张伟"' in response.json()["history"][-1]
    # nobody by that name, or a viewer: refused, nothing changed
    response = _patch(api, alert, assignee="nobody")
    assert response.status_code == 422 and "nobody" in response.json()["detail"]
    assert _patch(api, alert, role="viewer", assignee="li.na").status_code == 403
    assert api.get(f"/alerts/{alert}", headers=headers("viewer")).json()["assignee"] == "张伟"
    # reassigned, then back to new: unassigned
    assert _patch(api, alert, assignee="li.na").json()["assignee"] == "li.na"
    assert _patch(api, alert, state="new").json()["assignee"] is None


def test_naming_an_assignee_assigns_and_a_disposed_alert_stays_put(
    api: TestClient, gateway: Gateway
) -> None:
    raise_alerts(gateway)
    alert = _alerts(api, state="new")["items"][0]["id"]
    body = _patch(api, alert, assignee="张伟").json()
    assert body["state"] == "assigned" and body["assignee"] == "张伟"
    _patch(api, alert, state="confirmed")
    _patch(api, alert, state="disposed")
    response = _patch(api, alert, assignee="li.na")
    assert response.status_code == 409 and "disposed" in response.json()["detail"]
    assert api.get(f"/alerts/{alert}", headers=headers("viewer")).json()["assignee"] == "张伟"
