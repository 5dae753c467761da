"""The web app's sign-in: an API key exchanged for a session cookie (flags, expiry), the
CSRF token a change must echo, sign-out on every worker, and who the audit log names."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from riskgraph.api.app import create_app
from riskgraph.api.security import parse_keys
from riskgraph.api.sessions import COOKIE, CSRF_HEADER, find_session, open_session
from riskgraph.engine.alerts import list_alerts, raise_alerts
from riskgraph.graph.gateway import Gateway
from riskgraph.settings import Settings
from tests.api.conftest import KEYS, Province, audited


@pytest.fixture
def browser(province: Province, api_settings: Settings) -> Iterator[TestClient]:
    """A client of its own, like a browser: cookies kept between calls."""
    with TestClient(create_app(api_settings)) as client:
        yield client


def _sign_in(client: TestClient, role: str) -> dict[str, object]:
    response = client.post("/session", json={"key": KEYS[role]})
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def test_sign_in_sets_a_strict_http_only_expiring_cookie(
    browser: TestClient, api_settings: Settings
) -> None:
    response = browser.post("/session", json={"key": KEYS["analyst"]})
    assert response.status_code == 200, response.text
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    flags = [f.strip().lower() for f in cookie.split(";")]
    assert "httponly" in flags and "samesite=strict" in flags and "path=/" in flags
    assert f"max-age={api_settings.session_ttl_s}" in flags
    assert "secure" not in flags  # plain http here; over TLS it is set (next test)
    body = response.json()
    assert body["who"] == "analyst:li.na" and body["role"] == "analyst"
    assert body["users"] == ["li.na", "张伟"] and len(str(body["csrf"])) >= 20
    expires = datetime.fromisoformat(str(body["expires_at"]))
    assert abs(expires - datetime.now(UTC) - timedelta(seconds=api_settings.session_ttl_s)) < (
        timedelta(minutes=1)
    )
    # the cookie alone now reads; the session says who and gives the token again
    assert browser.get("/rings", params={"limit": 1}).status_code == 200
    again = browser.get("/session").json()
    assert again["csrf"] == body["csrf"] and again["who"] == "analyst:li.na"


def test_the_cookie_is_secure_over_tls(province: Province, api_settings: Settings) -> None:
    with TestClient(create_app(api_settings), base_url="https://riskgraph.test") as client:
        cookie = client.post("/session", json={"key": KEYS["viewer"]}).headers["set-cookie"]
    assert "secure" in [f.strip().lower() for f in cookie.split(";")]
    # behind a proxy that ends TLS, the request is plain http: the setting says so
    forced = api_settings.model_copy(update={"cookie_secure": True})
    with TestClient(create_app(forced)) as client:
        cookie = client.post("/session", json={"key": KEYS["viewer"]}).headers["set-cookie"]
    assert "secure" in [f.strip().lower() for f in cookie.split(";")]


def test_unknown_keys_get_no_session(browser: TestClient) -> None:
    response = browser.post("/session", json={"key": "not-a-key-0123456789"})
    assert response.status_code == 401 and "set-cookie" not in response.headers
    assert browser.get("/session").status_code == 401
    assert browser.post("/session", json={}).status_code == 422


@pytest.fixture
def alert(api_settings: Settings) -> str:
    with Gateway(api_settings) as graph:
        raise_alerts(graph)
        _, items = list_alerts(graph, limit=1)
    return str(items[0]["id"])


def test_a_change_needs_the_csrf_token(browser: TestClient, alert: str) -> None:
    session = _sign_in(browser, "analyst")
    change = {"note": "checked by phone"}
    # a cross-site form would send the cookie but cannot know the token
    refused = browser.patch(f"/alerts/{alert}", json=change)
    assert refused.status_code == 403 and refused.json()["type"].endswith("csrf")
    wrong = browser.patch(f"/alerts/{alert}", json=change, headers={CSRF_HEADER: "guess"})
    assert wrong.status_code == 403
    note = browser.get(f"/alerts/{alert}").json()["note"]
    assert note != "checked by phone"  # nothing changed
    ok = browser.patch(f"/alerts/{alert}", json=change, headers={CSRF_HEADER: str(session["csrf"])})
    assert ok.status_code == 200, ok.text
    assert ok.json()["note"] == "checked by phone" and ok.json()["updated_by"] == "analyst:li.na"


def test_the_audit_log_names_the_signed_in_user_and_never_the_key(
    browser: TestClient, api_settings: Settings
) -> None:
    browser.post("/session", json={"key": "wrong-key-0123456789abcd"})
    _sign_in(browser, "admin")
    browser.get("/rings", params={"limit": 2})
    browser.delete("/session")  # no CSRF token: refused, and still named
    lines = audited(api_settings.audit_log)
    failed = [x for x in lines if x["path"] == "/session" and x["status"] == 401][-1]
    assert failed["who"].startswith("unknown:") and "wrong-key" not in json.dumps(failed)
    refused = [x for x in lines if x["path"] == "/session" and x["method"] == "DELETE"][-1]
    assert refused["status"] == 403 and refused["who"] == "admin:张伟"
    sign_in = [x for x in lines if x["path"] == "/session" and x["method"] == "POST"][-1]
    assert sign_in["who"] == "admin:张伟" and KEYS["admin"] not in json.dumps(sign_in)
    assert [x for x in lines if x["path"] == "/rings"][-1]["who"] == "admin:张伟"
    assert KEYS["admin"] not in api_settings.audit_log.read_text()


def test_sign_out_ends_the_session_even_for_a_kept_copy(browser: TestClient) -> None:
    session = _sign_in(browser, "viewer")
    token = browser.cookies.get(COOKIE)
    assert token
    # sign-out is a change: the token is needed
    assert browser.delete("/session").status_code == 403
    response = browser.delete("/session", headers={CSRF_HEADER: str(session["csrf"])})
    assert response.status_code == 204
    assert f"{COOKIE}=" in response.headers["set-cookie"] and "max-age=0" in (
        response.headers["set-cookie"].lower()
    )
    assert browser.get("/rings").status_code == 401
    # a copy of the cookie kept elsewhere is dead too
    browser.cookies.set(COOKIE, token)
    response = browser.get("/rings")
    assert response.status_code == 401 and "sign in again" in response.json()["detail"]


def test_sessions_expire_and_end_with_their_key(api_settings: Settings) -> None:
    secret = api_settings.api_keys
    assert secret is not None
    keys = parse_keys(secret.get_secret_value())
    viewer = keys.identify(KEYS["viewer"])
    assert viewer is not None
    with Gateway(api_settings) as graph:
        past = datetime.now(UTC) - timedelta(hours=9)
        token, _ = open_session(graph, viewer, ttl_s=8 * 3600, now=past)
        assert asyncio.run(find_session(graph, keys, token)) is None  # expired an hour ago
        token, _ = open_session(graph, viewer, ttl_s=3600)
        found = asyncio.run(find_session(graph, keys, token))
        assert found is not None and found.principal == viewer
        # the key removed from RISKGRAPH_API_KEYS: its sessions no longer open anything
        others = parse_keys(f"viewer:{'x' * 20},analyst:{KEYS['analyst']}")
        assert asyncio.run(find_session(graph, others, token)) is None
        # the graph holds the token's hash, never the token
        found = asyncio.run(find_session(graph, keys, token))
        assert found is not None
        stored = graph.read_raw(
            "session_find", token_hash=hashlib.sha256(token.encode()).hexdigest(), now="0"
        )
        assert stored and token not in json.dumps(stored, default=str)
