"""What a hostile or careless client cannot do to the API: exhaust its memory with a body,
race two changes to one alert into both succeeding, flood it past its rate limit or its
workers, or make every request retry a failed state load."""

from __future__ import annotations

import contextlib
import json
import math
import socket
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import httpx2 as httpx
import neo4j
import psutil
import pytest
from fastapi.testclient import TestClient

from riskgraph.api import limits
from riskgraph.api.app import create_app
from riskgraph.graph import cypher
from riskgraph.settings import Settings
from tests.adversarial.conftest import headers
from tests.graph.test_penetration import shells
from tests.live import served

FIFTY_MB = 50 * 1024 * 1024


def _ended(path: Any) -> list[dict[str, Any]]:
    lines = [json.loads(x) for x in path.read_text("ascii").splitlines() if x]
    return [x for x in lines if x["event"] == "end"]


def _raw(base: str, head: bytes, body: Callable[[socket.socket], None]) -> tuple[bytes, float]:
    """Send a request by hand (so its body can be huge or endless); the answer's first
    bytes and how long they took after the headers went out."""
    parts = urlsplit(base)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as s:
        s.sendall(head)
        sent = time.perf_counter()
        with contextlib.suppress(OSError):  # the server closed on us: it refused the rest
            body(s)
        answer = s.recv(4096)
        return answer, time.perf_counter() - sent


