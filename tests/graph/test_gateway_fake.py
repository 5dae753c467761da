"""The recording fake of the gateway (tests/fakes.py) does what unit tests rely on."""

from __future__ import annotations

import asyncio
import inspect
from datetime import date
from typing import Any

import pytest

from riskgraph.errors import QueryNotFound
from riskgraph.graph.gateway import Gateway, QueryGateway, WriteSummary
from tests.fakes import (
    NO_CHANGES,
    Call,
    MissingParameter,
    RecordingGateway,
    UnexpectedQuery,
    query_parameters,
)

DAY = date(2024, 2, 1)  # a delivery date, as the loader passes one


def test_calls_are_recorded_in_order_with_their_parameters() -> None:
    graph = RecordingGateway(
        {"id_key_state": [{"fingerprint": None, "hashed": False}], "id_key_record": None}
    )
    assert graph.read("id_key_state") == [{"fingerprint": None, "hashed": False}]
    assert graph.write("id_key_record", fingerprint="f1") == NO_CHANGES
    graph.run_schema("CREATE INDEX x IF NOT EXISTS FOR (n:Company) ON (n.name)")
    assert graph.calls == [
        Call("read", "id_key_state", {}),
        Call("write", "id_key_record", {"fingerprint": "f1"}),
        Call("run_schema", "CREATE INDEX x IF NOT EXISTS FOR (n:Company) ON (n.name)"),
    ]
    assert graph.names() == [
        "id_key_state",
        "id_key_record",
        "CREATE INDEX x IF NOT EXISTS FOR (n:Company) ON (n.name)",
    ]
    assert graph.params_of("id_key_record") == [{"fingerprint": "f1"}]


def test_every_method_records_its_own_name() -> None:
    graph = RecordingGateway({"person_aliases": [], "wipe_graph": None, "label_counts": []})
    graph.read_raw("person_aliases")
    asyncio.run(graph.read_async("person_aliases"))
    graph.read_consistent([("person_aliases", {}), ("label_counts", {"labels": ["Company"]})])
    graph.run_autocommit("wipe_graph", batch=10)
    assert [(c.method, c.name) for c in graph.calls] == [
        ("read_raw", "person_aliases"),
        ("read_async", "person_aliases"),
        ("read_consistent", "person_aliases"),
        ("read_consistent", "label_counts"),
        ("run_autocommit", "wipe_graph"),
    ]


def test_an_answer_can_be_a_function_of_the_parameters() -> None:
    def existing(params: dict[str, Any]) -> list[dict[str, Any]]:
        return [{"id": i} for i in params["ids"] if i.startswith("C")]

    graph = RecordingGateway({"existing_entities": existing})
    rows = graph.read("existing_entities", label="Company", ids=["C1", "P1", "C2"])
    assert rows == [{"id": "C1"}, {"id": "C2"}]


def test_recorded_parameters_and_canned_rows_are_copies() -> None:
    canned = [{"alias": "P9", "id": "P1"}]
    graph = RecordingGateway({"person_aliases": canned, "ingest_companies": None})
    graph.read("person_aliases")[0]["id"] = "changed by the caller"
    assert graph.read("person_aliases") == [{"alias": "P9", "id": "P1"}]
    rows = [{"id": "C1", "props": {}}]
    graph.write("ingest_companies", rows=rows, delivered=DAY)
    rows.append({"id": "C2", "props": {}})
    assert graph.params_of("ingest_companies") == [
        {"rows": [{"id": "C1", "props": {}}], "delivered": DAY}
    ]


def test_a_write_can_report_what_it_changed() -> None:
    changed = WriteSummary(1, 0, 2, 0, 5)
    graph = RecordingGateway({"ingest_companies": changed})
    assert graph.write("ingest_companies", rows=[], delivered=DAY) == changed


def test_a_query_the_test_did_not_expect_is_refused_and_still_recorded() -> None:
    graph = RecordingGateway({"id_key_state": []})
    with pytest.raises(UnexpectedQuery, match=r"'person_aliases'.*only id_key_state"):
        graph.read("person_aliases")
    assert graph.names() == ["person_aliases"]


def test_a_name_not_in_cypher_fails_like_the_real_gateway() -> None:
    with pytest.raises(QueryNotFound, match="no query named 'id_key_sate'"):
        RecordingGateway({"id_key_sate": []})
    graph = RecordingGateway()
    with pytest.raises(QueryNotFound):
        graph.write("ingest_compnies", rows=[])
    assert graph.calls == []


def test_a_missing_parameter_fails_as_neo4j_would_and_extra_ones_pass() -> None:
    graph = RecordingGateway({"existing_entities": []})
    with pytest.raises(MissingParameter, match=r"without \$ids"):
        graph.read("existing_entities", label="Company", idz=["C1"])
    assert graph.read("existing_entities", label="Company", ids=[], unused=1) == []
    assert query_parameters("existing_entities") == {"ids", "label"}


def test_answers_of_the_wrong_kind_are_refused() -> None:
    graph = RecordingGateway({"person_aliases": None, "ingest_companies": []})
    with pytest.raises(TypeError, match="needs rows"):
        graph.read("person_aliases")
    with pytest.raises(TypeError, match="WriteSummary"):
        graph.write("ingest_companies", rows=[], delivered=DAY)


def test_both_satisfy_the_protocol() -> None:
    """mypy checks it statically (riskgraph.graph.gateway, tests.fakes); this checks that
    the fake has every method the protocol declares, with the same async-ness."""
    protocol = {
        name: value
        for name, value in vars(QueryGateway).items()
        if callable(value) and not name.startswith("_")
    }
    assert set(protocol) >= {"read", "read_raw", "write", "run_autocommit", "run_schema"}
    for name, method in protocol.items():
        for cls in (Gateway, RecordingGateway):
            implementation = getattr(cls, name)
            assert inspect.iscoroutinefunction(implementation) == (
                inspect.iscoroutinefunction(method)
            ), (cls.__name__, name)
