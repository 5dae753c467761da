"""Snapshot -> ``HeteroData``: the GNN's view of the graph, under a versioned schema.

Node types are the entities (company, person, address, phone); every relationship type of
the graph schema between them is an edge type, in both directions (``rev_<TYPE>`` runs
target to source), so information flows from a person to the companies it runs and back.
The edge types come from ``riskgraph.graph.schema``, not from the data: a province without
any BRANCH tie still has the (empty) edge type, and one model fits every province.

Events are features of their company, not nodes. Each event belongs to exactly one
company and links nothing else, so as nodes they would only add a hop (and most of the
edges) before reaching the one node they describe; counted by type, with the shape of
each company's own history, they carry the same information at a fraction of the memory,
and the exposures (the training label) are far easier to keep out of the inputs.

**Nothing about a company is measured from a common 'now'** (version 2). A company's age
and its events of the last twelve months counted from the day of the analysis were
features in version 1. The positives a model learns from are companies that failed in the
past; seen from today they look old and quiet, whatever they looked like when they failed,
and the model learns that old, quiet companies fail. SMEsD shows it (its dates are,
besides, relative to a per-company observation point that depends on the label, its
README's caveat): the product path's GNN probability ranked test at 0.799 with those
columns and 0.823 without (`gnn train` in the test world, development runs of 2026-12-07).
Its valid world preferred them (0.857 against 0.811), because its positives are seen from
the same 'now' as its training positives; they are left out on the principle above, not on
that figure. Measured from each hidden company's exposure day instead they did worse on
valid (0.773): SMEsD's exposure dates are the split's approximate month. Version 2 keeps
what no passing of time changes: the shape of the company's own event history (its span,
the share in its own last 12 and 24 months, the most in any 12 months, its age at the
first and last event), event severity, what the companies around it say
(``Neighbourhood``: direct ties, people and identifiers in common) and the exposure rate
of its industry and region. (A person's age is still counted from the analysis' day: one
shift for everyone, in effect a birth year.)

Features only depend on the data behind each key (never on a node's position), are
standardised with the means and deviations kept in the ``FeatureSchema`` of the training
graph, and are reproducible from the snapshot (plus the analysis, for the propagation
inputs: contagion and ring scores).

*Hiding* is how the label is kept out of the inputs (``riskgraph.gnn.train``): for hidden
companies the features are those of a world where their exposure is not known yet. Their
exposure events, the events dated on or after their first exposure (the case filed, the
complaints that follow a blow-up), their exposed flag and their status (abnormal or revoked
usually *follows* an exposure; the status before it is taken to be active) are left out,
they are no seed of the contagion input, and rings count only the exposures still visible.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
import torch
from torch_geometric.data import HeteroData

from riskgraph.errors import RiskgraphError
from riskgraph.graph.schema import RELATIONSHIPS, CompanyStatus, EventType
from riskgraph.graph.snapshot import (
    EVENT_TYPES,
    ROLES,
    STATUSES,
    FloatArray,
    IntArray,
    Snapshot,
)
from riskgraph.risk import scoring
from riskgraph.risk.analysis import Analysis, AnalysisParams
from riskgraph.risk.propagation import Propagator
from riskgraph.risk.rings import RingParams, company_legal_fronts, ring_score

FEATURE_VERSION = 2  # 2: event history's shape, neighbours' aggregates, category rates
# snapshot label -> node type; events are company features (module docstring)
NODE_TYPES: Mapping[str, str] = {
    "Company": "company",
    "Person": "person",
    "Address": "address",
    "Phone": "phone",
}
REVERSE = "rev_"
EdgeType = tuple[str, str, str]
Mask = npt.NDArray[np.bool_]

_EXPOSURE = EVENT_TYPES.index(EventType.EXPOSURE)
_ACTIVE = STATUSES.index(CompanyStatus.ACTIVE)
_EVENT_KINDS = [t for t in EVENT_TYPES if t != EventType.EXPOSURE]
_ALARMS = [EVENT_TYPES.index(t) for t in (EventType.COMPLAINT, EventType.NEGATIVE_NEWS)] + [
    EVENT_TYPES.index(EventType.CASE_FILED)
]
_CONTAGION_FLOOR = 1e-6  # contagion enters on a log scale: mass thins by decades per hop
_CLIP = 10.0  # standardised values beyond this many deviations are clipped
_YEAR = 365.25
# a category's (industry's, region's) exposure rate starts from the province's, worth this
# many companies: a category of three companies with one exposure is no 33% signal
_RATE_PRIOR = 20.0
_CATEGORIES = ("industry", "region")


def edge_types() -> tuple[EdgeType, ...]:
    """Every edge type, forward (as in the graph schema) then reversed, in a fixed order."""
    forward = [
        (NODE_TYPES[source], rel.type, NODE_TYPES[rel.target])
        for rel in RELATIONSHIPS
        if not rel.derived and rel.target in NODE_TYPES
        for source in rel.sources
        if source in NODE_TYPES
    ]
    return (*forward, *((dst, REVERSE + rel, src) for src, rel, dst in forward))


class SchemaMismatchError(RiskgraphError, ValueError):
    """A graph's features are not laid out as the model's were when it was trained."""


@dataclass(frozen=True)
class FeatureSchema:
    """The features' layout (names per node type, edge types, version) and the training
    graph's statistics that standardise them. A model is only valid on graphs with the
    same layout; the statistics travel with it so every graph is scaled alike."""

    version: int
    features: dict[str, tuple[str, ...]]  # node type -> feature names, in column order
    edge_types: tuple[EdgeType, ...]
    means: dict[str, tuple[float, ...]]
    stds: dict[str, tuple[float, ...]]

    def layout(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "features": {k: list(v) for k, v in sorted(self.features.items())},
            "edge_types": [list(e) for e in self.edge_types],
        }

    def check(self, other: FeatureSchema) -> None:
        """Raise ``SchemaMismatchError``, saying what differs, unless ``other`` has this
        layout (its statistics may differ: they are this schema's to apply)."""
        problems: list[str] = []
        if other.version != self.version:
            problems.append(f"feature version {other.version}, expected {self.version}")
        for node_type in sorted(set(self.features) | set(other.features)):
            mine, theirs = self.features.get(node_type, ()), other.features.get(node_type, ())
            if mine != theirs:
                missing = [n for n in mine if n not in theirs]
                extra = [n for n in theirs if n not in mine]
                detail = f"missing {missing}, unexpected {extra}" if missing or extra else "order"
                problems.append(f"{node_type} features differ ({detail})")
        if other.edge_types != self.edge_types:
            problems.append("edge types differ")
        if problems:
            raise SchemaMismatchError(
                "the graph's features do not match the model's schema: " + "; ".join(problems)
            )

    def fingerprint(self) -> str:
        """Short hash of the layout and statistics."""
        text = json.dumps({**self.layout(), "means": self.means, "stds": self.stds}, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def to_dict(self) -> dict[str, Any]:
        """Plain containers only, so that ``torch.load(weights_only=True)`` reads it back."""
        return {
            **self.layout(),
            "means": {k: list(v) for k, v in self.means.items()},
            "stds": {k: list(v) for k, v in self.stds.items()},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FeatureSchema:
        return cls(
            version=int(data["version"]),
            features={k: tuple(v) for k, v in data["features"].items()},
            edge_types=tuple((str(s), str(r), str(d)) for s, r, d in data["edge_types"]),
            means={k: tuple(float(x) for x in v) for k, v in data["means"].items()},
            stds={k: tuple(float(x) for x in v) for k, v in data["stds"].items()},
        )


def _log(counts: npt.NDArray[Any]) -> FloatArray:
    return np.log1p(np.asarray(counts, dtype=np.float64))


def _count(index: IntArray, size: int, weights: FloatArray | None = None) -> FloatArray:
    return np.bincount(index, weights=weights, minlength=size).astype(np.float64)[:size]


def _binary(rows: IntArray, cols: IntArray, shape: tuple[int, int]) -> sp.csr_array:
    """0/1 matrix of the (row, col) pairs: parallel ties (two roles, two stakes) count once."""
    matrix = sp.csr_array((np.ones(len(rows)), (rows, cols)), shape=shape)
    matrix.data[:] = 1.0
    return matrix


def max_in_window(company: IntArray, date: FloatArray, size: int, window: float) -> FloatArray:
    """Per company, the most of its events within any ``window`` days."""
    out = np.zeros(size)
    if not len(date):
        return out
    order = np.lexsort((date, company))
    company, date = company[order], date[order]
    span = float(date.max() - date.min()) + 2 * window + 1.0
    position = company * span + (date - date.min())  # companies never overlap
    start = np.searchsorted(position, position - window, side="left")
    np.maximum.at(out, company, (np.arange(len(date)) - start + 1).astype(np.float64))
    return out


@dataclass(frozen=True)
class Neighbourhood:
    """The companies around each company, three ways: ``direct`` company-to-company ties
    (holdings, branches, guarantees, loans, trade ...: either direction), ``people`` (a
    person holding or serving in both) and ``identifiers`` (a phone or an address in
    common). Sums over them are paths, not distinct companies: one sharing two people
    counts twice, which keeps them linear in the edges (a person on 400 boards would
    otherwise make 160,000 pairs)."""

    direct: sp.csr_array  # company x company, symmetric, no self-ties
    through: dict[str, sp.csr_array]  # "people" / "identifiers": company x entity, 0/1
    # per group, each company's paths back to itself (its row sums in ``through``)
    self_paths: dict[str, FloatArray] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        paths = {name: np.asarray(m.sum(axis=1)).ravel() for name, m in self.through.items()}
        object.__setattr__(self, "self_paths", paths)

    def sums(self, values: FloatArray) -> dict[str, FloatArray]:
        """Per group, each company's sum of ``values`` over the others around it."""
        out: dict[str, FloatArray] = {"direct": self.direct @ values}
        for name, matrix in self.through.items():
            own = self.self_paths[name] * values  # the paths back to itself
            out[name] = matrix @ (matrix.T @ values) - own
        return out


class GraphFeatures:
    """One snapshot's features, prepared once; ``raw`` and ``data`` then build the inputs
    of any *world* (a set of hidden companies) cheaply, which training needs per fold.

    With ``analysis``, the propagation inputs are added: contagion for every entity (the
    analysis' own propagation, rerun from the visible seeds when some are hidden), the
    company's ring score and its ring's visible exposures, and its registration burst."""

    def __init__(
        self,
        snapshot: Snapshot,
        analysis: Analysis | None = None,
        *,
        ring_threshold: float = RingParams().threshold,
        alpha: float = AnalysisParams().alpha,
    ) -> None:
        self.snapshot = snapshot
        self.analysis = analysis
        self.ring_threshold = ring_threshold
        self.alpha = alpha
        self.sizes = {t: snapshot.size(label) for label, t in NODE_TYPES.items()}
        self.as_of = (
            analysis.as_of
            if analysis is not None
            else scoring.as_of(snapshot, scoring.ScoringParams())
        )
        self.exposed: Mask = (
            snapshot.exposed() if self.sizes["company"] else np.zeros(0, dtype=bool)
        )
        self._edges = self._edge_arrays()
        self._established = self._founding_days()  # read by _static_features
        self._static = self._static_features()
        self._prepare_events()
        self._hood = self._neighbourhood()
        self._degree = self._hood.sums(np.ones(self.sizes["company"]))
        self._categories = self._category_codes()
        self._propagator: Propagator | None = None
        self._cache: dict[str, dict[str, tuple[list[str], FloatArray]]] = {}
        self._visible_key = hashlib.sha256(
            np.packbits(np.zeros(self.sizes["company"], dtype=bool)).tobytes()
        ).hexdigest()
        self._names = {t: tuple(names) for t, (names, _) in self.raw(None).items()}

    # --- structure ----------------------------------------------------------------------

    def _edge_arrays(self) -> dict[EdgeType, tuple[IntArray, IntArray]]:
        """Forward edge type -> (source rows, target rows); empty when the data has none."""
        labels = {t: label for label, t in NODE_TYPES.items()}
        empty = np.zeros(0, dtype=np.int64)
        out: dict[EdgeType, tuple[IntArray, IntArray]] = {}
        for src, rel, dst in edge_types():
            if rel.startswith(REVERSE):
                continue
            table = self.snapshot.edges.get((labels[src], rel, labels[dst]))
            out[(src, rel, dst)] = (empty, empty) if table is None else (table.source, table.target)
        return out

    def edge_arrays(self) -> dict[EdgeType, tuple[IntArray, IntArray]]:
        """Every edge type of the schema as (source rows, target rows), reverses included
        (the snapshot's arrays, swapped: nothing is copied)."""
        out = dict(self._edges)
        for (src, rel, dst), (s, t) in self._edges.items():
            out[(dst, REVERSE + rel, src)] = (t, s)
        return {e: out[e] for e in edge_types()}

    def edge_index(self) -> dict[EdgeType, torch.Tensor]:
        """Every edge type of the schema as a (2, E) index, reverses included."""
        return {
            e: torch.from_numpy(np.stack([s, t]).astype(np.int64))
            for e, (s, t) in self.edge_arrays().items()
        }

    def _neighbourhood(self) -> Neighbourhood:
        nc = self.sizes["company"]
        direct = sp.csr_array((nc, nc))
        people: list[tuple[IntArray, IntArray]] = []
        identifiers: list[tuple[IntArray, IntArray]] = []
        offset = {"phone": 0, "address": self.sizes["phone"]}
        for (src, _, dst), (source, target) in self._edges.items():
            if src == "company" and dst == "company":
                keep = source != target
                direct = direct + _binary(source[keep], target[keep], (nc, nc))
            elif src == "person" and dst == "company":
                people.append((target, source))
            elif src == "company" and dst in offset:
                identifiers.append((source, target + offset[dst]))
        direct = direct + direct.T
        direct.data[:] = 1.0

        def stack(pairs: list[tuple[IntArray, IntArray]], width: int) -> sp.csr_array:
            empty = np.zeros(0, dtype=np.int64)
            rows = np.concatenate([r for r, _ in pairs]) if pairs else empty
            cols = np.concatenate([c for _, c in pairs]) if pairs else empty
            return _binary(rows, cols, (nc, width))

        return Neighbourhood(
            sp.csr_array(direct),
            {
                "people": stack(people, self.sizes["person"]),
                "identifiers": stack(identifiers, self.sizes["phone"] + self.sizes["address"]),
            },
        )

    def _category_codes(self) -> dict[str, IntArray]:
        """Per category column, each company's category (-1 when unknown)."""
        company = self.snapshot.nodes.get("Company")
        nc = self.sizes["company"]
        out: dict[str, IntArray] = {}
        for name in _CATEGORIES:
            values = company.columns.get(name) if company is not None else None
            if values is None:
                out[name] = np.full(nc, -1, dtype=np.int64)
                continue
            text = np.array(["" if v is None else str(v).strip() for v in values], dtype=object)
            _, codes = np.unique(text.astype(str), return_inverse=True)
            out[name] = np.where(text == "", -1, codes).astype(np.int64)
        return out

    def _founding_days(self) -> FloatArray:
        """Each company's founding day (NaN when unknown)."""
        company = self.snapshot.nodes.get("Company")
        return (
            company.columns.get("established", np.full(len(company), np.nan)).astype(np.float64)
            if company is not None
            else np.zeros(0)
        )

    def _static_features(self) -> dict[str, dict[str, FloatArray]]:
        """The features no hiding changes: attributes, degrees, identifier sharing."""
        s = self.snapshot
        n = self.sizes
        out: dict[str, dict[str, FloatArray]] = {t: {} for t in NODE_TYPES.values()}
        company = s.nodes.get("Company")
        cols: Mapping[str, npt.NDArray[Any]] = company.columns if company is not None else {}
        nc = n["company"]
        capital = cols.get("registered_capital", np.full(nc, np.nan)).astype(np.float64)
        c = out["company"]
        c["age_missing"] = np.isnan(self._established).astype(np.float64)
        c["log_capital"] = np.log1p(np.maximum(capital, 0.0) / 1e4)
        c["capital_missing"] = np.isnan(capital).astype(np.float64)
        c["high_risk_industry"] = scoring.high_risk_industry(self.snapshot).astype(np.float64)
        # degrees per edge type and direction, for every node type
        for (src, rel, dst), (source, target) in self._edges.items():
            out[src][f"out_{rel}_{dst}"] = _log(_count(source, n[src]))
            out[dst][f"in_{rel}_{src}"] = _log(_count(target, n[dst]))
        # identifier sharing: how many other entities use each of the company's phones and
        # addresses (a phone on 3 filings is a lead, one on 400 a bookkeeping agency)
        for ident, rel in (("phone", "HAS_PHONE"), ("address", "REGISTERED_AT")):
            users = np.zeros(n[ident])
            for (_, r, dst), (_, target) in self._edges.items():
                if r == rel and dst == ident:
                    users += _count(target, n[ident])
            source, target = self._edges[("company", rel, ident)]
            others = np.log1p(np.maximum(users[target] - 1.0, 0.0))
            most = np.zeros(nc)
            np.maximum.at(most, source, others)
            total = _count(source, nc)
            c[f"{ident}_sharing_max"] = most
            c[f"{ident}_sharing_mean"] = _count(source, nc, others) / np.maximum(total, 1.0)
        # nominee fronts: how many companies the legal representative signs for
        fronts = company_legal_fronts(s) if nc else np.zeros(0, dtype=np.int64)
        known = fronts >= 0
        fronted = np.zeros(nc)
        if known.any():
            fronted[known] = np.bincount(fronts[known], minlength=n["person"])[fronts[known]]
        c["legal_rep_fronts"] = _log(fronted)
        if self.analysis is not None:
            c["burst"] = _log(self.analysis.structure.burst)
        # persons: age and offices by role
        person = s.nodes.get("Person")
        birth = (
            person.columns.get("birth_year", np.full(n["person"], np.nan))
            if person is not None
            else np.zeros(0)
        ).astype(np.float64)
        year = 1970.0 + self.as_of / 365.25
        p = out["person"]
        p["age_years"] = year - birth
        p["age_missing"] = np.isnan(birth).astype(np.float64)
        table = s.edges.get(("Person", "OFFICER_OF", "Company"))
        for code, role in enumerate(ROLES):
            rows = table.source[table.role == code] if table is not None else np.zeros(0, np.int64)
            p[f"officer_{role.value}"] = _log(_count(rows, n["person"]))
        return out

    # --- what hiding changes -----------------------------------------------------------

    def _prepare_events(self) -> None:
        table = self.snapshot.edges.get(("Company", "HAS_EVENT", "Event"))
        if table is None or not len(table) or "Event" not in self.snapshot.nodes:
            self._ev_company = np.zeros(0, np.int64)
            self._ev_type = np.zeros(0, np.int64)
            self._ev_date = np.zeros(0)
            self._ev_severity = np.zeros(0)
        else:
            columns = self.snapshot.nodes["Event"].columns
            self._ev_company = table.source
            self._ev_type = columns["type"][table.target].astype(np.int64)
            self._ev_date = columns["date"][table.target].astype(np.float64)
            severity = columns.get("severity")
            self._ev_severity = (
                np.full(len(table), np.nan)
                if severity is None
                else severity[table.target].astype(np.float64)
            )
        self._first_exposure = self.snapshot.exposure_days()

    def _kept_events(self, hidden: Mask) -> Mask:
        """The events a world knows: no exposures, nothing that followed a hidden
        company's exposure."""
        company, kind, when = self._ev_company, self._ev_type, self._ev_date
        after = hidden[company] & (when >= self._first_exposure[company])  # NaN: kept
        keep: Mask = (kind >= 0) & (kind != _EXPOSURE) & ~after
        return keep

    def _event_counts(self, keep: Mask) -> FloatArray:
        """Counts per company and event type of the ``keep`` events (``_kept_events``:
        exposures and whatever followed a hidden company's exposure left out)."""
        nc = self.sizes["company"]
        company, kind = self._ev_company, self._ev_type
        counts = np.zeros((nc, len(EVENT_TYPES)))
        np.add.at(counts, (company[keep], kind[keep]), 1.0)
        return counts

    def _contagion(self, visible: Mask) -> FloatArray:
        """Every entity's contagion (the analysis' order) from the visible exposures."""
        assert self.analysis is not None
        if visible.sum() == self.exposed.sum():
            return self.analysis.entity_contagion
        if self._propagator is None:
            self._propagator = Propagator(self.analysis.graph.adjacency, self.alpha)
        seeds = np.flatnonzero(visible) + self.analysis.graph.offsets.get("Company", 0)
        return self._propagator.scores(seeds)

    def _rings(self, visible: Mask, counts: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Per company, its ring's score and visible exposures, the ring's features
        recounted from what is visible (a ring that only passed for a hidden exposure
        drops out)."""
        assert self.analysis is not None
        nc = self.sizes["company"]
        score, exposures = np.zeros(nc), np.zeros(nc)
        alarms = counts[:, _ALARMS].sum(axis=1)
        for ring in self.analysis.rings.rings:
            members = ring.companies
            seen = float(visible[members].sum())
            features = {
                **ring.features,
                "exposed": seen,
                "alarm_events_per_company": float(alarms[members].sum() / len(members)),
            }
            value = ring_score(features)
            if value >= self.ring_threshold:
                score[members] = value
                exposures[members] = seen
        return score, _log(exposures)

    def raw(self, hidden: Mask | None = None) -> dict[str, tuple[list[str], FloatArray]]:
        """Per node type, the feature names (sorted) and unstandardised values (NaN where
        unknown) of the world where the ``hidden`` companies' exposures are not known."""
        nc = self.sizes["company"]
        hide = np.zeros(nc, dtype=bool) if hidden is None else np.asarray(hidden, dtype=bool)
        if hide.shape != (nc,):
            raise ValueError(f"hidden must be a mask over the {nc} companies")
        key = hashlib.sha256(np.packbits(hide).tobytes()).hexdigest()
        if key not in self._cache:
            if len(self._cache) >= 2:  # the visible world and the latest other one
                self._cache.pop(next(k for k in self._cache if k != self._visible_key))
            self._cache[key] = self._compute(hide)
        return self._cache[key]

    def _compute(self, hide: Mask) -> dict[str, tuple[list[str], FloatArray]]:
        visible = self.exposed & ~hide
        contagion = self._contagion(visible) if self.analysis is not None else None
        out: dict[str, tuple[list[str], FloatArray]] = {}
        for label, node_type in NODE_TYPES.items():
            columns: dict[str, FloatArray] = dict(self._static[node_type])
            if contagion is not None and self.analysis is not None:
                # a label absent from the data (SMEsD has no addresses) is no node of the
                # contagion graph: its (empty) column is the floor
                graph = self.analysis.graph
                own = (
                    contagion[graph.indices(label)]
                    if label in graph.offsets
                    else np.zeros(self.sizes[node_type])
                )
                columns["contagion"] = np.log10(np.maximum(own, _CONTAGION_FLOOR))
            if node_type == "company":
                columns.update(self._company_world(hide, visible))
            else:
                columns["exposed_ties"] = self._exposed_ties(node_type, visible)
            names = sorted(columns)
            size = self.sizes[node_type]
            values = np.zeros((size, len(names)))
            for j, name in enumerate(names):
                values[:, j] = columns[name]
            out[node_type] = (names, values)
        return out

    def _company_world(self, hide: Mask, visible: Mask) -> dict[str, FloatArray]:
        nc = self.sizes["company"]
        columns: dict[str, FloatArray] = {}
        status_col = self.snapshot.nodes["Company"].columns.get("status") if nc else None
        status = (
            np.asarray(status_col, dtype=np.int64).copy()
            if status_col is not None
            else np.full(nc, -1, dtype=np.int64)
        )
        status[hide & self.exposed] = _ACTIVE  # the status before the blow-up
        for code, value in enumerate(STATUSES):
            columns[f"status_{value.value}"] = (status == code).astype(np.float64)
        kept = self._kept_events(hide)
        counts = self._event_counts(kept)
        for kind in _EVENT_KINDS:
            code = EVENT_TYPES.index(kind)
            columns[f"events_{kind.value}"] = _log(counts[:, code])
        columns.update(self._event_history(kept))
        columns.update(self._around(visible, _log(counts.sum(axis=1))))
        columns.update(self._category_rates(visible))
        columns["exposed"] = visible.astype(np.float64)
        if self.analysis is not None:
            columns["ring_score"], columns["ring_exposed"] = self._rings(visible, counts)
        return columns

    def _event_history(self, kept: Mask) -> dict[str, FloatArray]:
        """The shape of each company's own event history (exposures aside), measured from
        its own dates, never from a common 'now' (on data whose dates are relative to a
        per-company observation point, SMEsD's, 'now' would encode the label): its span,
        the share in its own last 12 and 24 months, the most in any 12 months, its age at
        the first and the last event, events per year of history; and their severity.
        NaN where a company has no dated event (or no founding date, for the ages).
        ``kept``: the events the world knows (``_kept_events``)."""
        nc = self.sizes["company"]
        keep = kept & ~np.isnan(self._ev_date)
        company, date = self._ev_company[keep], self._ev_date[keep]
        first, last = np.full(nc, np.inf), np.full(nc, -np.inf)
        np.minimum.at(first, company, date)
        np.maximum.at(last, company, date)
        has = np.isfinite(first)
        first[~has], last[~has] = np.nan, np.nan
        total = _count(company, nc)
        span = (last - first) / _YEAR
        out: dict[str, FloatArray] = {"events_span_years": span}
        for months in (12, 24):
            within = date >= last[company] - months * _YEAR / 12
            share = _count(company[within], nc) / np.maximum(total, 1.0)
            out[f"events_share_own_last_{months}m"] = np.where(has, share, np.nan)
        out["events_max_12m"] = _log(max_in_window(company, date, nc, _YEAR))
        out["events_per_year_of_history"] = np.where(has, total / np.maximum(span, 1.0), np.nan)
        out["age_at_first_event"] = (first - self._established) / _YEAR
        out["age_at_last_event"] = (last - self._established) / _YEAR
        severity = self._ev_severity[kept]
        rated = ~np.isnan(severity)
        owner = self._ev_company[kept][rated]
        most = np.zeros(nc)
        np.maximum.at(most, owner, severity[rated])
        out["events_severity_max"] = most
        out["events_severity_sum"] = _log(_count(owner, nc, severity[rated]))
        return out

    def _around(self, visible: Mask, events: FloatArray) -> dict[str, FloatArray]:
        """What the companies around each company say (``Neighbourhood``): how many
        there are, how many are visibly exposed and their share, their mean (log) events."""
        exposed = self._hood.sums(visible.astype(np.float64))
        around = self._hood.sums(events)
        out: dict[str, FloatArray] = {}
        for name, degree in self._degree.items():
            some = degree > 0
            out[f"neighbours_{name}"] = _log(degree)
            out[f"neighbours_{name}_exposed"] = _log(np.maximum(exposed[name], 0.0))
            out[f"neighbours_{name}_exposed_share"] = np.where(
                some, exposed[name] / np.maximum(degree, 1.0), np.nan
            )
            out[f"neighbours_{name}_events"] = np.where(
                some, around[name] / np.maximum(degree, 1.0), np.nan
            )
        return out

    def _category_rates(self, visible: Mask) -> dict[str, FloatArray]:
        """Per category column (industry, region), the visible exposure rate of the
        company's category, itself left out and shrunk towards the province's rate
        (``_RATE_PRIOR``); NaN where the category is unknown."""
        seen = visible.astype(np.float64)
        overall = float(seen.mean()) if len(seen) else 0.0
        out: dict[str, FloatArray] = {}
        for name, codes in self._categories.items():
            known = codes >= 0
            size = int(codes.max()) + 1 if known.any() else 0
            members = _count(codes[known], size)
            exposed = _count(codes[known], size, seen[known])
            rate = np.full(len(codes), np.nan)
            others = members[codes[known]] - 1.0
            hits = exposed[codes[known]] - seen[known]
            rate[known] = (hits + _RATE_PRIOR * overall) / (others + _RATE_PRIOR)
            out[f"{name}_exposed_rate"] = rate
        return out

    def _exposed_ties(self, node_type: str, visible: Mask) -> FloatArray:
        """Visible exposed companies the entity is tied to, over any relationship."""
        ties = np.zeros(self.sizes[node_type])
        weight = visible.astype(np.float64)
        for (src, _, dst), (source, target) in self._edges.items():
            if src == node_type and dst == "company":
                ties += _count(source, len(ties), weight[target])
            elif src == "company" and dst == node_type:
                ties += _count(target, len(ties), weight[source])
        return _log(ties)

    @property
    def names(self) -> dict[str, tuple[str, ...]]:
        return dict(self._names)

    def layout(self) -> FeatureSchema:
        """This graph's layout, without statistics (to check against a model's schema)."""
        zeros = {t: tuple(0.0 for _ in names) for t, names in self._names.items()}
        return FeatureSchema(FEATURE_VERSION, self.names, edge_types(), zeros, zeros)

    def fit(self) -> FeatureSchema:
        """The schema of this graph, with its statistics (everything visible)."""
        means: dict[str, tuple[float, ...]] = {}
        stds: dict[str, tuple[float, ...]] = {}
        for node_type, (_, values) in self.raw(None).items():
            if len(values):
                finite = np.where(np.isnan(values), 0.0, values)
                known = np.maximum((~np.isnan(values)).sum(axis=0), 1)
                mean = finite.sum(axis=0) / known
                var = (np.where(np.isnan(values), 0.0, values - mean) ** 2).sum(axis=0) / known
                std = np.sqrt(var)
            else:
                mean = std = np.zeros(values.shape[1])
            means[node_type] = tuple(float(x) for x in mean)
            stds[node_type] = tuple(float(x) if x > 1e-9 else 1.0 for x in std)
        return FeatureSchema(FEATURE_VERSION, self.names, edge_types(), means, stds)

    def matrices(
        self,
        schema: FeatureSchema,
        hidden: Mask | None = None,
        rows: Mapping[str, IntArray] | None = None,
    ) -> dict[str, torch.Tensor]:
        """Standardised float32 features per node type (unknown values at the mean); with
        ``rows``, of those rows only (a receptive field's, as an explanation reads)."""
        schema.check(self.layout())
        out: dict[str, torch.Tensor] = {}
        for node_type, (_, every) in self.raw(hidden).items():
            values = every if rows is None else every[rows[node_type]]
            mean, std = np.array(schema.means[node_type]), np.array(schema.stds[node_type])
            scaled = np.clip(np.nan_to_num((values - mean) / std, nan=0.0), -_CLIP, _CLIP)
            out[node_type] = torch.from_numpy(scaled.astype(np.float32))
        return out

    def data(self, schema: FeatureSchema, hidden: Mask | None = None) -> HeteroData:
        """The graph as ``HeteroData`` (``x`` per node type, ``edge_index`` per edge type),
        raising ``SchemaMismatchError`` when its layout is not ``schema``'s."""
        data = HeteroData()
        for node_type, x in self.matrices(schema, hidden).items():
            data[node_type].x = x
            data[node_type].num_nodes = self.sizes[node_type]
        for edge, index in self.edge_index().items():
            data[edge].edge_index = index
        return data


def build_features(
    snapshot: Snapshot, analysis: Analysis | None = None, schema: FeatureSchema | None = None
) -> tuple[HeteroData, FeatureSchema]:
    """The snapshot's ``HeteroData`` and the schema it follows: ``schema`` when given
    (checked, and its statistics applied), else one fitted on this snapshot."""
    features = GraphFeatures(snapshot, analysis)
    schema = schema if schema is not None else features.fit()
    return features.data(schema), schema
