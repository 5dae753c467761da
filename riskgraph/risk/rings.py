"""Ring (团伙) detection: pure functions over the snapshot.

Companies are linked when they share a *rare* phone, address or person (weighted by the
identifier's rarity) or when one holds the other. Identifiers on more than
``max_identifier_degree`` filings (incubators, bookkeeping agencies) carry almost no
evidence and are left out, so they cannot glue unrelated firms into one blob. Leiden with
the constant Potts model (CPM) then finds groups denser than ``resolution``; unlike
modularity it has no resolution limit, so a ring of eight firms is not swallowed by its
neighbourhood. Each group is scored from features that separate gangs from legitimate
structure (a conglomerate is dense too, but it grew over years, in ordinary industries,
without complaints): see ``ring_score`` and ``docs/risk-model.md``.

People join the ring of the companies they tie together (officer or holder of two or
more of its companies) or control (a holding of at least ``controller_share``).
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from riskgraph.graph.schema import EventType, OfficerRole
from riskgraph.graph.snapshot import EVENT_TYPES, ROLES, FloatArray, IntArray, Snapshot
from riskgraph.imports import import_without
from riskgraph.risk.codes import Reason, RingReasonCode
from riskgraph.risk.propagation import rarity
from riskgraph.risk.ring_ids import ring_id
from riskgraph.risk.scoring import high_risk_industry
from riskgraph.weights import RING_FEATURE_WEIGHTS

_LEGAL = ROLES.index(OfficerRole.LEGAL_REPRESENTATIVE)


@dataclass(frozen=True)
class RingParams:
    resolution: float = 0.1  # CPM: the least link weight per pair for a group to hold
    # the second pass, over companies left in groups under min_companies: sparse groups,
    # such as twenty firms on one phone and nothing else (1/19 a pair, ``rarity``)
    sparse_resolution: float = 0.02
    max_identifier_degree: int = 60  # identifiers on more filings are hubs, not evidence
    min_companies: int = 5
    threshold: float = 0.5  # ring score from which a group is reported as a ring
    burst_days: int = 90  # the window of a registration burst
    controller_share: float = 0.2
    seed: int = 7  # Leiden is randomised; a fixed seed makes runs repeatable
    iterations: int = 2  # Leiden passes; -1 iterates to a fixed point (50x slower at 650k)


@dataclass(frozen=True)
class Ring:
    """One reported ring: its members (row indices in the snapshot) and what explains it."""

    companies: IntArray
    persons: IntArray
    score: float
    features: dict[str, float]


@dataclass(frozen=True)
class RingResult:
    rings: list[Ring]  # by score, highest first
    company_ring: IntArray  # per company: position in ``rings``, -1 when none
    person_ring: IntArray
    # ring ids, one per ring (``riskgraph.risk.ring_ids``, stable across runs); empty until
    # the analysis gives them, when position i reads as R{i + 1}
    ids: tuple[str, ...] = ()
    issued: int = 0  # the highest ring number ever issued, these included

    def id_at(self, position: int) -> str:
        return self.ids[position] if self.ids else ring_id(position + 1)


def _company_incidence(snapshot: Snapshot, label: str, rel_type: str) -> sp.csr_array:
    """Companies × entities of ``label`` tied to them by ``rel_type`` (either direction)."""
    companies = snapshot.size("Company")
    shape = (companies, snapshot.size(label))
    forward, backward = ("Company", rel_type, label), (label, rel_type, "Company")
    rows: list[IntArray] = []
    cols: list[IntArray] = []
    if forward in snapshot.edges:
        rows.append(snapshot.edges[forward].source)
        cols.append(snapshot.edges[forward].target)
    if backward in snapshot.edges:
        rows.append(snapshot.edges[backward].target)
        cols.append(snapshot.edges[backward].source)
    if not rows:
        return sp.csr_array(shape)
    r, c = np.concatenate(rows), np.concatenate(cols)
    matrix = sp.csr_array((np.ones(len(r)), (r, c)), shape=shape)
    matrix.data[:] = 1.0  # a person who is both officer and holder is one tie
    return matrix


_NUMERALS = {ch: i for i, ch in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_HOUSE_NUMBER = re.compile(r"([〇零一二三四五六七八九十两]{1,4})(?=号)")
# the same place written other ways: 12层 = 12楼, A栋 = A座 = A幢, 88# = 88号, 1203室 = 1203
_SPELLINGS = (
    (re.compile(r"(?<=\d)#"), "号"),
    (re.compile(r"(?<=[0-9A-Za-z])[栋座]"), "幢"),
    (re.compile(r"(?<=\d)层"), "楼"),
    (re.compile(r"(?<=\d)室$"), ""),
)


def _chinese_number(text: str) -> str:
    """十二 -> 12, 二十 -> 20, 九十九 -> 99, 一〇五 -> 105; the text itself when not a number."""
    if "十" not in text:
        return "".join(str(_NUMERALS[ch]) for ch in text)
    tens, _, units = text.partition("十")
    if "十" in units or len(tens) > 1 or len(units) > 1:
        return text
    return str((_NUMERALS[tens] if tens else 1) * 10 + (_NUMERALS[units] if units else 0))


def address_form(key: str) -> str:
    """One spelling of a normalised address key for linkage: the building, floor and room
    words registries use interchangeably made one (栋/座/幢, 层/楼, #/号, a trailing 室)
    and a house number in Chinese numerals in digits. Stored keys stay as they are."""
    text = _HOUSE_NUMBER.sub(lambda m: _chinese_number(m.group(1)), key)
    for pattern, replacement in _SPELLINGS:
        text = pattern.sub(replacement, text)
    return text.upper()


def _merge_columns(incidence: sp.csr_array, keys: npt.NDArray[np.object_]) -> sp.csr_array:
    """Columns whose keys have the same ``address_form`` summed into one (ties stay 0/1)."""
    if len(keys) == 0:
        return incidence
    _, group = np.unique(np.array([address_form(str(k)) for k in keys]), return_inverse=True)
    if int(group.max()) + 1 == len(keys):
        return incidence
    merge = sp.csr_array(
        (np.ones(len(keys)), (np.arange(len(keys)), group)), shape=(len(keys), int(group.max()) + 1)
    )
    merged = sp.csr_array(incidence @ merge)
    merged.data[:] = 1.0
    return merged


def connectors(snapshot: Snapshot) -> dict[str, sp.csr_array]:
    """Company × connector incidence for every kind of thing companies can share; addresses
    spelled differently but naming the same place (``address_form``) are one connector."""
    people = _company_incidence(snapshot, "Person", "OFFICER_OF") + _company_incidence(
        snapshot, "Person", "HOLDS"
    )
    people.data[:] = 1.0
    addresses = _company_incidence(snapshot, "Address", "REGISTERED_AT")
    if "Address" in snapshot.nodes:
        addresses = _merge_columns(addresses, snapshot.nodes["Address"].keys)
    return {
        "Phone": _company_incidence(snapshot, "Phone", "HAS_PHONE"),
        "Address": addresses,
        "Person": sp.csr_array(people),
    }


def linkage(snapshot: Snapshot, max_identifier_degree: int) -> sp.csr_array:
    """Symmetric company × company evidence: the summed rarity of what two companies share,
    plus 1 for each holding between them."""
    n = snapshot.size("Company")
    total = sp.csr_array((n, n))
    for incidence in connectors(snapshot).values():
        degree = np.asarray(incidence.sum(axis=0)).ravel()
        keep = np.flatnonzero((degree >= 2) & (degree <= max_identifier_degree))
        if len(keep) == 0:
            continue
        scaled = incidence[:, keep] @ sp.diags_array(np.sqrt(rarity(degree[keep])))
        total = total + scaled @ scaled.T
    key = ("Company", "HOLDS", "Company")
    if key in snapshot.edges:
        holds = snapshot.adjacency(key)
        holds.data[:] = 1.0
        total = total + holds + holds.T
    total = sp.csr_array(total)
    total.setdiag(0)
    total.eliminate_zeros()
    return total


def _igraph() -> Any:
    """igraph, imported on first use (an API worker never needs it) and without the
    matplotlib it would load for plotting (``riskgraph.imports``)."""
    return import_without("igraph", "matplotlib")


def communities(links: sp.csr_array, resolution: float, seed: int, iterations: int = 2) -> IntArray:
    """Leiden (CPM) community of every company; isolated companies get their own. Leiden
    runs on the linked companies only (an isolated one is its own community whatever the
    run), 40% of the province's companies fewer; the graph is handed over as Python lists,
    which igraph reads four times faster than a numpy array (0.8 s against 3.4 s)."""
    n = links.shape[0]
    linked = np.flatnonzero(np.diff(sp.csr_array(links).indptr) > 0)
    membership = np.arange(n, dtype=np.int64)  # isolated: numbered after the communities
    if len(linked) == 0:
        return membership
    ig = _igraph()
    upper = sp.triu(links[linked][:, linked], k=1).tocoo()
    graph = ig.Graph(
        n=len(linked),
        edges=list(zip(upper.row.tolist(), upper.col.tolist(), strict=True)),
        edge_attrs={"weight": upper.data.tolist()},
    )
    previous = random.getstate()
    ig.set_random_number_generator(random.Random(seed))
    try:
        partition = graph.community_leiden(
            objective_function="CPM",
            weights="weight",
            resolution=resolution,
            n_iterations=iterations,
        )
    finally:
        ig.set_random_number_generator(random)
        random.setstate(previous)
    found = np.asarray(partition.membership, dtype=np.int64)
    isolated = np.ones(n, dtype=bool)
    isolated[linked] = False
    membership[linked] = found
    membership[isolated] = found.max() + 1 + np.arange(int(isolated.sum()))
    return membership


def _one_hot(membership: IntArray) -> sp.csr_array:
    n = len(membership)
    return sp.csr_array(
        (np.ones(n), (np.arange(n), membership)), shape=(n, int(membership.max()) + 1)
    )


def _merge_tied_groups(links: sp.csr_array, membership: IntArray, min_size: int) -> IntArray:
    """Groups of ``min_size`` or more that send each other the majority of the link weight
    leaving them, at least half a tie per company of the smaller, from a third or more of
    each group's companies (not through one bridging company), become one."""
    one_hot = _one_hot(membership)
    reach = sp.csr_array(links @ one_hot)
    reach.data[:] = 1.0
    between = sp.csr_array(one_hot.T @ links @ one_hot).tocoo()
    tied_companies = sp.csr_array(one_hot.T @ reach)
    size = np.bincount(membership)
    outside = between.row != between.col
    leaving = np.bincount(between.row[outside], weights=between.data[outside], minlength=len(size))
    a, b, w = between.row, between.col, between.data
    tied = (
        outside
        & (size[a] >= min_size)
        & (size[b] >= min_size)
        & (w >= 0.5 * np.minimum(size[a], size[b]))
        & (w > 0.5 * leaving[a])
        & (w > 0.5 * leaving[b])
    )
    if tied.any():
        a_to_b = np.asarray(tied_companies[a[tied], b[tied]]).ravel()
        b_to_a = np.asarray(tied_companies[b[tied], a[tied]]).ravel()
        wide = (a_to_b >= size[a[tied]] / 3) & (b_to_a >= size[b[tied]] / 3)
        tied[np.flatnonzero(tied)[~wide]] = False
    if not tied.any():
        return membership
    pairs = sp.csr_array((np.ones(int(tied.sum())), (a[tied], b[tied])), shape=(len(size),) * 2)
    _, merged = connected_components(pairs, directed=False)
    out: IntArray = merged[membership].astype(np.int64)
    return out


SHARED_TIE = 0.5  # half an identifier's worth of ties to a group (consolidate)


def consolidate(
    links: sp.csr_array, membership: IntArray, min_size: int, rounds: int = 2
) -> IntArray:
    """Undo what CPM's density bar does to big groups. A company stays in a group only with
    link weight of ``resolution`` times the group's size, but what one company shares (a
    phone, an address, a few people: about 1 each, ``rarity``) does not grow with the
    group, so a ring of 50 sheds its less tied members and breaks in parts. Here two groups
    of ``min_size`` or more merge when each sends the other most of the weight leaving it,
    and a company joins such a group when it holds the majority of the company's evidence
    (at least 2, more than its own group), or the most of it, at least half an identifier's
    worth (``SHARED_TIE``) from three or more of the group's companies, when the group is
    bigger than its own. Small groups and weak ties stay as they were."""
    membership = membership.copy()
    if len(membership) == 0:
        return membership
    strength = np.asarray(links.sum(axis=1)).ravel()
    tied = links.astype(bool).astype(np.float64)  # 1 for each company tied to another
    rows = np.arange(len(membership))
    for _ in range(rounds):
        membership = _merge_tied_groups(links, membership, min_size)
        groups = _one_hot(membership)
        weights = sp.csr_array(links @ groups)
        size = np.bincount(membership)
        best = np.asarray(weights.argmax(axis=1)).ravel()
        most = np.asarray(weights.max(axis=1).todense()).ravel()
        own = np.asarray(weights[rows, membership]).ravel()
        # how many of the best group's companies each company is tied to
        breadth = np.asarray(sp.csr_array(tied @ groups)[rows, best]).ravel()
        move = (best != membership) & (size[best] >= min_size)
        majority = (most >= 2.0) & (most > 0.5 * strength) & (most > own)
        # an identifier shared with the group's companies (its ties to them sum to up to 1,
        # what one identifier gives) against nothing stronger elsewhere: a tie to a ring of
        # many, from several of its companies, outweighs as strong a tie to one firm
        shared = (
            (most >= SHARED_TIE) & (most >= own) & (breadth >= 3) & (size[best] > size[membership])
        )
        move &= majority | shared
        if not move.any():
            break
        membership[move] = best[move]
    return membership


def regroup_leftovers(links: sp.csr_array, membership: IntArray, params: RingParams) -> IntArray:
    """A second Leiden pass at ``sparse_resolution`` over the companies left in groups of
    fewer than ``min_companies``. One identifier shared by ``d`` firms links each pair by
    1/(d-1), so a ring whose firms share only one phone or one address (twenty of them: 0.05
    a pair) never holds together at ``resolution``. Here every link counts at most
    ``resolution``, so that what groups is many weak ties, not one strong one; the dense
    groups found first keep their members, and these groups are scored like any other."""
    size = np.bincount(membership)
    left = np.flatnonzero(size[membership] < params.min_companies)
    if len(left) == 0 or params.sparse_resolution >= params.resolution:
        return membership
    capped = sp.csr_array(links[left][:, left])
    # one strong tie (a family's firms, a chance shared address) must not glue groups here
    capped.data = np.minimum(capped.data, params.resolution)
    found = communities(capped, params.sparse_resolution, params.seed, params.iterations)
    out = membership.copy()
    out[left] = int(membership.max()) + 1 + found
    _, dense = np.unique(out, return_inverse=True)  # numbered 0.. again
    result: IntArray = dense.astype(np.int64)
    return result


def _holdings(snapshot: Snapshot) -> sp.csr_array:
    n = snapshot.size("Company")
    key = ("Company", "HOLDS", "Company")
    return snapshot.adjacency(key) if key in snapshot.edges else sp.csr_array((n, n))


def company_legal_fronts(snapshot: Snapshot) -> IntArray:
    """Per company, its legal representative's person index (-1 when none)."""
    front = np.full(snapshot.size("Company"), -1, dtype=np.int64)
    table = snapshot.edges.get(("Person", "OFFICER_OF", "Company"))
    if table is not None:
        legal = table.role == _LEGAL
        front[table.target[legal]] = table.source[legal]
    return front


@dataclass(frozen=True)
class _Context:
    """Per-company arrays the features read, computed once per run."""

    fronts: IntArray
    events: npt.NDArray[np.int64]
    alarm_types: IntArray
    established: FloatArray
    high_risk: npt.NDArray[np.bool_]
    exposed: npt.NDArray[np.bool_]
    holds: sp.csr_array


def _window_counts(group: IntArray, days: FloatArray, window: float, groups: int) -> FloatArray:
    """Per group, the most of its companies registered within one ``window`` of days.

    One sort by (group, date) for all groups at once: each company's window ends at the
    first later company of its group more than ``window`` days on."""
    known = ~np.isnan(days)
    g, d = group[known], days[known]
    span = float(np.nanmax(days) - np.nanmin(days)) + window + 1.0 if known.any() else 1.0
    key = g * span + (d - float(np.nanmin(days)) if known.any() else d)
    order = np.argsort(key, kind="stable")
    key, g = key[order], g[order]
    ends = np.searchsorted(key, key + window, side="right")
    best = np.zeros(groups)
    np.maximum.at(best, g, (ends - np.arange(len(key))).astype(np.float64))
    return best


def group_features(
    links: sp.csr_array, membership: IntArray, params: RingParams, context: _Context
) -> dict[str, FloatArray]:
    """Every group's features at once, each in plain units (shares, counts, 0/1): one pass
    over the linkage and the holdings instead of a sub-matrix per group (17,000 groups of
    five or more companies in a 650k province)."""
    groups = int(membership.max()) + 1 if len(membership) else 0
    size = np.bincount(membership, minlength=groups).astype(np.float64)
    pairs = links.tocoo()
    inside = membership[pairs.row] == membership[pairs.col]
    rows, owner = pairs.row[inside], membership[pairs.row[inside]]
    internal = np.bincount(owner, minlength=groups).astype(np.float64)  # both directions
    strength = np.bincount(owner, weights=pairs.data[inside], minlength=groups)
    ties = np.bincount(rows, minlength=len(membership))
    tied = np.bincount(membership, weights=(ties >= 2).astype(np.float64), minlength=groups)
    # nominee fronts: companies whose legal representative fronts two or more in the group
    fronts = context.fronts
    has = fronts >= 0
    pair_key = membership[has] * (int(fronts.max()) + 1 if has.any() else 1) + fronts[has]
    _, inverse, counts = np.unique(pair_key, return_inverse=True, return_counts=True)
    fronted = np.zeros(len(membership))
    fronted[np.flatnonzero(has)] = counts[inverse] >= 2
    nominee = np.bincount(membership, weights=fronted, minlength=groups)
    alarms = context.events[:, context.alarm_types].sum(axis=1).astype(np.float64)
    # circular holdings: a strongly connected set of holdings inside one group
    holds = context.holds.tocoo()
    own = membership[holds.row] == membership[holds.col]
    internal_holds = sp.csr_array(
        (np.ones(int(own.sum())), (holds.row[own], holds.col[own])), shape=context.holds.shape
    )
    _, scc = connected_components(internal_holds, directed=True, connection="strong")
    in_cycle = np.bincount(scc, minlength=len(membership))[scc] > 1
    burst = _window_counts(membership, context.established, float(params.burst_days), groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        return {
            "companies": size,
            "density": np.where(size > 1, internal / (size * (size - 1)), 0.0),
            "link_strength": strength / np.maximum(internal, 1.0),
            "tied_share": tied / size,
            "burst": burst / size,
            "nominee_fronts": nominee / size,
            "high_risk_industry": np.bincount(
                membership, weights=context.high_risk.astype(np.float64), minlength=groups
            )
            / size,
            "alarm_events_per_company": np.bincount(membership, weights=alarms, minlength=groups)
            / size,
            "exposed": np.bincount(
                membership, weights=context.exposed.astype(np.float64), minlength=groups
            ),
            "circular_holdings": (
                np.bincount(membership, weights=in_cycle.astype(np.float64), minlength=groups) > 0
            ).astype(np.float64),
        }


def ring_score(features: Mapping[str, float]) -> float:
    """0-1 from the features: a weighted mean of each feature's evidence, saturating, with
    the weights in ``riskgraph.weights.RING_FEATURE_WEIGHTS``."""
    evidence = {
        "burst": features["burst"],
        "nominee_fronts": features["nominee_fronts"],
        "high_risk_industry": features["high_risk_industry"],
        "tied_share": features["tied_share"],
        "alarm_events": min(1.0, features["alarm_events_per_company"] / 0.5),
        "exposed": min(1.0, features["exposed"]),
        "circular_holdings": features["circular_holdings"],
    }
    total = sum(RING_FEATURE_WEIGHTS.values())
    return sum(RING_FEATURE_WEIGHTS[k] * v for k, v in evidence.items()) / total


def _context(snapshot: Snapshot) -> _Context:
    established = snapshot.nodes["Company"].columns.get("established")
    alarms = [EventType.COMPLAINT, EventType.NEGATIVE_NEWS, EventType.CASE_FILED]
    return _Context(
        fronts=company_legal_fronts(snapshot),
        events=snapshot.event_counts(),
        alarm_types=np.array([EVENT_TYPES.index(t) for t in alarms]),
        established=(
            established if established is not None else np.full(snapshot.size("Company"), np.nan)
        ),
        high_risk=high_risk_industry(snapshot),
        exposed=snapshot.exposed(),
        holds=_holdings(snapshot),
    )


def _ring_people(snapshot: Snapshot, company_ring: IntArray, params: RingParams) -> IntArray:
    """Each person's ring: the one holding most of their ties, when they tie two or more of
    its companies together or hold ``controller_share`` of one; -1 otherwise."""
    persons = snapshot.size("Person")
    person_ring = np.full(persons, -1, dtype=np.int64)
    rings = int(company_ring.max()) + 1 if len(company_ring) else 0
    if rings == 0 or persons == 0:
        return person_ring
    pairs: list[tuple[IntArray, IntArray]] = []
    controls: list[tuple[IntArray, IntArray]] = []
    for rel in ("OFFICER_OF", "HOLDS"):
        table = snapshot.edges.get(("Person", rel, "Company"))
        if table is None:
            continue
        ring = company_ring[table.target]
        inside = ring >= 0
        pairs.append((table.source[inside], table.target[inside]))
        if rel == "HOLDS":
            big = inside & (np.nan_to_num(table.share) >= params.controller_share)
            controls.append((table.source[big], ring[big]))
    person = np.concatenate([p for p, _ in pairs])
    company = np.concatenate([c for _, c in pairs])
    ties = sp.csr_array(
        (np.ones(len(person)), (person, company)), shape=(persons, len(company_ring))
    )
    ties.data[:] = 1.0  # one tie per person and company, whatever the roles
    ringed = np.flatnonzero(company_ring >= 0)
    in_ring = sp.csr_array(
        (np.ones(len(ringed)), (ringed, company_ring[ringed])), shape=(len(company_ring), rings)
    )
    per_ring = sp.csr_array(ties @ in_ring)
    best = np.asarray(per_ring.argmax(axis=1)).ravel()
    most = np.asarray(per_ring.max(axis=1).todense()).ravel()
    person_ring[most >= 2] = best[most >= 2]
    for who, ring in controls:
        free = person_ring[who] < 0
        person_ring[who[free]] = ring[free]
    return person_ring


def detect_rings(
    snapshot: Snapshot, params: RingParams | None = None, links: sp.csr_array | None = None
) -> RingResult:
    """Rings in the snapshot, scored, with their people; ``links`` is ``linkage``'s result
    when the caller has it already."""
    params = params or RingParams()
    n = snapshot.size("Company")
    empty = np.full(n, -1, dtype=np.int64)
    if n == 0:
        return RingResult([], empty, np.full(snapshot.size("Person"), -1, dtype=np.int64))
    if links is None:
        links = linkage(snapshot, params.max_identifier_degree)
    membership = communities(links, params.resolution, params.seed, params.iterations)
    membership = regroup_leftovers(links, membership, params)
    membership = consolidate(links, membership, params.min_companies)
    context = _context(snapshot)
    features = group_features(links, membership, params, context)
    candidates: list[tuple[float, IntArray, dict[str, float]]] = []
    sizes = features["companies"].astype(np.int64)
    order = np.argsort(membership, kind="stable")
    eligible = np.flatnonzero(sizes >= params.min_companies)
    starts = np.searchsorted(membership[order], eligible)
    for label, start in zip(eligible.tolist(), starts.tolist(), strict=True):
        mine = {name: float(values[label]) for name, values in features.items()}
        score = ring_score(mine)
        if score >= params.threshold:
            candidates.append((score, np.sort(order[start : start + sizes[label]]), mine))
    # highest score first; ties broken by the smallest member index, so order is stable
    candidates.sort(key=lambda c: (-c[0], int(c[1][0])))
    company_ring = empty.copy()
    for position, (_, members, _) in enumerate(candidates):
        company_ring[members] = position
    person_ring = _ring_people(snapshot, company_ring, params)
    rings = [
        Ring(
            companies=members,
            persons=np.flatnonzero(person_ring == position),
            score=score,
            features=features,
        )
        for position, (score, members, features) in enumerate(candidates)
    ]
    return RingResult(rings, company_ring, person_ring)


def ring_reasons(ring: Ring) -> list[Reason]:
    """Why a ring scored, strongest signals first."""
    f = ring.features
    n = int(f["companies"])
    out = []
    if f["exposed"] > 0:
        out.append(Reason(RingReasonCode.MEMBERS_EXPOSED, {"exposed": int(f["exposed"])}))
    if f["burst"] >= 0.5:
        out.append(
            Reason(
                RingReasonCode.REGISTRATION_BURST, {"burst": round(f["burst"] * n), "companies": n}
            )
        )
    if f["nominee_fronts"] >= 0.5:
        out.append(
            Reason(
                RingReasonCode.NOMINEE_FRONTS,
                {"fronted": round(f["nominee_fronts"] * n), "companies": n},
            )
        )
    if f["high_risk_industry"] >= 0.5:
        out.append(
            Reason(
                RingReasonCode.HIGH_RISK_INDUSTRY, {"percent": round(f["high_risk_industry"] * 100)}
            )
        )
    if f["alarm_events_per_company"] > 0:
        out.append(
            Reason(
                RingReasonCode.ALARM_EVENTS,
                {"per_company": round(float(f["alarm_events_per_company"]), 1)},
            )
        )
    if f["circular_holdings"]:
        out.append(Reason(RingReasonCode.CIRCULAR_HOLDINGS))
    out.append(Reason(RingReasonCode.TIED, {"percent": round(f["tied_share"] * 100)}))
    return out
