"""Why a company scores, as data: its evidence paths (from the engine's state) and the
explanation subgraph (those paths plus its neighbourhood, capped) that /subgraph serves and
the pyvis page draws."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from riskgraph.api.models import (
    EvidenceHop,
    EvidencePathOut,
    NodeRef,
    Subgraph,
    SubgraphEdge,
    SubgraphNode,
)
from riskgraph.engine.state import EngineState
from riskgraph.graph import investigate
from riskgraph.graph.gateway import Gateway
from riskgraph.graph.schema import relationship_types
from riskgraph.i18n.render import N_, Renderer
from riskgraph.risk.evidence import EvidencePath, EvidenceTree, evidence_paths

# Relationship types an explanation shows by default: all but the alerts' bookkeeping.
EXPLANATION_TYPES = tuple(sorted(relationship_types() - {"ALERT_ON"}))
PER_NODE = 25  # neighbours taken per expanded node: hubs cannot flood the picture


def path_out(
    state: EngineState,
    path: EvidencePath,
    words: Renderer,
    names: Mapping[tuple[str, str], str] | None = None,
) -> EvidencePathOut:
    """An evidence path with entity keys, and a text an analyst can follow hop by hop, in
    the reader's language, entities named where ``names`` knows them."""
    chain = [path.seed] + [hop.target for hop in path.hops]
    refs = [NodeRef(id=key, label=label) for label, key in map(state.node_key, chain)]
    names = names or {}

    def entity(ref: NodeRef) -> dict[str, Any]:
        return {"label": ref.label, "id": ref.id, "name": names.get((ref.label, ref.id))}

    text = words.path(
        {
            "seed": entity(refs[0]),
            "hops": [
                {"type": hop.type, "entity": entity(ref)}
                for hop, ref in zip(path.hops, refs[1:], strict=True)
            ],
        }
    )
    return EvidencePathOut(
        seed_id=refs[0].id,
        contribution=path.contribution,
        text=text,
        nodes=refs,
        hops=[EvidenceHop(type=h.type, forward=h.forward, weight=h.weight) for h in path.hops],
    )


def company_paths(
    state: EngineState, company_id: str, k: int = 3, tree: EvidenceTree | None = None
) -> list[EvidencePath]:
    """Up to ``k`` strongest paths from the seeds of ``tree`` (default: today's exposed
    companies) to the company; [] when the state does not know it."""
    node = state.company_node(company_id)
    if node is None:
        return []
    return evidence_paths(tree or state.tree, node, k=k)


def path_keys(state: EngineState, paths: list[EvidencePath]) -> list[tuple[str, str]]:
    """(label, key) of every entity on ``paths``, once each: the companies and persons to
    name, the phones whose owners decide the masking."""
    nodes = {n for p in paths for n in [p.seed] + [h.target for h in p.hops]}
    return sorted(state.node_key(n) for n in nodes)


def company_evidence(
    state: EngineState,
    company_id: str,
    words: Renderer,
    k: int = 3,
    tree: EvidenceTree | None = None,
) -> list[EvidencePathOut]:
    """Up to ``k`` strongest paths from the seeds of ``tree`` (default: today's exposed
    companies) to the company; [] when the state does not know it (loaded before it was)."""
    return [path_out(state, p, words) for p in company_paths(state, company_id, k, tree)]


def edge_label(rel_type: str, share: float | None, role: str | None) -> str:
    """'LEGAL_REP', 'DIRECTOR', 'HOLDS 51%'..., what the picture writes on an edge."""
    if rel_type == "OFFICER_OF" and role:
        return "LEGAL_REP" if role == "legal_representative" else role.upper()
    if rel_type == "HOLDS" and share is not None:
        percent = share * 100
        return f"HOLDS {percent:.0f}%" if percent >= 1 else f"HOLDS {percent:.1f}%"
    return rel_type


