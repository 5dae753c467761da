"""The API against a small analysed synthetic province in the session's Neo4j, loaded once
for the whole package (tests here never wipe it), and a client per role."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import neo4j
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from riskgraph.api.app import create_app
from riskgraph.engine.engine import Engine
from riskgraph.graph.credentials import password_for
from riskgraph.graph.gateway import Gateway
from riskgraph.ingest.generator import generate
from riskgraph.ingest.normalise import normalise_phone
from riskgraph.ingest.pipeline import ingest_bundle
from riskgraph.risk.codes import Reason, ReasonCode
from riskgraph.settings import Settings

KEYS = {
    "viewer": "viewer-key-0123456789abcdef",
    "analyst": "analyst-key-0123456789abcdef",
    "admin": "admin-key-0123456789abcdef",
}
NAMES = {"analyst": "li.na", "admin": "张伟"}  # named keys (role:name:key); the viewer's is not


def headers(role: str) -> dict[str, str]:
    return {"X-API-Key": KEYS[role]}


def audited(path: Path) -> list[dict[str, object]]:
    """The completed requests of an audit log (its "end" lines), oldest first."""
    lines = [json.loads(x) for x in path.read_text("ascii").splitlines() if x]
    return [x for x in lines if x["event"] == "end"]


@dataclass(frozen=True)
class Province:
    """The loaded bundle and what the tests check answers against."""

    path: Path
    id_numbers: frozenset[str]  # raw resident ID numbers from persons.csv
    person_phones: frozenset[str]  # E.164 numbers filed by natural persons
    scored: list[dict[str, object]]  # companies by score, riskiest first


def _person_phones(path: Path) -> frozenset[str]:
    out = set()
    with (path / "phones.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["entity_id"].startswith("P"):
                try:
                    out.add(normalise_phone(row["phone"]).number)
                except ValueError:
                    continue  # a malformed row the ingest rejected
    return frozenset(out)


def _id_numbers(path: Path) -> frozenset[str]:
    with (path / "persons.csv").open(encoding="utf-8", newline="") as handle:
        return frozenset(r["id_number"].strip() for r in csv.DictReader(handle) if r["id_number"])


@pytest.fixture(scope="package")
def province(neo4j_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Province:
    """3,000 companies generated, ingested and analysed (scores and rings written back)."""
    path = tmp_path_factory.mktemp("api-province")
    generate(3000, 11, path)
    auth = (neo4j_settings.neo4j_user, password_for(neo4j_settings))
    with neo4j.GraphDatabase.driver(neo4j_settings.bolt_uri, auth=auth) as driver:
        driver.execute_query("MATCH (n) DETACH DELETE n")
    with Gateway(neo4j_settings) as graph:
        ingest_bundle(path, graph, neo4j_settings)
        Engine(graph, neo4j_settings, gnn=False).run(raise_alerts=False)
        scored = graph.read_raw("export_scores")
    return Province(path, _id_numbers(path), _person_phones(path), scored)


@pytest.fixture(scope="package")
def api_settings(neo4j_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    keys = ",".join(
        f"{role}:{NAMES[role]}:{key}" if role in NAMES else f"{role}:{key}"
        for role, key in KEYS.items()
    )
    audit = tmp_path_factory.mktemp("audit") / "audit.log"
    model = tmp_path_factory.mktemp("models") / "gnn.pt"  # none until a test trains one
    # the rate limit is tested on an app of its own: here it must never trip
    return neo4j_settings.model_copy(
        update={
            "api_keys": SecretStr(keys),
            "audit_log": audit,
            "gnn_model": model,
            "rate_limit": "1000000/minute",
        }
    )


@pytest.fixture(scope="package")
def api(province: Province, api_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(api_settings)) as client:
        yield client


@pytest.fixture(scope="package")
def top_company(province: Province) -> str:
    """The riskiest company that is not itself exposed (it has evidence paths)."""
    for row in province.scored:
        codes = {Reason.from_json(r).code for r in row["reasons"] or []}
        if ReasonCode.EXPOSED not in codes and row["contagion"]:
            return str(row["company_id"])
    raise AssertionError("no contagion-hit company in the province")


@pytest.fixture(scope="package")
def unique_company(province: Province) -> dict[str, str]:
    """A company of the bundle with a USCC and a name no other company has."""
    with (province.path / "companies.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    names = [r["name"] for r in rows]
    return next(
        r
        for r in rows
        if r["uscc"] and r["name"].endswith("有限公司") and names.count(r["name"]) == 1
    )
