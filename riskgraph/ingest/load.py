"""Write validated records to Neo4j in batched, parameterised ``UNWIND`` queries.

Every query matches on keys and compares before it writes, so a re-run (or a re-run after
a killed load) converges on the same graph. Relationship records carry a ``round``
(``validate._versions``): a batch never spans two rounds, so one key is never twice in
one query and its versions are applied in order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from riskgraph.errors import RiskgraphError
from riskgraph.graph.gateway import Gateway
from riskgraph.ingest.validate import Record

Progress = Callable[[int], None]  # called with the number of rows just written


def batches(records: Sequence[Record], batch_size: int) -> Iterator[Sequence[Record]]:
    """Consecutive slices of at most ``batch_size`` records, cut where the round changes."""
    start = 0
    while start < len(records):
        end = min(start + batch_size, len(records))
        first = records[start].get("round")
        if first is not None and records[end - 1].get("round") != first:
            end = next(i for i in range(start, end) if records[i].get("round") != first)
        yield records[start:end]
        start = end


def load_records(
    graph: Gateway,
    query: str,
    shape: Callable[[Record], dict[str, Any]],
    records: Sequence[Record],
    batch_size: int,
    progress: Progress | None = None,
    params: Mapping[str, Any] | None = None,
) -> int:
    """Write records with ``query`` (each shaped into its parameters, with ``params``
    beside ``$rows``), a transaction per batch; returns rows written."""
    written = 0
    for chunk in batches(records, batch_size):
        batch = [shape(r) for r in chunk]
        graph.write(query, rows=batch, **(params or {}))
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


def check_id_key(graph: Gateway, fingerprint: str, record: bool = True) -> None:
    """Record the key's fingerprint on a graph's first load (``record``: a bulk load brings
    it in its files instead); refuse any other key after.

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
    if stored is None and record:
        graph.write("id_key_record", fingerprint=fingerprint)
