"""Keys, roles and the audit log: no key or an unknown one is 401, too weak a role 403,
nothing is open without configured keys, and every request leaves a JSON line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from riskgraph.api.app import create_app
from riskgraph.api.security import KeyRing, Role, parse_keys
from riskgraph.errors import ConfigError
from riskgraph.settings import Settings
from tests.api.conftest import KEYS, audited, headers


def test_no_key_or_an_unknown_key_is_401(api: TestClient, top_company: str) -> None:
    for sent in ({}, {"X-API-Key": "not-a-configured-key-at-all"}, {"X-API-Key": ""}):
        response = api.get(f"/companies/{top_company}", headers=sent)
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["www-authenticate"].startswith("ApiKey")
        assert "X-API-Key" in response.json()["detail"] or "unknown" in response.json()["detail"]


def test_viewers_may_not_run_what_ifs_or_handle_alerts(api: TestClient, top_company: str) -> None:
    response = api.post("/propagate", headers=headers("viewer"), json={"seeds": [top_company]})
    assert response.status_code == 403
    assert "analyst" in response.json()["detail"]
    response = api.patch("/alerts/A123", headers=headers("viewer"), json={"state": "assigned"})
    assert response.status_code == 403
    response = api.post("/admin/state/refresh", headers=headers("analyst"))
    assert response.status_code == 403


def test_without_configured_keys_everything_is_refused(
    neo4j_settings: Settings, tmp_path: Path
) -> None:
    settings = neo4j_settings.model_copy(
        update={"api_keys": None, "audit_log": tmp_path / "audit.log"}
    )
    with TestClient(create_app(settings)) as client:
        for url in ("/companies/X", "/rings", "/alerts", "/paths?from=a&to=b"):
            response = client.get(url, headers=headers("admin"))
            assert response.status_code == 401
            assert "RISKGRAPH_API_KEYS" in response.json()["detail"]
        assert client.get("/openapi.json").status_code == 200  # the docs stay readable


def test_key_parsing() -> None:
    ring = parse_keys("viewer:aaaaaaaaaaaaaaaa, admin:bbbbbbbbbbbbbbbb")
    viewer = ring.identify("aaaaaaaaaaaaaaaa")
    assert viewer is not None and viewer.role is Role.VIEWER
    assert "aaaa" not in viewer.who
    assert ring.identify("bbbbbbbbbbbbbbbb") is not None
    assert ring.identify("cccccccccccccccc") is None and ring.identify(None) is None
    assert parse_keys(None) == KeyRing(()) and parse_keys("").empty
    assert Role.ADMIN.allows(Role.ANALYST) and not Role.VIEWER.allows(Role.ANALYST)
    for bad in (
        "viewer",
        "boss:aaaaaaaaaaaaaaaa",
        "viewer:short",
        "viewer:a" * 2,
        "viewer:a b:aaaaaaaaaaaaaaaa",  # a name with a space
        "viewer:x:y:aaaaaaaaaaaaaaaa",
        "viewer:li:aaaaaaaaaaaaaaaa,admin:li:bbbbbbbbbbbbbbbb",  # one name, two keys
    ):
        with pytest.raises(ConfigError) as caught:
            parse_keys(bad)
        assert "aaaaaaaaaaaaaaaa" not in str(caught.value)


def test_named_keys_say_who() -> None:
    """role:name:key names the user in the audit log and on alerts; role:key still works
    and is known by its key's hash."""
    ring = parse_keys(
        "analyst:li.na:aaaaaaaaaaaaaaaa,admin:张伟:bbbbbbbbbbbbbbbb,viewer:cccccccccccccccc"
    )
    analyst, admin, viewer = (ring.identify(k * 16) for k in "abc")
    assert analyst is not None and analyst.role is Role.ANALYST and analyst.who == "analyst:li.na"
    assert admin is not None and admin.who == "admin:张伟"
    assert viewer is not None and viewer.name is None and viewer.who.startswith("viewer:")
    assert "cccc" not in viewer.who and len(viewer.who) == len("viewer:") + 12


def test_every_request_is_audited(api: TestClient, api_settings: Settings) -> None:
    api.get("/rings", headers=headers("analyst"), params={"limit": 1})
    api.get("/rings", headers=headers("viewer"), params={"limit": 3})
    api.get("/rings", headers={"X-API-Key": "wrong-key-wrong-key"})
    api.get("/rings")
    text = api_settings.audit_log.read_text("ascii")  # escaped: two lines per request
    lines = audited(api_settings.audit_log)
    analyst, viewer, unknown, anonymous = lines[-4:]
    assert analyst["who"] == "analyst:li.na"  # a named key (role:name:key)
    assert viewer["who"].startswith("viewer:") and viewer["status"] == 200
    assert viewer["method"] == "GET" and viewer["path"] == "/rings"
    assert viewer["params"] == {"limit": "3"} and viewer["bytes"] > 0 and viewer["when"]
    assert unknown["who"].startswith("unknown:") and unknown["status"] == 401
    assert anonymous["who"] == "anonymous" and anonymous["status"] == 401
    assert all(key not in text for key in KEYS.values())
    assert "wrong-key-wrong-key" not in text
    # each request was on record before its route ran: a start line with the same id
    starts = {x["id"]: x for x in map(json.loads, text.splitlines()) if x["event"] == "start"}
    assert all(line["id"] in starts for line in (analyst, viewer, unknown, anonymous))
    assert starts[viewer["id"]]["path"] == "/rings" and viewer["client"] == "testclient"
