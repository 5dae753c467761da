"""The two baselines the risk engine is measured against, as pure functions of a snapshot.

1. Shared identifiers, the Neo4j GDS first-party-fraud recipe: companies are linked when
   they share a phone, an address or a person (holder or officer of both); the weakly
   connected components of that company graph with at least two companies are the rings,
   and a company's weighted degree (how many identifiers it shares, with multiplicity) is
   its risk score. No weighting by rarity: that is what our propagation adds.
2. Hop distance: how many relationships separate a company from the nearest exposed one,
   over every relationship type, undirected; score 1 / (1 + hops).

Both are deliberately plain: they are what an analyst would build first in Cypher/GDS.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components, dijkstra

from riskgraph.graph.snapshot import FloatArray, IntArray, Snapshot

# company -> identifier relationships whose targets are shared identifiers
IDENTIFIER_RELATIONSHIPS = (("HAS_PHONE", "Phone"), ("REGISTERED_AT", "Address"))
# person -> company relationships that make the person a shared identifier
PERSON_RELATIONSHIPS = ("HOLDS", "OFFICER_OF")
RING_PREFIX = "G"


def company_scores(snapshot: Snapshot, values: npt.NDArray[Any]) -> dict[str, float]:
    """Company key -> value, the form ``evaluation.contagion_metrics`` takes."""
    table = snapshot.nodes.get("Company")
    if table is None:
        return {}
    return {str(k): float(v) for k, v in zip(table.keys, values, strict=True)}


def _binary(rows: IntArray, cols: IntArray, shape: tuple[int, int]) -> sp.csr_array:
    matrix = sp.csr_array((np.ones(len(rows), np.int64), (rows, cols)), shape=shape)
    matrix.sum_duplicates()
    matrix.data[:] = 1
    return matrix


def person_incidence(snapshot: Snapshot) -> sp.csr_array:
    """Company × person 0/1: the person holds or is an officer of the company. Holding and
    serving the same company is one shared identifier, not two: the recipe counts shared
    identifiers, not shared relationships."""
    rows, cols = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
    for rel_type in PERSON_RELATIONSHIPS:
        table = snapshot.edges.get(("Person", rel_type, "Company"))
        if table is not None:
            rows.append(table.target)
            cols.append(table.source)
    shape = (snapshot.size("Company"), snapshot.size("Person"))
    return _binary(np.concatenate(rows), np.concatenate(cols), shape)


def identifier_incidence(snapshot: Snapshot, max_sharing: int | None = None) -> sp.csr_array:
    """Company × identifier 0/1: phones, then addresses, then persons as columns.

    With ``max_sharing``, identifiers on more companies than that (incubator addresses,
    bookkeeping agencies' phones) are dropped: the usual first fix to the recipe, kept
    optional so the recipe itself stays the default."""
    n = snapshot.size("Company")
    blocks = []
    for rel_type, label in IDENTIFIER_RELATIONSHIPS:
        table = snapshot.edges.get(("Company", rel_type, label))
        empty = np.zeros(0, np.int64)
        source, target = (empty, empty) if table is None else (table.source, table.target)
        blocks.append(_binary(source, target, (n, snapshot.size(label))))
    blocks.append(person_incidence(snapshot))
    incidence = sp.csr_array(sp.hstack(blocks, format="csr"))
    if max_sharing is not None:
        companies_per_identifier = np.diff(sp.csc_array(incidence).indptr)
        keep = (companies_per_identifier <= max_sharing).astype(np.int64)
        incidence = sp.csr_array(incidence @ sp.diags_array(keep, dtype=np.int64))
        incidence.eliminate_zeros()
    return incidence


def shared_identifier_graph(incidence: sp.csr_array) -> sp.csr_array:
    """Company × company: how many identifiers each pair shares. B @ B.T costs the sum of
    squared identifier degrees (an address on 500 companies: 250k entries), never a loop
    over cliques; the diagonal (a company's own identifier count) is dropped."""
    shared = sp.csr_array(incidence @ incidence.T)
    shared = sp.csr_array(shared - sp.diags_array(shared.diagonal(), dtype=shared.dtype))
    shared.eliminate_zeros()
    return shared


@dataclass(frozen=True)
class SharedIdentifierBaseline:
    company_graph: sp.csr_array = field(repr=False)  # shared identifiers per company pair
    components: IntArray  # component label per company, in the Company table's order
    degree: IntArray  # weighted degree per company: the score
    rings: dict[str, str]  # entity key (company or person) -> ring id
    scores: dict[str, float]  # company key -> weighted degree


def shared_identifier_rings(
    snapshot: Snapshot,
    *,
    min_companies: int = 2,
    person_links: int = 2,
    max_sharing: int | None = None,
) -> SharedIdentifierBaseline:
    """The GDS recipe: rings = weakly connected components of the shared-identifier graph
    with at least ``min_companies`` companies; score = weighted degree.

    Persons join the ring of the companies they hold or serve (all of a person's
    companies share that person, so they lie in one component) when they are attached to
    at least ``person_links`` of them: 2 keeps the persons that are themselves shared
    identifiers, the ones the recipe would surface; 1 takes every holder and officer.
    ``max_sharing``: see ``identifier_incidence``; persons over the cap join no ring."""
    incidence = identifier_incidence(snapshot, max_sharing)
    graph = shared_identifier_graph(incidence)
    n = snapshot.size("Company")
    if n:
        _, labels = connected_components(graph, directed=False)
        labels = labels.astype(np.int64)
    else:
        labels = np.zeros(0, np.int64)
    sizes = np.bincount(labels, minlength=1)
    in_ring = sizes[labels] >= min_companies
    companies = snapshot.nodes.get("Company")
    rings: dict[str, str] = {}
    if companies is not None:
        for i in np.flatnonzero(in_ring):
            rings[str(companies.keys[i])] = f"{RING_PREFIX}{labels[i]}"
    persons = snapshot.nodes.get("Person")
    if persons is not None and n:
        person_block = sp.csc_array(incidence[:, incidence.shape[1] - len(persons) :])
        links = np.diff(person_block.indptr)
        for j in np.flatnonzero(links >= max(person_links, 1)):
            company = person_block.indices[person_block.indptr[j]]
            if in_ring[company]:
                rings[str(persons.keys[j])] = f"{RING_PREFIX}{labels[company]}"
    degree = np.asarray(graph.sum(axis=1), dtype=np.int64).ravel()
    return SharedIdentifierBaseline(graph, labels, degree, rings, company_scores(snapshot, degree))


@dataclass(frozen=True)
class EntityGraph:
    offsets: dict[str, int]  # label -> first global index
    sizes: dict[str, int]
    adjacency: sp.csr_array  # symmetric, 0/1


def entity_graph(snapshot: Snapshot) -> EntityGraph:
    """Every entity but events as one undirected, unweighted graph of all relationships."""
    labels = [label for label in sorted(snapshot.nodes) if label != "Event"]
    offsets, sizes, total = {}, {}, 0
    for label in labels:
        offsets[label], sizes[label] = total, snapshot.size(label)
        total += sizes[label]
    rows, cols = [], []
    for (source_label, _, target_label), table in sorted(snapshot.edges.items()):
        if source_label in offsets and target_label in offsets:
            rows.append(table.source + offsets[source_label])
            cols.append(table.target + offsets[target_label])
    r = np.concatenate(rows) if rows else np.zeros(0, np.int64)
    c = np.concatenate(cols) if cols else np.zeros(0, np.int64)
    upper = sp.csr_array((np.ones(len(r)), (r, c)), shape=(total, total))
    adjacency = sp.csr_array(upper + upper.T)
    adjacency.data[:] = 1.0
    return EntityGraph(offsets, sizes, adjacency)


@dataclass(frozen=True)
class HopBaseline:
    hops: FloatArray  # per company, in the Company table's order; inf when unreachable
    scores: dict[str, float]  # company key -> 1 / (1 + hops), 0 when unreachable


def hop_distance(snapshot: Snapshot, seeds: npt.NDArray[np.bool_] | None = None) -> HopBaseline:
    """Hops from each company to the nearest seed (default: the exposed companies), one
    multi-source search (``min_only``) rather than one per seed."""
    graph = entity_graph(snapshot)
    n = snapshot.size("Company")
    seed_mask = snapshot.exposed() if seeds is None else np.asarray(seeds, dtype=bool)
    start = graph.offsets.get("Company", 0)
    sources = np.flatnonzero(seed_mask) + start
    if len(sources) == 0 or n == 0:
        hops = np.full(n, np.inf)
    else:
        distance = dijkstra(
            graph.adjacency, directed=False, indices=sources, unweighted=True, min_only=True
        )
        hops = np.asarray(distance, dtype=np.float64)[start : start + n]
    score = np.where(np.isfinite(hops), 1.0 / (1.0 + hops), 0.0)
    return HopBaseline(hops, company_scores(snapshot, score))
