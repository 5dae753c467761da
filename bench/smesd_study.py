"""SMEsD: the GNN evaluated on real bankruptcies (3,976 Chinese SMEs, temporal split).

The bundle (``shared/datasets/smesd``) is ingested and snapshotted as any province; its
``truth/splits.csv`` gives each company's split (train 2014-2018, valid 2019, test
2020-2021) and whether it went bankrupt. Train and valid bankruptcies are ``exposure``
events of the bundle; test ones are only in the truth.

**Worlds.** As in ``riskgraph.gnn.train``, a company is predicted in a *world* where its
own exposure is not known (``GraphFeatures.raw(hidden)``: no exposure event, no exposed
flag, no contagion seeded at it). Selection (stage A) fits on train and scores valid in
the world that knows train's exposures only, the mirror of test (which knows train's
and valid's); the fitted companies are split into ``folds``, each predicted in the world
where its fold is hidden and the other folds' exposures are visible. The final fit
(stage B) does the same on train+valid and scores test with every known exposure visible.

**Dates.** The source gives lawsuit and founding times as months before an observation
point that is the failure date for failed companies and December 2021 for the others, so
any feature measured from a common "now" (company age, recent lawsuits) encodes the label.
Only features invariant to shifting all of a company's dates are used: counts, the span
of its lawsuit history, the share of its lawsuits in the last 12/24 months *of its own
history*, the most lawsuits in any 12 months, its age at its first and last lawsuit.
``GraphFeatures`` has no column measured from 'now' since its version 2; its ``events_*``
columns are dropped here for the lawsuit columns above, and ``burst``.

The non-graph baselines (logistic regression, gradient boosting) see the company's own
columns; "GBM + graph" adds the neighbourhood aggregates (exposed neighbours, contagion,
degrees). The GNNs see everything, per node type, and pass messages over the graph.
"""

from __future__ import annotations

import copy
import csv
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
import torch
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score
from torch import Tensor

from riskgraph.gnn.features import (
    FEATURE_VERSION,
    NODE_TYPES,
    EdgeType,
    FeatureSchema,
    GraphFeatures,
    edge_types,
    max_in_window,
)
from riskgraph.gnn.model import ModelConfig, build_model
from riskgraph.gnn.train import TrainConfig, folds_of, training_loss
from riskgraph.graph.gateway import Gateway
from riskgraph.graph.schema import EventType
from riskgraph.graph.snapshot import EVENT_TYPES, FloatArray, IntArray, Snapshot
from riskgraph.risk.analysis import Analysis
from riskgraph.risk.propagation import Propagator

Mask = npt.NDArray[np.bool_]
Columns = dict[str, FloatArray]
Log = Callable[[str], None]

SPLITS = ("train", "valid", "test")
# lawsuit description: "cause; court; outcome" (the bundle's conversion of the source)
CAUSES: Mapping[str, str] = {
    "借款合同纠纷类": "loan",
    "买卖合同纠纷类": "sales",
    "其他合同纠纷类": "other_contract",
    "工程/加工/运输合同纠纷类": "works",
    "劳动人事争议类": "labour",
    "公司/证券/保险/票据/破产相关纠纷类": "corporate",
    "租赁合同纠纷": "lease",
    "债权债务纠纷类": "debt",
    "物权/海事/其他纠纷类": "property",
    "侵权责任纠纷类": "tort",
    "知识产权与竞争纠纷类": "ip",
}
COURTS: Mapping[str, str] = {
    "基层人民法院": "basic",
    "中级人民法院": "intermediate",
    "高级人民法院": "high",
    "最高人民法院": "supreme",
}
OUTCOMES: Mapping[str, str] = {
    "被告败诉": "defendant_lost",
    "被告胜诉": "defendant_won",
    "原告胜诉": "plaintiff_won",
    "原告败诉": "plaintiff_lost",
}
_CAUSE_NAMES = (*CAUSES.values(), "unknown")
_COURT_NAMES = (*COURTS.values(), "unknown")
_OUTCOME_NAMES = (*OUTCOMES.values(), "unknown")
_LITIGATION = EVENT_TYPES.index(EventType.LITIGATION)
_YEAR = 365.25
# GraphFeatures columns replaced here: its event counts by the lawsuit columns below (module
# docstring), its registration bursts
_DROPPED_PREFIXES = ("events_", "burst")
_DUPLICATES = ("exposed", "log_capital", "capital_missing")  # own columns, or the GNN's
MIN_CATEGORY = 40  # industries and regions with fewer companies share an "other" column


# --- the task ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Task:
    """Each company's split (index into ``SPLITS``, -1 when not in the truth) and label."""

    split: npt.NDArray[np.int8]
    label: Mask

    def mask(self, *names: str) -> Mask:
        codes = [SPLITS.index(n) for n in names]
        result: Mask = np.isin(self.split, codes)
        return result


