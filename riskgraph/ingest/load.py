"""Write validated records to Neo4j in batched, parameterised ``UNWIND ... MERGE`` queries.

Every query merges on keys, so a re-run (or a re-run after a killed load) converges on
the same graph.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from riskgraph.errors import RiskgraphError
from riskgraph.graph import schema
from riskgraph.graph.gateway import Gateway
from riskgraph.ingest.validate import Record

Progress = Callable[[int], None]  # called with the number of rows just written


def _props(record: Record, *names: str) -> dict[str, Any]:
    """Only present values: a missing cell never erases what another source set."""
    return {n: record[n] for n in names if record.get(n) is not None}


def _non_key(label: str) -> tuple[str, ...]:
    """A node's properties other than its key, as the schema declares them."""
    node = schema.node(label)
    return tuple(p.name for p in node.properties if p.name != node.key and not p.derived)


_COMPANY, _PERSON, _ADDRESS, _EVENT = (
    _non_key(label) for label in ("Company", "Person", "Address", "Event")
)


MERGE_PERSONS = "persons.csv (merges)"

# file name -> (named query, shape of one row's parameters)
_SHAPES: dict[str, tuple[str, Callable[[Record], dict[str, Any]]]] = {
    "companies.csv": ("ingest_companies", lambda r: {"id": r["id"], "props": _props(r, *_COMPANY)}),
    "persons.csv": (
        "ingest_persons",
        lambda r: {
            "id": r["id"],
            "props": _props(r, *(p for p in _PERSON if p != "aliases")),
            "aliases": r.get("aliases", []),
        },
    ),
    # persons loaded earlier under an id that is now an alias: merged into their person
    MERGE_PERSONS: ("merge_persons", lambda r: {"alias": r["alias"], "id": r["id"]}),
    "shareholdings.csv": (
        "ingest_holdings",
        lambda r: {
            "holder_id": r["holder_id"],
            "holder_type": r["holder_type"],
            "company_id": r["company_id"],
            "key": r["key"],
            "props": _props(r, "share", "amount", "since"),
        },
    ),
    "officers.csv": (
        "ingest_officers",
        lambda r: {
            "person_id": r["person_id"],
            "company_id": r["company_id"],
            "role": r["role"],
            "props": _props(r, "since"),
        },
    ),
    "addresses.csv": (
        "ingest_addresses",
        lambda r: {
            "entity_id": r["entity_id"],
            "label": r["label"],
            "key": r["key"],
            "props": _props(r, *_ADDRESS),
        },
    ),
    "phones.csv": (
        "ingest_phones",
        lambda r: {k: r[k] for k in ("entity_id", "label", "number", "kind")},
    ),
    "links.csv": (
        "ingest_links",
        lambda r: {
            "source_id": r["source_id"],
            "target_id": r["target_id"],
            "type": r["type"],
            "key": r["key"],
            "props": _props(r, "amount", "since"),
        },
    ),
    "events.csv": (
        "ingest_events",
        lambda r: {
            "id": r["id"],
            "company_id": r["company_id"],
            "props": _props(r, *_EVENT),
        },
    ),
}


def load_records(
    graph: Gateway,
    file_name: str,
    records: Sequence[Record],
    batch_size: int,
    progress: Progress | None = None,
) -> int:
    """Write one file's records, a transaction per batch; returns rows written."""
    query, shape = _SHAPES[file_name]
    written = 0
    for start in range(0, len(records), batch_size):
        batch = [shape(r) for r in records[start : start + batch_size]]
        graph.write(query, rows=batch)
        written += len(batch)
        if progress is not None:
            progress(len(batch))
    return written


def existing_ids(graph: Gateway, label: str, ids: list[str], batch_size: int = 10_000) -> set[str]:
    """The subset of ``ids`` already in the graph under ``label``."""
    found: set[str] = set()
    for start in range(0, len(ids), batch_size):
        rows = graph.read("existing_entities", label=label, ids=ids[start : start + batch_size])
        found.update(row["id"] for row in rows)
    return found


def persons_by_hash(graph: Gateway, hashes: list[str], batch_size: int = 10_000) -> dict[str, str]:
    """The Person already in the graph for each resident-ID hash."""
    found: dict[str, str] = {}
    for start in range(0, len(hashes), batch_size):
        rows = graph.read("persons_by_hash", hashes=hashes[start : start + batch_size])
        found.update((row["hash"], row["id"]) for row in rows)
    return found


def person_aliases(graph: Gateway) -> dict[str, str]:
    """Every merged person id, with the id of the person it was merged into."""
    return {row["alias"]: row["id"] for row in graph.read("person_aliases")}


class KeyMismatch(RiskgraphError):
    """The graph's resident-ID hashes were made under another key."""


def check_id_key(graph: Gateway, fingerprint: str) -> None:
    """Record the key's fingerprint on a graph's first load; refuse any other key after.

    Hashes under two keys would never match, so one person would silently become two;
    re-hashing is impossible (the numbers are not kept). Wiping the graph resets it.
    """
    state = graph.read("id_key_state")[0]
    stored = state["fingerprint"]
    if stored is None and state["hashed"]:
        raise KeyMismatch(
            "the graph holds resident-ID hashes made before riskgraph recorded its key "
            "(an older version, salted SHA-256): they cannot be matched with new loads. "
            "Wipe the graph (`riskgraph db wipe --yes`) and load the bundles again"
        )
    if stored is not None and stored != fingerprint:
        raise KeyMismatch(
            f"the graph's resident-ID hashes were made under the key with fingerprint "
            f"{stored}, not under this one ({fingerprint}): nothing was loaded. Set "
            "RISKGRAPH_ID_KEY or RISKGRAPH_ID_KEY_FILE to the graph's key"
        )
    if stored is None:
        graph.write("id_key_record", fingerprint=fingerprint)
