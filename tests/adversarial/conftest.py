"""The adversarial suite: the API attacked and overloaded as a hostile or careless client
would, against the session's real Neo4j and, where the HTTP layer matters, a real uvicorn.
Each test builds the small graph it needs (the database is emptied first)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import neo4j
import pytest
from pydantic import SecretStr

from riskgraph.graph.gateway import Gateway
from riskgraph.settings import Settings

KEYS = {
    "viewer": "adv-viewer-key-0123456789",
    "analyst": "adv-analyst-key-0123456789",
    "other": "adv-analyst2-key-0123456789",
}


def headers(role: str) -> dict[str, str]:
    return {"X-API-Key": KEYS[role]}


@pytest.fixture
def api_settings(graph: Gateway, neo4j_settings: Settings, tmp_path: Path) -> Settings:
    """An empty graph (``graph`` empties it) and an API configuration over it."""
    keys = (
        f"viewer:{KEYS['viewer']},analyst:li.na:{KEYS['analyst']},analyst:wang.fang:{KEYS['other']}"
    )
    return neo4j_settings.model_copy(
        update={
            "api_keys": SecretStr(keys),
            "audit_log": tmp_path / "audit.log",
            "runs_dir": tmp_path / "runs",
            "gnn_model": tmp_path / "no-model.pt",
            "rate_limit": "1000000/minute",
            "run_poll_s": 3600.0,
        }
    )


@pytest.fixture
def alert(driver: neo4j.Driver, api_settings: Settings) -> Iterator[str]:
    """One company with one new alert on it."""
    driver.execute_query(
        "CREATE (c:Company {id: 'C1', name: '杭州某某投资有限公司', risk_level: 'red', "
        "risk_score: 91.0}) "
        "CREATE (a:Alert {id: 'A1', company_id: 'C1', level: 'red', score: 91.0, reasons: [], "
        "state: 'new', raised_at: '2026-12-01T00:00:00+00:00', history: []})-[:ALERT_ON]->(c)"
    )
    yield "A1"