def read_splits(path: Path) -> dict[str, tuple[str, bool]]:
    """``truth/splits.csv``: company id -> (split, bankrupt)."""
    out: dict[str, tuple[str, bool]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            split = row["split"].strip()
            if split not in SPLITS:
                raise ValueError(f"{path}: unknown split {split!r} for {row['company_id']}")
            out[row["company_id"].strip()] = (split, row["bankrupt"].strip() == "1")
    return out


def build_task(
    keys: Sequence[str] | npt.NDArray[np.object_], splits: Mapping[str, tuple[str, bool]]
) -> Task:
    """The task over the snapshot's companies (``keys`` in snapshot order)."""
    split = np.full(len(keys), -1, dtype=np.int8)
    label = np.zeros(len(keys), dtype=bool)
    for i, key in enumerate(keys):
        if key in splits:
            name, bankrupt = splits[key]
            split[i] = SPLITS.index(name)
            label[i] = bankrupt
    return Task(split, label)


# --- lawsuits ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Lawsuits:
    """One row per litigation event: company row, date (days since 1970, NaN when
    unknown) and the codes of its cause, court level and outcome."""

    company: IntArray
    date: FloatArray
    cause: IntArray
    court: IntArray
    outcome: IntArray


def parse_description(text: str) -> tuple[int, int, int]:
    """(cause, court, outcome) codes of "cause; court; outcome"; unknown parts get the
    last code of their vocabulary."""
    parts = [p.strip() for p in text.split(";")] + ["", "", ""]
    vocabularies = (list(CAUSES), list(COURTS), list(OUTCOMES))
    codes = [v.index(p) if p in v else len(v) for p, v in zip(parts, vocabularies, strict=False)]
    return codes[0], codes[1], codes[2]


def read_descriptions(graph: Gateway) -> dict[str, str]:
    """Event key -> description, from the graph (the snapshot leaves descriptions out)."""
    rows = graph.read_raw("event_descriptions")
    if not rows:
        return {}
    return dict(zip(rows[0]["keys"], rows[0]["descriptions"], strict=True))


def lawsuits(snapshot: Snapshot, descriptions: Mapping[str, str]) -> Lawsuits:
    """The snapshot's litigation events with their parsed descriptions. Exposures are
    never read here: a company's own bankruptcy is its label."""
    table = snapshot.edges.get(("Company", "HAS_EVENT", "Event"))
    if table is None or not len(table):
        empty = np.zeros(0, dtype=np.int64)
        return Lawsuits(empty, np.zeros(0), empty, empty, empty)
    events = snapshot.nodes["Event"]
    kind = events.columns["type"][table.target].astype(np.int64)
    keep = kind == _LITIGATION
    rows = table.target[keep]
    codes = np.array(
        [parse_description(descriptions.get(str(events.keys[r]), "")) for r in rows],
        dtype=np.int64,
    ).reshape(-1, 3)
    return Lawsuits(
        company=table.source[keep],
        date=events.columns["date"][rows].astype(np.float64),
        cause=codes[:, 0],
        court=codes[:, 1],
        outcome=codes[:, 2],
    )


def _log(values: npt.NDArray[Any]) -> FloatArray:
    return np.log1p(np.asarray(values, dtype=np.float64))


def _count(index: IntArray, size: int, weights: FloatArray | None = None) -> FloatArray:
    return np.bincount(index, weights=weights, minlength=size).astype(np.float64)[:size]


def lawsuit_features(suits: Lawsuits, established: FloatArray) -> Columns:
    """Per company, from its own lawsuits only and invariant to shifting all its dates
    (module docstring): counts by cause, court and outcome, and the shape of its history
    (span, share in its own last 12 and 24 months, most in any 12 months, age at its
    first and last lawsuit). NaN where a company has no dated lawsuit."""
    n = len(established)
    c, date = suits.company, suits.date
    total = _count(c, n)
    out: Columns = {"lawsuits": _log(total)}
    for name, codes, names in (
        ("cause", suits.cause, _CAUSE_NAMES),
        ("court", suits.court, _COURT_NAMES),
        ("outcome", suits.outcome, _OUTCOME_NAMES),
    ):
        for code, label in enumerate(names):
            if label == "unknown":
                continue
            out[f"lawsuits_{name}_{label}"] = _log(_count(c[codes == code], n))
    dated = ~np.isnan(date)
    first, last = np.full(n, np.inf), np.full(n, -np.inf)
    np.minimum.at(first, c[dated], date[dated])
    np.maximum.at(last, c[dated], date[dated])
    has = np.isfinite(first)
    first[~has], last[~has] = np.nan, np.nan
    span = (last - first) / _YEAR
    out["lawsuit_span_years"] = span
    for months in (12, 24):
        within = dated & (date >= last[c] - months * _YEAR / 12)
        share = _count(c[within], n) / np.maximum(_count(c[dated], n), 1.0)
        out[f"lawsuit_share_own_last_{months}m"] = np.where(has, share, np.nan)
    out["lawsuits_max_12m"] = _log(max_in_window(c[dated], date[dated], n, _YEAR))
    out["age_at_first_lawsuit"] = (first - established) / _YEAR
    out["age_at_last_lawsuit"] = (last - established) / _YEAR
    out["lawsuits_per_year_of_history"] = np.where(has, total / np.maximum(span, 1.0), np.nan)
    loans_last = dated & (date >= last[c] - _YEAR) & (suits.cause == 0)
    out["lawsuits_loan_own_last_12m"] = _log(_count(c[loans_last], n))
    out["no_lawsuit"] = (~has).astype(np.float64)
    return out


def category_features(values: npt.NDArray[np.object_], prefix: str, min_count: int) -> Columns:
    """One-hot columns for the categories held by at least ``min_count`` companies, the
    rest (and the missing) in ``<prefix>_other``."""
    names, counts = np.unique(values.astype(str), return_counts=True)
    frequent = sorted(str(v) for v, k in zip(names, counts, strict=True) if k >= min_count and v)
    out: Columns = {}
    for j, value in enumerate(frequent):
        out[f"{prefix}_{j:02d}"] = (values == value).astype(np.float64)
    out[f"{prefix}_other"] = (~np.isin(values.astype(str), frequent)).astype(np.float64)
    return out


def own_features(snapshot: Snapshot, suits: Lawsuits) -> Columns:
    """The company's own columns, without the graph: capital, industry, region and its
    lawsuits (``lawsuit_features``)."""
    columns = snapshot.nodes["Company"].columns
    n = snapshot.size("Company")
    capital = columns.get("registered_capital", np.full(n, np.nan)).astype(np.float64)
    established = columns.get("established", np.full(n, np.nan)).astype(np.float64)
    out: Columns = {
        "log_capital": np.log1p(np.maximum(capital, 0.0) / 1e4),
        "capital_missing": np.isnan(capital).astype(np.float64),
    }
    for name in ("industry", "region"):
        if name in columns:
            out.update(category_features(columns[name], name, MIN_CATEGORY))
    out.update(lawsuit_features(suits, established))
    return out


# --- the neighbourhood -------------------------------------------------------------------


@dataclass(frozen=True)
class Neighbourhood:
    """Company x company ties, binary, no self-loops: ``direct`` (holdings and business
    ties, either direction) and ``people`` (a shareholder or officer in common)."""

    direct: sp.csr_array
    people: sp.csr_array

    @classmethod
    def of(cls, snapshot: Snapshot) -> Neighbourhood:
        n = snapshot.size("Company")
        direct = sp.csr_array((n, n))
        person = sp.csr_array((n, snapshot.size("Person")))
        for key in snapshot.edges:
            if key[0] == "Company" and key[2] == "Company":
                direct = direct + snapshot.adjacency(key)
            elif key[0] == "Person" and key[2] == "Company":
                person = person + snapshot.adjacency(key).T
        direct = direct + direct.T
        people = person @ person.T
        return cls(_binary(direct), _binary(people))


def _binary(matrix: sp.csr_array) -> sp.csr_array:
    coo = sp.coo_array(matrix)
    keep = (coo.row != coo.col) & (coo.data != 0)
    return sp.csr_array(
        (np.ones(int(keep.sum())), (coo.row[keep], coo.col[keep])), shape=matrix.shape
    )


def neighbour_features(hood: Neighbourhood, visible: Mask, lawsuit_total: FloatArray) -> Columns:
    """Per company, what its neighbours say: how many are known bankrupt (``visible``
    exposures only: the world's), the share of them, and their mean lawsuits."""
    out: Columns = {}
    seen = visible.astype(np.float64)
    for name, matrix in (("direct", hood.direct), ("people", hood.people)):
        degree = matrix.sum(axis=1)
        exposed = matrix @ seen
        out[f"neighbours_{name}"] = _log(degree)
        out[f"neighbours_{name}_exposed"] = _log(exposed)
        out[f"neighbours_{name}_exposed_share"] = np.where(
            degree > 0, exposed / np.maximum(degree, 1.0), np.nan
        )
        out[f"neighbours_{name}_lawsuits"] = np.where(
            degree > 0, (matrix @ lawsuit_total) / np.maximum(degree, 1.0), np.nan
        )
    return out


# --- features per world ------------------------------------------------------------------


def _matrix(columns: Mapping[str, FloatArray], size: int) -> tuple[list[str], FloatArray]:
    names = sorted(columns)
    values = np.zeros((size, len(names)))
    for j, name in enumerate(names):
        values[:, j] = columns[name]
    return names, values


class SMEsDFeatures:
    """The inputs of every model in every world (a set of hidden companies): the
    company's own columns, the neighbourhood aggregates, and the graph as the GNNs see it
    (``GraphFeatures`` without its date-based columns, plus the two above for companies)."""

    def __init__(
        self, snapshot: Snapshot, analysis: Analysis | None, descriptions: Mapping[str, str]
    ) -> None:
        self.snapshot = snapshot
        # contagion is computed here (``_contagion``): GraphFeatures' own needs every node
        # label in the analysis' graph, and SMEsD has no addresses or phones
        self.graph = GraphFeatures(snapshot)
        self.analysis = analysis
        self._propagator = (
            Propagator(analysis.graph.adjacency, analysis.params.alpha)
            if analysis is not None
            else None
        )
        self._contagion_cache: tuple[bytes, dict[str, FloatArray]] | None = None
        self.sizes = dict(self.graph.sizes)
        self.exposed = self.graph.exposed
        self.own = own_features(snapshot, lawsuits(snapshot, descriptions))
        self.hood = Neighbourhood.of(snapshot)
        self._lawsuit_total = self.own["lawsuits"]
        self._edge_index = self.graph.edge_index()

    def contagion(self, hidden: Mask) -> dict[str, FloatArray]:
        """Per node type, log10 of the contagion from the world's visible exposures (the
        analysis' propagation); empty without an analysis."""
        if self.analysis is None or self._propagator is None:
            return {}
        key = np.packbits(hidden).tobytes()
        if self._contagion_cache is None or self._contagion_cache[0] != key:
            graph = self.analysis.graph
            seeds = np.flatnonzero(self.exposed & ~hidden) + graph.offsets.get("Company", 0)
            scores = self._propagator.scores(seeds)
            out = {
                node_type: np.log10(np.maximum(scores[graph.indices(label)], 1e-6))
                for label, node_type in NODE_TYPES.items()
                if label in graph.offsets
            }
            self._contagion_cache = (key, out)
        return self._contagion_cache[1]

    def company_columns(self, hidden: Mask, graph: bool = True) -> Columns:
        """The company's own columns, with ``graph`` the aggregates of the world too."""
        columns = dict(self.own)
        if graph:
            visible = self.exposed & ~hidden
            columns.update(neighbour_features(self.hood, visible, self._lawsuit_total))
            names, values = self.graph.raw(hidden)["company"]
            for j, name in enumerate(names):
                if not name.startswith(_DROPPED_PREFIXES) and name not in _DUPLICATES:
                    columns[f"graph_{name}"] = values[:, j]
            if "company" in self.contagion(hidden):
                columns["contagion"] = self.contagion(hidden)["company"]
        return columns

    def table(self, hidden: Mask, graph: bool = True) -> tuple[list[str], FloatArray]:
        """The company columns as a matrix (NaN where unknown), for the tabular models."""
        return _matrix(self.company_columns(hidden, graph), self.sizes["company"])

    def raw(self, hidden: Mask) -> dict[str, tuple[list[str], FloatArray]]:
        """Per node type, names and unstandardised values: the GNN's view of the world.
        Companies keep the ``exposed`` flag (their own is off when hidden): it is how the
        network learns who around a company is known bankrupt."""
        out: dict[str, tuple[list[str], FloatArray]] = {}
        for node_type, (names, values) in self.graph.raw(hidden).items():
            if node_type == "company":
                columns = self.company_columns(hidden)
                columns["exposed"] = (self.exposed & ~hidden).astype(np.float64)
                out[node_type] = _matrix(columns, self.sizes[node_type])
            else:
                keep = [j for j, n in enumerate(names) if not n.startswith(_DROPPED_PREFIXES)]
                columns = {names[j]: values[:, j] for j in keep}
                if node_type in self.contagion(hidden):
                    columns["contagion"] = self.contagion(hidden)[node_type]
                out[node_type] = _matrix(columns, self.sizes[node_type])
        return out

    def schema(self) -> FeatureSchema:
        """Names and standardising statistics, from the world where everything known is
        visible (no labels involved: only the features' spread)."""
        means: dict[str, tuple[float, ...]] = {}
        stds: dict[str, tuple[float, ...]] = {}
        names: dict[str, tuple[str, ...]] = {}
        for node_type, (cols, values) in self.raw(np.zeros(self.sizes["company"], bool)).items():
            known = np.maximum((~np.isnan(values)).sum(axis=0), 1)
            mean = np.nansum(values, axis=0) / known if len(values) else np.zeros(len(cols))
            var = np.nansum((values - mean) ** 2, axis=0) / known if len(values) else mean
            names[node_type] = tuple(cols)
            means[node_type] = tuple(float(x) for x in mean)
            stds[node_type] = tuple(float(x) if x > 1e-9 else 1.0 for x in np.sqrt(var))
        return FeatureSchema(FEATURE_VERSION, names, edge_types(), means, stds)

    def matrices(self, schema: FeatureSchema, hidden: Mask) -> dict[str, Tensor]:
        """Standardised float32 inputs per node type (unknown values at the mean)."""
        out: dict[str, Tensor] = {}
        for node_type, (names, values) in self.raw(hidden).items():
            if tuple(names) != schema.features[node_type]:
                raise ValueError(f"{node_type} features differ from the schema's")
            mean, std = np.array(schema.means[node_type]), np.array(schema.stds[node_type])
            scaled = np.clip(np.nan_to_num((values - mean) / std, nan=0.0), -10.0, 10.0)
            out[node_type] = torch.from_numpy(scaled.astype(np.float32))
        return out

    @property
    def edge_index(self) -> dict[EdgeType, Tensor]:
        return self._edge_index


# --- worlds ------------------------------------------------------------------------------


@dataclass(frozen=True)
class World:
    """The companies whose exposure is hidden, and those predicted in it."""

    hidden: Mask
    targets: Mask


@dataclass(frozen=True)
class Stage:
    """Fit worlds (one per fold of the fitted splits) and the world that is scored."""

    fit: tuple[World, ...]
    score: World


def stage(
    task: Task,
    keys: npt.NDArray[np.object_],
    fit: Sequence[str],
    scored: str,
    folds: int = 5,
    same_period: bool = True,
) -> Stage:
    """Fit on the ``fit`` splits, score ``scored``. Every exposure of a later split than
    the fitted ones is hidden everywhere. With ``same_period``, each fold of the fitted
    companies is predicted in the world where its own exposures are hidden and the other
    folds' visible (more contagion to learn from, but bankruptcies of the same period are
    never visible when scoring); without, each fitted company is predicted as the scored
    ones are, in the world that knows only the splits before its own."""
    fitted = task.mask(*fit)
    if same_period:
        fold = folds_of(keys, folds)
        worlds = tuple(
            World(hidden=~fitted | (fitted & (fold == k)), targets=fitted & (fold == k))
            for k in range(folds)
        )
    else:
        worlds = tuple(
            World(scoring_world(task, name).hidden, task.mask(name))
            for name in SPLITS
            if name in fit
        )
    return Stage(worlds, scoring_world(task, scored))


def scoring_world(task: Task, scored: str) -> World:
    """The world ``scored`` is predicted in: the exposures of its split and of every later
    one are unknown, the earlier ones known."""
    later = task.mask(*SPLITS[SPLITS.index(scored) :])
    return World(hidden=later, targets=task.mask(scored))


# --- metrics -----------------------------------------------------------------------------


def choose_threshold(labels: Mask, scores: FloatArray) -> float:
    """The threshold (predict bankrupt when score >= it) with the best F1 of the positive
    class; chosen on valid and applied, unchanged, to test."""
    order = np.argsort(-scores, kind="stable")
    s, y = scores[order], labels[order].astype(np.float64)
    tp = np.cumsum(y)
    predicted = np.arange(1, len(s) + 1)
    f1 = 2 * tp / (predicted + y.sum())
    # only cut between distinct scores
    last_of_value = np.r_[s[1:] != s[:-1], True]
    best = int(np.argmax(np.where(last_of_value, f1, -1.0)))
    return float(s[best])


def metrics(labels: Mask, scores: FloatArray, threshold: float) -> dict[str, float]:
    """ROC-AUC, and F1 (positive class) and accuracy at ``threshold``."""
    predicted = scores >= threshold
    return {
        "roc_auc": float(roc_auc_score(labels, scores)),
        "f1": float(f1_score(labels, predicted)),
        "accuracy": float(accuracy_score(labels, predicted)),
    }


# --- models ------------------------------------------------------------------------------


@dataclass(frozen=True)
class GNNConfig:
    model: ModelConfig = field(default_factory=ModelConfig)
    learning_rate: float = 0.005
    weight_decay: float = 1e-3
    max_epochs: int = 150
    patience: int = 30  # epochs without a better valid ROC-AUC before stopping


@dataclass(frozen=True)
class Prediction:
    """Scores of the scored world's targets (in company order), plus, for stage A, what
    was chosen there: the epoch."""

    scores: FloatArray
    epochs: int = 0
    extra: dict[str, FloatArray] = field(default_factory=dict)


# the product's training loss (``riskgraph.gnn.train``): each class counts half
_LOSS = TrainConfig(loss="balanced")


def hold_unseen(
    inputs: Sequence[Mapping[str, Tensor]],
) -> Callable[[dict[str, Tensor]], dict[str, Tensor]]:
    """Columns that never vary while fitting (the known bankruptcies, when the fitted
    companies know none) are held at their fitted value when scoring: their weights were
    never trained, so what they would add is noise."""
    constant: dict[str, tuple[Tensor, Tensor]] = {}
    for node_type in inputs[0]:
        stacked = torch.cat([x[node_type] for x in inputs])
        if not len(stacked):
            continue
        fixed = (stacked == stacked[:1]).all(dim=0)
        constant[node_type] = (fixed, stacked[0])

    def apply(x: dict[str, Tensor]) -> dict[str, Tensor]:
        out = dict(x)
        for node_type, (fixed, value) in constant.items():
            if bool(fixed.any()):
                out[node_type] = torch.where(fixed, value, x[node_type])
        return out

    return apply


def fit_gnn(
    features: SMEsDFeatures,
    schema: FeatureSchema,
    task: Task,
    plan: Stage,
    config: GNNConfig,
    seed: int,
    epochs: int | None = None,
    also: Mapping[str, World] | None = None,
    log: Log | None = None,
) -> Prediction:
    """Train one network on ``plan``'s fit worlds (one full-batch step per epoch, its
    gradient summed over the worlds, each weighted by its share of the fitted companies,
    so an epoch means the same however many worlds there are). Without ``epochs``, the
    epoch with the best ROC-AUC on the scored world is kept (selection: valid); with it,
    exactly that many epochs are run (the final fit, where the scored world is test and
    its labels are never looked at). ``also``: more
    worlds to predict with the kept network (reported, never used to choose)."""
    torch.manual_seed(seed)
    target = torch.from_numpy(task.label.astype(np.float32))
    inputs = [features.matrices(schema, w.hidden) for w in plan.fit]
    freeze = hold_unseen(inputs)
    masks = [torch.from_numpy(w.targets) for w in plan.fit]
    total = max(sum(int(w.targets.sum()) for w in plan.fit), 1)
    shares = [float(w.targets.sum()) / total for w in plan.fit]
    scored_x = freeze(features.matrices(schema, plan.score.hidden))
    scored = plan.score.targets
    labels = task.label[scored]
    edges = features.edge_index
    net = build_model(config.model, schema)
    optimiser = torch.optim.Adam(
        net.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay
    )
    best_auc, best_epoch = -1.0, 0
    best_state = copy.deepcopy(net.state_dict())
    last = epochs if epochs is not None else config.max_epochs
    for epoch in range(1, last + 1):
        net.train()
        optimiser.zero_grad()
        for k in range(len(inputs)):
            logits = net(inputs[k], edges)
            loss = training_loss(logits[masks[k]], target[masks[k]], _LOSS) * shares[k]
            torch.autograd.backward(loss)
        optimiser.step()
        if epochs is not None:
            continue
        net.eval()
        with torch.no_grad():
            values = net(scored_x, edges).double().numpy()[scored]
        auc = float(roc_auc_score(labels, values))
        if auc > best_auc:
            best_auc, best_epoch = auc, epoch
            best_state = copy.deepcopy(net.state_dict())
        if log is not None and epoch % 25 == 0:
            log(f"  epoch {epoch}: valid ROC-AUC {auc:.3f} (best {best_auc:.3f} at {best_epoch})")
        if epoch - best_epoch >= config.patience:
            break
    if epochs is None:
        net.load_state_dict(best_state)
    else:
        best_epoch = epochs
    net.eval()
    with torch.no_grad():
        scores = torch.sigmoid(net(scored_x, edges)).double().numpy()
        extra = {
            name: torch.sigmoid(net(freeze(features.matrices(schema, w.hidden)), edges))
            .double()
            .numpy()
            for name, w in (also or {}).items()
        }
    return Prediction(scores, best_epoch, extra)


def tabular_rows(
    features: SMEsDFeatures, plan: Stage, graph: bool
) -> tuple[list[str], FloatArray, Mask, FloatArray]:
    """The fit rows (each company from the world where its fold is hidden), which
    companies they are, and the scored world's matrix (every company)."""
    fit = np.zeros((0, 0))
    names: list[str] = []
    rows = np.zeros(features.sizes["company"], dtype=bool)
    for world in plan.fit:
        names, values = features.table(world.hidden, graph)
        if not fit.size:
            fit = np.full_like(values, np.nan)
        fit[world.targets] = values[world.targets]
        rows |= world.targets
    _, scored = features.table(plan.score.hidden, graph)
    return names, fit, rows, scored


def fit_tabular(
    kind: str,
    features: SMEsDFeatures,
    task: Task,
    plan: Stage,
    graph: bool,
    seed: int,
    params: Mapping[str, float],
    also: Mapping[str, World] | None = None,
) -> Prediction:
    """Logistic regression (``lr``: standardised, missing at the mean) or gradient
    boosting (``gbm``: missing values native) on the company columns."""
    _, x_fit, rows, x_scored = tabular_rows(features, plan, graph)
    x_also = {name: features.table(w.hidden, graph)[1] for name, w in (also or {}).items()}
    y = task.label[rows]
    x = x_fit[rows]
    if kind == "lr":
        mean = np.nanmean(x, axis=0)
        std = np.nanstd(x, axis=0)
        std[std < 1e-9] = 1.0

        def prep(values: FloatArray) -> FloatArray:
            scaled: FloatArray = np.nan_to_num((values - mean) / std, nan=0.0)
            return np.clip(scaled, -10.0, 10.0)

        lr = LogisticRegression(C=float(params.get("C", 1.0)), max_iter=2000)
        lr.fit(prep(x), y)
        predict: Callable[[FloatArray], FloatArray] = lambda v: lr.predict_proba(prep(v))[:, 1]  # noqa: E731
    elif kind == "gbm":
        gbm = HistGradientBoostingClassifier(
            learning_rate=float(params.get("learning_rate", 0.05)),
            max_iter=int(params.get("max_iter", 200)),
            max_leaf_nodes=int(params.get("max_leaf_nodes", 15)),
            min_samples_leaf=int(params.get("min_samples_leaf", 20)),
            l2_regularization=float(params.get("l2", 1.0)),
            random_state=seed,
        )
        gbm.fit(x, y)
        predict = lambda v: gbm.predict_proba(v)[:, 1]  # noqa: E731
    else:
        raise ValueError(f"unknown tabular model {kind!r}")
    return Prediction(predict(x_scored), extra={n: predict(v) for n, v in x_also.items()})


def summary(values: Iterable[float]) -> tuple[float, float]:
    """Mean and (population) standard deviation."""
    array = np.array(list(values), dtype=np.float64)
    return float(array.mean()), float(array.std())


# --- the evaluation ----------------------------------------------------------------------

TABULAR_GRIDS: Mapping[str, tuple[dict[str, float], ...]] = {
    "lr": ({"C": 0.01}, {"C": 0.1}, {"C": 1.0}),
    "gbm": (
        {"learning_rate": 0.05, "max_iter": 100, "max_leaf_nodes": 7},
        {"learning_rate": 0.05, "max_iter": 200, "max_leaf_nodes": 15},
        {"learning_rate": 0.03, "max_iter": 300, "max_leaf_nodes": 31, "min_samples_leaf": 40},
    ),
}


@dataclass(frozen=True)
class Run:
    """One model and seed: chosen on valid (stage A: fit on train), then refitted on
    train+valid and scored on test with valid's threshold (stage B). ``test_train_only``
    is the stage-A model on test, reported beside, never used to choose."""

    model: str
    seed: int
    valid: dict[str, float]
    test: dict[str, float]
    test_train_only: dict[str, float]
    threshold: float
    choice: str  # what valid chose: epochs, hyperparameters, ensemble weight


@dataclass(frozen=True)
class _Scored:
    """Scores over every company: stage A on valid's world and on test's, stage B on
    test's."""

    valid: FloatArray
    test_train_only: FloatArray
    test: FloatArray
    choice: str


def _run(model: str, seed: int, task: Task, scored: _Scored) -> Run:
    vm, tm = task.mask("valid"), task.mask("test")
    threshold = choose_threshold(task.label[vm], scored.valid[vm])
    return Run(
        model=model,
        seed=seed,
        valid=metrics(task.label[vm], scored.valid[vm], threshold),
        test=metrics(task.label[tm], scored.test[tm], threshold),
        test_train_only=metrics(task.label[tm], scored.test_train_only[tm], threshold),
        threshold=threshold,
        choice=scored.choice,
    )


def _valid_auc(task: Task, scores: FloatArray) -> float:
    vm = task.mask("valid")
    return float(roc_auc_score(task.label[vm], scores[vm]))


def _tabular(
    kind: str, graph: bool, features: SMEsDFeatures, task: Task, a: Stage, b: Stage
) -> _Scored:
    """The grid's best on valid, refitted on train+valid."""
    best: tuple[float, dict[str, float], Prediction] | None = None
    for params in TABULAR_GRIDS[kind]:
        pred = fit_tabular(kind, features, task, a, graph, 0, params, also={"test": b.score})
        auc = _valid_auc(task, pred.scores)
        if best is None or auc > best[0]:
            best = (auc, params, pred)
    assert best is not None
    _, params, pred = best
    final = fit_tabular(kind, features, task, b, graph, 0, params)
    choice = ", ".join(f"{k}={v:g}" for k, v in params.items())
    return _Scored(pred.scores, pred.extra["test"], final.scores, choice)


def _gnn(
    config: GNNConfig,
    seed: int,
    features: SMEsDFeatures,
    schema: FeatureSchema,
    task: Task,
    a: Stage,
    b: Stage,
    log: Log | None,
) -> _Scored:
    """Epochs chosen on valid (stage A), then exactly as many on train+valid (stage B)."""
    pred = fit_gnn(features, schema, task, a, config, seed, also={"test": b.score}, log=log)
    final = fit_gnn(features, schema, task, b, config, seed, epochs=pred.epochs)
    return _Scored(pred.scores, pred.extra["test"], final.scores, f"{pred.epochs} epochs")


def _blend(first: _Scored, second: _Scored, weight: float) -> _Scored:
    def mix(x: FloatArray, y: FloatArray) -> FloatArray:
        out: FloatArray = weight * x + (1.0 - weight) * y
        return out

    return _Scored(
        mix(first.valid, second.valid),
        mix(first.test_train_only, second.test_train_only),
        mix(first.test, second.test),
        f"weight {weight:g} on the GNN",
    )


ARCHITECTURES = ("rgcn", "sage")
TABULAR = (("lr", False), ("gbm", False), ("lr", True), ("gbm", True))


def tabular_name(kind: str, graph: bool) -> str:
    base = {"lr": "logistic regression", "gbm": "gradient boosting"}[kind]
    return f"{base} (own + graph aggregates)" if graph else f"{base} (own columns)"


def evaluate(
    features: SMEsDFeatures,
    task: Task,
    keys: npt.NDArray[np.object_],
    seeds: Sequence[int] = (0, 1, 2, 3, 4),
    config: GNNConfig | None = None,
    same_period: bool = False,
    log: Log | None = None,
) -> list[Run]:
    """Every model on the protocol: the tabular baselines (deterministic: fitted once),
    R-GCN and SAGE per seed, and per seed the blend of the GNN and the tabular model that
    are best on valid, its weight chosen on valid. Nothing here reads test labels except
    ``metrics`` on the final scores."""
    config = config or GNNConfig()
    a = stage(task, keys, ("train",), "valid", same_period=same_period)
    b = stage(task, keys, ("train", "valid"), "test", same_period=same_period)
    schema = features.schema()
    runs: list[Run] = []
    ones = np.ones(len(task.label))
    runs.append(_run("all bankrupt (trivial)", 0, task, _Scored(ones, ones, ones, "-")))
    tabular: dict[str, _Scored] = {}
    for kind, graph in TABULAR:
        name = tabular_name(kind, graph)
        tabular[name] = _tabular(kind, graph, features, task, a, b)
        runs.append(_run(name, 0, task, tabular[name]))
        if log is not None:
            log(f"{name}: valid ROC-AUC {runs[-1].valid['roc_auc']:.3f}")
    best_name = max(tabular, key=lambda name: _valid_auc(task, tabular[name].valid))
    best_tabular = tabular[best_name]
    gnns: dict[str, list[_Scored]] = {}
    for architecture in ARCHITECTURES:
        cfg = GNNConfig(
            model=ModelConfig(
                architecture=architecture,
                hidden=config.model.hidden,
                layers=config.model.layers,
                dropout=config.model.dropout,
            ),
            learning_rate=config.learning_rate,
            weight_decay=config.weight_decay,
            max_epochs=config.max_epochs,
            patience=config.patience,
        )
        gnns[architecture] = []
        for seed in seeds:
            scored = _gnn(cfg, seed, features, schema, task, a, b, log)
            gnns[architecture].append(scored)
            runs.append(_run(architecture, seed, task, scored))
            if log is not None:
                log(f"{architecture} seed {seed}: valid ROC-AUC {runs[-1].valid['roc_auc']:.3f}")
    best_gnn = max(
        ARCHITECTURES,
        key=lambda arch: float(np.mean([_valid_auc(task, s.valid) for s in gnns[arch]])),
    )
    for seed, scored in zip(seeds, gnns[best_gnn], strict=True):
        blends = [_blend(scored, best_tabular, w) for w in (0.0, 0.25, 0.5, 0.75, 1.0)]
        chosen = max(blends, key=lambda s: _valid_auc(task, s.valid))
        runs.append(_run(f"{best_gnn} + {best_name} blend", seed, task, chosen))
    return runs
