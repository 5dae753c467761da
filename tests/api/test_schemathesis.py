"""Property-based: requests generated from the OpenAPI schema by Schemathesis (valid and
invalid parameters, odd ids, any body) never make the API answer 5xx. A few examples per
operation keep it under a minute; the admin key lets every operation through to its work.

Hypothesis drives each operation's strategy directly (Schemathesis' pytest plugin does not
run under pytest 9 yet); operations are listed from an app that needs no database."""

from __future__ import annotations

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskgraph.api.app import create_app
from riskgraph.settings import Settings
from tests.api.conftest import headers

MODES = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)


def _labels() -> list[str]:
    schema = schemathesis.openapi.from_dict(create_app(Settings()).openapi())
    return [result.ok().label for result in schema.get_all_operations()]


@pytest.fixture(scope="module")
def asgi_schema(api: TestClient) -> schemathesis.BaseSchema:
    app = api.app
    assert isinstance(app, FastAPI)
    return schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.fixture(scope="module")
def real_ids(api: TestClient, top_company: str) -> dict[str, str]:
    """Ids that exist, so that generated requests also reach the routes' real work."""
    person = api.get(f"/companies/{top_company}", headers=headers("viewer")).json()["people"]
    return {"/companies": top_company, "/rings": "R0001", "person": person[0]["id"]}


@pytest.mark.parametrize("label", _labels())
def test_no_server_errors(
    asgi_schema: schemathesis.BaseSchema, real_ids: dict[str, str], label: str
) -> None:
    operation = asgi_schema.find_operation_by_label(label)
    assert operation is not None
    strategies = [operation.as_strategy(generation_mode=mode) for mode in MODES]
    prefix = "/" + operation.path.split("/")[1]
    if "{id}" in operation.path and prefix in real_ids:
        strategies.append(operation.as_strategy(path_parameters={"id": real_ids[prefix]}))
    if operation.path == "/paths":
        ends = {"from": real_ids["person"], "to": real_ids["/companies"]}
        strategies.append(operation.as_strategy(query=ends))
    if operation.path == "/propagate":
        strategies.append(operation.as_strategy(body={"seeds": [real_ids["/companies"]]}))
    strategy = st.one_of(strategies)

    @given(case=strategy)
    @settings(
        max_examples=15,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: schemathesis.Case) -> None:
        response = case.call(headers=headers("admin"))
        assert response.status_code < 500, (
            f"{case.method} {case.formatted_path} {case.query} {case.body!r} -> "
            f"{response.status_code}: {response.text[:500]}"
        )

    check()