def build_subgraph(
    graph: Gateway,
    state: EngineState | None,
    company_id: str,
    hops: int,
    types: list[str],
    limit: int,
    words: Renderer,
    as_of: date | None = None,
) -> Subgraph:
    """The company, its evidence paths (always shown, marked), then its neighbourhood breadth
    first, up to ``limit`` nodes; what the caps left out is counted and said. The
    neighbourhood and edges are those in force on ``as_of`` (None: today); the evidence
    paths are the current run's."""
    follow = types or list(EXPLANATION_TYPES)
    evidence = company_evidence(state, company_id, words) if state is not None else []
    order: list[tuple[str, str]] = [("Company", company_id)]
    for path in evidence:
        order += [(ref.label, ref.id) for ref in path.nodes]
    params = investigate.NeighbourhoodParams(
        id=company_id,
        hops=hops,
        types=follow,
        per_node=PER_NODE,
        frontier=limit,
        limit=limit,
        as_of=as_of,
    )
    rows = graph.read("neighbourhood", **params.model_dump(by_alias=True))
    page = investigate.NeighbourhoodPage.model_validate(rows[0]) if rows else None
    reached = [] if page is None else [(n.label, n.id) for n in page.nodes]
    seen: set[tuple[str, str]] = set()
    chosen: list[tuple[str, str]] = []
    for item in order + reached:
        if item not in seen and len(chosen) < max(limit, len(set(order))):
            seen.add(item)
            chosen.append(item)
    total = 0 if page is None else page.total
    capped = 0 if page is None else sum(page.left_out)
    shown_reached = sum(1 for item in set(reached) if item in seen)
    left_out = max(total - shown_reached, 0) + capped
    nodes = _nodes(graph, chosen)
    evidence_pairs = {
        frozenset({(a.label, a.id), (b.label, b.id)})
        for path in evidence
        for a, b in zip(path.nodes, path.nodes[1:], strict=False)
    }
    hop_types = {hop.type for path in evidence for hop in path.hops}
    day = params.as_of or date.today()
    edges = _edges(graph, chosen, sorted(set(follow) | hop_types), limit * 4, evidence_pairs, day)
    edges = [e for e in edges if e.type in follow or e.evidence]
    note = None
    if left_out:
        note = words.text(N_("{shown} of {total} nodes reached within {hops} hop(s) shown")).format(
            shown=shown_reached, total=total, hops=hops
        ) + words.text(
            N_("; {capped} more links of hubs not followed (at most {per_node} per node)")
        ).format(capped=capped, per_node=PER_NODE) * bool(capped)
    return Subgraph(center=company_id, nodes=nodes, edges=edges, left_out=left_out, note=note)


RING_KINDS = {"phone": "Phone", "address": "Address", "person": "Person"}


def build_ring_subgraph(
    graph: Gateway, ring: dict[str, Any], limit: int, as_of: date, words: Renderer
) -> Subgraph:
    """A ring drawn: the ring, its member companies and people and the identifiers they
    share, with the relationships among them in force on ``as_of``. ``ring``: an
    ``api_ring`` row."""
    chosen: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    items = [("Ring", ring["ring"]["id"])]
    items += [("Company", c["id"]) for c in ring["companies"]]
    items += [("Person", p["id"]) for p in ring["persons"]]
    items += [(RING_KINDS[s["kind"]], s["value"]) for s in ring["shared"]]
    for item in items:
        if item not in seen:
            seen.add(item)
            chosen.append(item)
    shown_nodes = chosen[:limit]
    nodes = _nodes(graph, shown_nodes)
    edges = _edges(graph, shown_nodes, list(EXPLANATION_TYPES), limit * 4, set(), as_of)
    left_out = len(chosen) - len(shown_nodes)
    note = None
    if left_out:
        note = words.text(N_("{shown} of {total} nodes shown")).format(
            shown=len(shown_nodes), total=len(chosen)
        )
    return Subgraph(
        center=ring["ring"]["id"], nodes=nodes, edges=edges, left_out=left_out, note=note
    )


def _nodes(graph: Gateway, chosen: list[tuple[str, str]]) -> list[SubgraphNode]:
    cards = graph.read("api_entity_cards", nodes=[{"label": a, "key": b} for a, b in chosen])
    found: dict[tuple[str, str], dict[str, Any]] = {(r["label"], r["key"]): r for r in cards}
    out = []
    for label, key in chosen:
        card = found.get((label, key), {})
        out.append(
            SubgraphNode(
                id=key,
                type=label,
                name=card.get("name"),
                level=card.get("level"),
                score=card.get("score"),
            )
        )
    return out


def _edges(
    graph: Gateway,
    chosen: list[tuple[str, str]],
    types: list[str],
    limit: int,
    evidence_pairs: set[frozenset[tuple[str, str]]],
    as_of: date,
) -> list[SubgraphEdge]:
    rows = graph.read(
        "api_subgraph_edges",
        nodes=[{"label": a, "key": b} for a, b in chosen],
        types=types,
        limit=limit,
        as_of=as_of,
    )
    out = []
    for r in rows:
        pair = frozenset({(r["source_label"], r["source"]), (r["target_label"], r["target"])})
        out.append(
            SubgraphEdge(
                source=r["source"],
                target=r["target"],
                source_type=r["source_label"],
                target_type=r["target_label"],
                type=r["type"],
                label=edge_label(r["type"], r["share"], r["role"]),
                evidence=pair in evidence_pairs,
            )
        )
    return out