def test_a_huge_unauthenticated_upload_is_refused_unread(api_settings: Settings) -> None:
    process = psutil.Process()
    with served(create_app(api_settings)) as base:
        before = process.memory_info().rss
        head = (
            b"POST /propagate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {FIFTY_MB}\r\n\r\n".encode()
        )
        answer, took = _raw(base, head, lambda s: s.sendall(b"[" * 65536))
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
        assert b"application/problem+json" in answer and took < 1.0

        # no length given: the body is counted as it streams and cut off past the limit
        head = (
            b"POST /propagate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        chunk = b"%x\r\n%s\r\n" % (1024 * 1024, b"a" * 1024 * 1024)

        def stream(s: socket.socket) -> None:
            for _ in range(50):
                s.sendall(chunk)

        answer, took = _raw(base, head, stream)
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
        grown = process.memory_info().rss - before
        assert grown < 30 * 1024 * 1024, f"the server kept {grown / 1e6:.0f} MB"
    refused = [x for x in _ended(api_settings.audit_log) if x["status"] == 413]
    assert len(refused) == 2 and {x["who"] for x in refused} == {"anonymous"}
    assert all(x["path"] == "/propagate" and x["client"] == "127.0.0.1" for x in refused)


def test_a_body_sent_too_slowly_is_cut_off(
    api_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sender trickling a body holds a worker slot; past the body's time it gets 408."""
    monkeypatch.setattr(limits, "BODY_SECONDS", 1.0)
    with served(create_app(api_settings)) as base:
        head = (
            b"POST /propagate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 100\r\n\r\n"
        )
        answer, took = _raw(base, head, lambda s: s.sendall(b'{"seeds": ['))
        assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
        assert 0.9 < took < 5


def test_two_conflicting_changes_to_an_alert_one_wins(
    api_settings: Settings, alert: str, driver: neo4j.Driver
) -> None:
    with served(create_app(api_settings)) as base, httpx.Client(base_url=base) as client:
        for _ in range(8):
            driver.execute_query("MATCH (a:Alert {id: $id}) SET a.state = 'assigned'", id=alert)
            before = len(
                client.get(f"/alerts/{alert}", headers=headers("viewer")).json()["history"]
            )
            start = threading.Barrier(2)
            answers: dict[str, int] = {}

            def change(
                state: str, role: str, start: threading.Barrier, answers: dict[str, int]
            ) -> None:
                start.wait()
                response = client.patch(
                    f"/alerts/{alert}", headers=headers(role), json={"state": state}
                )
                answers[state] = response.status_code

            threads = [
                threading.Thread(target=change, args=("confirmed", "analyst", start, answers)),
                threading.Thread(target=change, args=("new", "other", start, answers)),
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert sorted(answers.values()) == [200, 409], answers
            winner = next(s for s, code in answers.items() if code == 200)
            body = client.get(f"/alerts/{alert}", headers=headers("viewer")).json()
            assert body["state"] == winner and len(body["history"]) == before + 1
            assert json.loads(body["history"][-1])["to"] == winner
        # two notes written at once on an alert whose state neither changes: one wins
        for _ in range(5):
            start = threading.Barrier(2)
            codes: dict[str, int] = {}

            def note(text: str, role: str, start: threading.Barrier, codes: dict[str, int]) -> None:
                start.wait()
                response = client.patch(
                    f"/alerts/{alert}", headers=headers(role), json={"note": text}
                )
                codes[text] = response.status_code

            threads = [
                threading.Thread(target=note, args=(t, r, start, codes))
                for t, r in (("李娜：已电话核实", "analyst"), ("王芳：待查", "other"))
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert sorted(codes.values()) == [200, 409], codes
            kept = client.get(f"/alerts/{alert}", headers=headers("viewer")).json()["note"]
            assert codes[kept] == 200


def test_past_the_rate_limit_a_key_gets_429(api_settings: Settings) -> None:
    limited = api_settings.model_copy(update={"rate_limit": "5/minute"})
    with TestClient(create_app(limited)) as client:
        codes = [client.get("/rings", headers=headers("viewer")).status_code for _ in range(6)]
        assert codes == [200] * 5 + [429]
        refused = client.get("/rings", headers=headers("viewer"))
        assert refused.headers["content-type"] == "application/problem+json"
        assert int(refused.headers["retry-after"]) > 0 and "5 per 1 minute" in refused.text
        # guessing keys at the sign-in is limited by address
        tries = [client.post("/session", json={"key": f"guess-{i:020d}"}) for i in range(6)]
        assert [t.status_code for t in tries] == [401] * 5 + [429]
        # another key has its own budget; the probes have none
        assert client.get("/rings", headers=headers("analyst")).status_code == 200
        assert all(client.get("/health").status_code == 200 for _ in range(10))


SLOW = "UNWIND range(1, 400000000) AS x WITH x WHERE x < 0 RETURN 0 AS total, [] AS items"


def test_a_slow_query_ends_in_504_and_a_full_worker_says_busy(
    api_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A query past its timeout is ended by Neo4j (504); while such requests fill the
    worker, more are turned away at once (503) and /health still answers."""
    real = cypher.load
    slow = cypher.NamedQuery("api_rings", SLOW, "p", "$min_score $skip $limit", "r", 3.0)
    monkeypatch.setattr(cypher, "load", lambda n: slow if n == "api_rings" else real(n))
    settings = api_settings.model_copy(update={"max_in_flight": 2})
    with served(create_app(settings)) as base, httpx.Client(base_url=base, timeout=60) as client:
        answers: list[int] = []

        def ask() -> None:
            answers.append(client.get("/rings", headers=headers("viewer")).status_code)

        threads = [threading.Thread(target=ask) for _ in range(2)]
        for thread in threads:
            thread.start()
        time.sleep(0.5)  # both are running their slow query now
        busy = client.get("/rings", headers=headers("viewer"))
        health = client.get("/health")
        for thread in threads:
            thread.join()
    assert busy.status_code == 503 and busy.json()["type"].endswith("busy")
    assert busy.headers["retry-after"] == "1" and health.status_code == 200
    assert answers == [504, 504]


def test_a_failed_state_load_is_retried_once_per_pause(api_settings: Settings) -> None:
    app = create_app(api_settings)
    holder = app.state.context.state
    tried: list[float] = []

    def failing() -> Any:
        tried.append(time.monotonic())
        raise RuntimeError("the run's files are not there")

    holder._loader = failing
    with TestClient(app) as client:
        started = time.monotonic()
        answers: list[int] = []

        def ask() -> None:
            url = "/companies/C1/explanation"
            answers.append(client.get(url, headers=headers("viewer")).status_code)

        threads = [threading.Thread(target=ask) for _ in range(100)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        assert len(answers) == 100 and set(answers) <= {503, 404} and 503 in answers
        # pauses of 1, 2, 4... s: at most one try per pause that could have ended
        windows = math.floor(math.log2(elapsed + 1)) + 1
        assert 1 <= len(tried) <= windows + 1, (len(tried), elapsed)
        # once a pause is over, the request that tries again and fails is a 503 too
        time.sleep(max(holder._retry_at - time.monotonic(), 0) + 0.1)
        again = client.get("/companies/C1/explanation", headers=headers("viewer"))
        assert (again.status_code == 503 and len(tried) == windows + 1) or again.status_code == 503


def test_a_cross_holding_group_answers_while_health_keeps_answering(
    api_settings: Settings, driver: neo4j.Driver
) -> None:
    """Twelve shells all holding each other (about 4 x 10^7 ownership chains): the
    controllers answer within their query's budget, bounded and saying so, and the probes
    answer meanwhile."""
    shells(driver, 0.06)
    budget = cypher.load("equity_penetration_page").timeout_s
    with (
        served(create_app(api_settings)) as base,
        httpx.Client(base_url=base, timeout=60) as client,
    ):
        answers: list[httpx.Response] = []

        def ask() -> None:
            url = "/companies/C0/controllers"
            answers.append(client.get(url, headers=headers("viewer"), params={"threshold": 0}))

        started = time.perf_counter()
        threads = [threading.Thread(target=ask) for _ in range(4)]
        for thread in threads:
            thread.start()
        probes = [client.get("/health").status_code for _ in range(5)]
        for thread in threads:
            thread.join()
        took = time.perf_counter() - started
    assert probes == [200] * 5 and took < budget * 2
    for response in answers:
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["pruned_chains"] > 0 and body["pruned_share"] > 0 and not body["capped"]
        assert "P" in {h["holder_id"] for h in body["holders"]}
