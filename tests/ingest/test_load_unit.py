"""The load step's logic without a server: which named queries run, in what batches, with
which rows (the recording gateway of tests/fakes.py). What the queries do to a graph is
tested against Neo4j in test_pipeline.py and test_registry.py."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from riskgraph.graph.credentials import key_fingerprint
from riskgraph.ingest.files import LOADERS, MERGE_PERSONS
from riskgraph.ingest.files import SPECS as FILES
from riskgraph.ingest.load import (
    KeyMismatch,
    check_id_key,
    existing_ids,
    load_records,
    person_aliases,
    persons_by_hash,
)
from riskgraph.ingest.validate import Record
from tests.fakes import RecordingGateway

OURS = key_fingerprint(b"our-key-of-16-chars")
THEIRS = key_fingerprint(b"their-key-of-16-chars")


def _state(fingerprint: str | None, hashed: bool) -> RecordingGateway:
    return RecordingGateway(
        {"id_key_state": [{"fingerprint": fingerprint, "hashed": hashed}], "id_key_record": None}
    )


def test_first_load_records_the_key_fingerprint() -> None:
    graph = _state(None, hashed=False)
    check_id_key(graph, OURS)
    assert graph.names() == ["id_key_state", "id_key_record"]
    assert graph.params_of("id_key_record") == [{"fingerprint": OURS}]


def test_a_load_under_the_recorded_key_writes_nothing() -> None:
    graph = _state(OURS, hashed=True)
    check_id_key(graph, OURS)
    assert graph.names() == ["id_key_state"]


@pytest.mark.parametrize("hashed", [False, True])
def test_a_load_under_another_key_is_refused_before_any_write(hashed: bool) -> None:
    graph = _state(THEIRS, hashed=hashed)
    with pytest.raises(KeyMismatch, match=rf"fingerprint {THEIRS}, not under this one \({OURS}\)"):
        check_id_key(graph, OURS)
    assert graph.names() == ["id_key_state"]


def test_a_graph_hashed_before_fingerprints_is_refused() -> None:
    graph = _state(None, hashed=True)
    with pytest.raises(KeyMismatch, match=r"made before riskgraph recorded its key.*db wipe"):
        check_id_key(graph, OURS)
    assert graph.names() == ["id_key_state"]


def _companies(n: int) -> list[Record]:
    return [{"id": f"C{i}", "name": f"公司{i}", "status": None} for i in range(n)]


@pytest.mark.parametrize(
    ("count", "batch_size", "batches"),
    [(7, 3, [3, 3, 1]), (6, 3, [3, 3]), (2, 5000, [2]), (1, 1, [1]), (0, 3, [])],
)
def test_records_are_written_a_batch_per_transaction(
    count: int, batch_size: int, batches: list[int]
) -> None:
    graph = RecordingGateway({"ingest_companies": None})
    progress: list[int] = []
    written = load_records(
        graph,
        *LOADERS["companies.csv"],
        _companies(count),
        batch_size,
        progress.append,
        {"delivered": date(2024, 2, 1)},
    )
    assert written == count
    assert [len(p["rows"]) for p in graph.params_of("ingest_companies")] == batches
    assert progress == batches
    assert {c.method for c in graph.calls} <= {"write"}
    ids = [row["id"] for p in graph.params_of("ingest_companies") for row in p["rows"]]
    assert ids == [f"C{i}" for i in range(count)]  # in order, each once


# One record per file, with a null optional value, and the row each query is sent. Node
# rows carry only present values (a missing cell never erases what another source set);
# relationship rows carry every value, null or not, since their query compares a row with
# the relationship's current version (docs/bundle-format.md, "Deltas and history").
ROWS: dict[str, tuple[str, Record, dict[str, Any]]] = {
    "companies.csv": (
        "ingest_companies",
        {"id": "C1", "name": "甲公司", "uscc": None, "region": "330106", "extra": "x"},
        {"id": "C1", "props": {"name": "甲公司", "region": "330106"}},
    ),
    "persons.csv": (
        "ingest_persons",
        {"id": "P1", "name": "王伟", "id_hash": "h1", "birth_year": None},
        {"id": "P1", "props": {"name": "王伟", "id_hash": "h1"}, "aliases": []},
    ),
    MERGE_PERSONS: (
        "ingest_merge_persons",
        {"alias": "P9", "id": "P1"},
        {"alias": "P9", "id": "P1"},
    ),
    "shareholdings.csv": (
        "ingest_holdings",
        {
            "holder_id": "P1",
            "holder_type": "Person",
            "company_id": "C1",
            "share": 0.5,
            "amount": None,
            "since": None,
            "until": None,
            "round": 0,
        },
        {
            "holder_id": "P1",
            "holder_type": "Person",
            "company_id": "C1",
            "share": 0.5,
            "amount": None,
            "since": None,
            "until": None,
        },
    ),
    "officers.csv": (
        "ingest_officers",
        {"person_id": "P1", "company_id": "C1", "role": "director", "since": None, "round": 0},
        {
            "person_id": "P1",
            "company_id": "C1",
            "role": "director",
            "since": None,
            "until": None,
        },
    ),
    "addresses.csv": (
        "ingest_addresses",
        {"entity_id": "C1", "label": "Company", "key": "a1", "text": "杭州", "city": None},
        {
            "entity_id": "C1",
            "label": "Company",
            "key": "a1",
            "since": None,
            "until": None,
            "props": {"text": "杭州"},
        },
    ),
    "phones.csv": (
        "ingest_phones",
        {"entity_id": "P1", "label": "Person", "number": "+8613812345678", "kind": "mobile"},
        {
            "entity_id": "P1",
            "label": "Person",
            "number": "+8613812345678",
            "kind": "mobile",
            "since": None,
            "until": None,
        },
    ),
    "links.csv": (
        "ingest_links",
        {"source_id": "C1", "target_id": "C2", "type": "GUARANTEE", "amount": 5},
        {
            "source_id": "C1",
            "target_id": "C2",
            "type": "GUARANTEE",
            "amount": 5,
            "since": None,
            "until": None,
        },
    ),
    "events.csv": (
        "ingest_events",
        {"id": "E1", "company_id": "C1", "type": "lawsuit", "severity": None},
        {"id": "E1", "company_id": "C1", "props": {"type": "lawsuit"}},
    ),
}
DELIVERED = date(2024, 2, 1)


def test_every_bundle_file_has_a_row_shape() -> None:
    assert {spec.name for spec in FILES} | {MERGE_PERSONS} == set(ROWS)


@pytest.mark.parametrize("file_name", sorted(ROWS))
def test_each_file_goes_to_its_query_in_its_row_shape(file_name: str) -> None:
    query, record, row = ROWS[file_name]
    graph = RecordingGateway({query: None})  # the fake checks every $parameter is passed
    params = {"delivered": DELIVERED}
    assert load_records(graph, *LOADERS[file_name], [record], 10, params=params) == 1
    assert graph.params_of(query) == [{"rows": [row], "delivered": DELIVERED}]
    assert graph.names() == [query]


@pytest.mark.parametrize(
    ("rounds", "batch_size", "batches"),
    [
        ([0, 0, 0, 1, 1, 2], 2, [2, 1, 2, 1]),
        ([0, 0, 0, 1, 1, 2], 10, [3, 2, 1]),
        ([0, 1, 2], 10, [1, 1, 1]),
        ([0, 0, 0, 0], 3, [3, 1]),
    ],
)
def test_a_batch_never_spans_two_rounds(
    rounds: list[int], batch_size: int, batches: list[int]
) -> None:
    """Two versions of one relationship are never in one query, and go in round order."""
    graph = RecordingGateway({"ingest_officers": None})
    records = [
        {"person_id": "P1", "company_id": f"C{i}", "role": "director", "round": r}
        for i, r in enumerate(rounds)
    ]
    load_records(
        graph, *LOADERS["officers.csv"], records, batch_size, params={"delivered": DELIVERED}
    )
    sent = graph.params_of("ingest_officers")
    assert [len(p["rows"]) for p in sent] == batches
    assert [row["company_id"] for p in sent for row in p["rows"]] == [
        f"C{i}" for i in range(len(rounds))
    ]


def test_a_person_keeps_its_aliases_out_of_its_properties() -> None:
    graph = RecordingGateway({"ingest_persons": None})
    person = {"id": "P1", "name": "王伟", "aliases": ["P9"]}
    load_records(graph, *LOADERS["persons.csv"], [person], 10, params={"delivered": DELIVERED})
    assert graph.params_of("ingest_persons") == [
        {
            "rows": [{"id": "P1", "props": {"name": "王伟"}, "aliases": ["P9"]}],
            "delivered": DELIVERED,
        }
    ]


def test_graph_look_ups_are_batched_and_merged() -> None:
    def known(params: dict[str, Any]) -> list[dict[str, Any]]:
        return [{"id": i} for i in params["ids"] if i in {"C2", "C4"}]

    graph = RecordingGateway({"existing_entities": known})
    assert existing_ids(graph, "Company", ["C1", "C2", "C3", "C4", "C5"], batch_size=2) == {
        "C2",
        "C4",
    }
    assert graph.params_of("existing_entities") == [
        {"label": "Company", "ids": ["C1", "C2"]},
        {"label": "Company", "ids": ["C3", "C4"]},
        {"label": "Company", "ids": ["C5"]},
    ]

    graph = RecordingGateway(
        {
            "persons_by_hash": lambda p: [{"hash": h, "id": f"P-{h}"} for h in p["hashes"]],
            "person_aliases": [{"alias": "P9", "id": "P1"}],
        }
    )
    assert persons_by_hash(graph, ["h1", "h2", "h3"], batch_size=2) == {
        "h1": "P-h1",
        "h2": "P-h2",
        "h3": "P-h3",
    }
    assert [len(p["hashes"]) for p in graph.params_of("persons_by_hash")] == [2, 1]
    assert person_aliases(graph) == {"P9": "P1"}
