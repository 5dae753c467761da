"""Training: full batch, on what is known at t0, calibrated, kept as a ``TrainedModel``.

**The target.** What we want is "will this company fail". Where a past period's outcomes
are known (a snapshot of the province from then, and the companies that failed since:
``outcomes``), the model learns exactly that, and scores today's graph with it; nothing
below about hiding applies, since those failures are not in the past snapshot. Without
them, the only failures known at t0 are the exposed companies: the model then learns to
predict *exposure* from the graph, and is used on the companies not exposed yet, whose
predicted exposure is their risk. Either way it is evaluated against the failures after
t0, never trained on them. (On the synthetic provinces only the first learns contagion
through controllers: no t0 exposure shows it; docs/gnn.md.)

**Keeping the label out of the inputs.** An exposed company's own record says it is exposed
(its exposure event, its exposed flag, contagion seeded at itself, usually an abnormal
status and a case filed after the blow-up), and so do its neighbours' features, which
message passing brings back to it within two hops. Masking its features alone would not
do; the *world* it is predicted in must not know its exposure. The exposed companies are
therefore split into ``folds`` by a hash of their key, and fold ``k`` is trained in the
world where fold ``k``'s exposures are hidden (``GraphFeatures.raw``: no exposure or later
events, status taken as active, no seed of the contagion, rings recounted), with the other
folds' exposures visible as they are at inference. The cost of this exactness is a
contagion solve per world (cheap: the analysis' propagation) instead of one per exposed
company, and the model sees ``1 - 1/folds`` of the seeds while training.

**Cross-fitting.** There are few exposures (26 in a 20,000-company province), too few to
spare a fixed validation set. So one network is trained per fold: it validates on that
fold (early stopping on the validation loss) and trains on the other folds' worlds, one
step per world and epoch. Every exposure is thus predicted once by a network that never
trained on it; those out-of-fold predictions give the metrics and the calibration, and
the networks' mean logit is the model's (an ensemble, which also steadies the result).
An epoch costs ``folds x (folds - 1)`` full-batch steps, so the default is 3 folds (6
steps) rather than 5 (20): on the synthetic provinces both give the same held-out average
precision, and 100,000 companies train in minutes instead of a quarter of an hour.

The companies never exposed are the negatives (some of them will fail: positive-unlabelled
data, which only makes the model conservative). Positives are rare (about one company in a
thousand), so the loss weighs both classes equally (``balanced``, the usual
``pos_weight = negatives / positives``) or focuses on hard cases (``focal``).

**Beside the networks.** A logistic regression on each company's own standardised row
is cross-fitted on the same folds and worlds, and its logit blended with the networks'
by a weight chosen on the out-of-fold predictions (``riskgraph.gnn.tabular``; weight 1,
the networks alone, where the blend does not rank better). With the analysis, a monotone
combination of the rules' components and the model's probability is fitted on the same
out-of-fold predictions and replaces the noisy-OR where it ranks the held-out folds at
least as well (``riskgraph.gnn.combine.choose_combination``).

**Calibration.** The balanced loss shifts the logits; a Platt scaling (or isotonic
regression) fitted on the out-of-fold (blended) logits turns them into probabilities of
exposure.

**Memory.** Training is full batch on one graph: the features of every world are kept
(tens of MB for 100,000 companies) and autograd keeps every layer's activations of every
node, so it needs memory in proportion to the province (``training_bytes``); ``train``
says so, and stops, when that is more than the machine (or GPU) has, rather than swapping.
Inference is batched (``TrainedModel.logits``): layer by layer over the whole graph,
``RISKGRAPH_GNN_BATCH`` nodes at a time, each batch on its one-hop field
(``riskgraph.gnn.fields``), with the same result as one pass over the whole graph. The
messages along the edges, the bulk of one pass's memory, are held for one batch at a
time; the nodes' representations (``hidden`` numbers each) for the whole graph, which
grows with the province as the snapshot does. Batches of two-hop receptive fields, the
way before, read a hub's neighbourhood once per batch that touched it: at 650,000
companies most of the graph, each time. ``sage`` and ``rgcn`` hold one edge type's
messages at a time either way.

**Threads.** On a small or shared machine ``torch.set_num_threads(1)`` is often faster:
the thread pool's synchronisation can cost more than the arithmetic.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import logging
import os
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
import torch
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from torch import Tensor

from riskgraph.errors import RiskgraphError
from riskgraph.gnn.combine import (
    EXPOSURE,
    OUTCOME,
    choose_combination,
    held_out_components,
    with_gnn,
)
from riskgraph.gnn.features import NODE_TYPES, EdgeType, FeatureSchema, GraphFeatures
from riskgraph.gnn.fields import Field, Fields
from riskgraph.gnn.model import CompanyRiskNet, EdgeIndex, ModelConfig, build_model
from riskgraph.gnn.tabular import Tabular, blend, choose_weight, fit_tabular
from riskgraph.graph.snapshot import FloatArray, IntArray, Snapshot
from riskgraph.risk.analysis import Analysis
from riskgraph.risk.combination import Combination
from riskgraph.risk.evaluation import folds_of, ranking_quality
from riskgraph.risk.scoring import ScoringParams
from riskgraph.settings import get_settings

FORMAT = 1  # of the saved file
LOSSES = ("balanced", "focal")
CALIBRATIONS = ("platt", "isotonic")
Log = Callable[[str], None]
K = TypeVar("K")
_LOGGER = logging.getLogger(__name__)
# Bytes full-batch training takes per node, hidden unit and layer: autograd's saved tensors
# (per-edge-type means, messages, roots, norms, dropout masks), the worlds' features, the
# mean matrices. From docs/benchmarks.md: 100,000 companies (532,843 nodes, hidden 32, 2
# layers) trained in 5.0 GiB, 157 bytes per unit; that is the whole process's peak, the
# snapshot and the analysis included, so the estimate errs on the safe side.
_TRAIN_BYTES_PER_UNIT = 160


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class TrainingError(RiskgraphError, ValueError):
    """The graph cannot train a model (too few exposed companies for the folds)."""


@dataclass(frozen=True)
class TrainConfig:
    model: ModelConfig = field(default_factory=ModelConfig)
    learning_rate: float = 0.002
    weight_decay: float = 1e-3  # few positives: the networks overfit them within epochs
    max_epochs: int = 100
    patience: int = 6  # epochs without a better validation loss before stopping
    folds: int = 3  # each fold is a training world, and one validates (cost ~ folds^2)
    cross_fit: bool = True  # one member per fold held out, else fold 0 only
    loss: str = "balanced"
    focal_gamma: float = 2.0
    calibration: str = "platt"
    tabular: bool = True  # a logistic regression beside the networks, blended if it helps
    combination: bool = True  # fit the combination with the rules on held-out data
    seed: int = 0

    def __post_init__(self) -> None:
        if self.loss not in LOSSES:
            raise ValueError(f"loss must be one of {LOSSES}")
        if self.calibration not in CALIBRATIONS:
            raise ValueError(f"calibration must be one of {CALIBRATIONS}")
        if self.folds < 2:
            raise ValueError("folds must be at least 2 (one validates)")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TrainConfig:
        values = dict(data)
        values["model"] = ModelConfig(**values["model"])
        return cls(**values)


def snapshot_fingerprint(snapshot: Snapshot, schema: FeatureSchema) -> str:
    """Short hash of the training data's shape (entities and relationships per type, the
    exposures) and the feature schema: says which graph a model was trained on."""
    shape = {
        "nodes": {label: len(table) for label, table in sorted(snapshot.nodes.items())},
        "edges": {"/".join(key): len(table) for key, table in sorted(snapshot.edges.items())},
        "exposed": int(snapshot.exposed().sum()) if snapshot.size("Company") else 0,
        "schema": schema.fingerprint(),
    }
    return hashlib.sha256(json.dumps(shape, sort_keys=True).encode()).hexdigest()[:16]


def training_loss(logits: Tensor, target: Tensor, config: TrainConfig) -> Tensor:
    """Mean over the positives and mean over the negatives, averaged: each class counts
    half, however rare."""
    if config.loss == "focal":
        p = torch.sigmoid(logits)
        bce = torch.nn.functional.binary_cross_entropy_with_logits(logits, target, reduction="none")
        agree = torch.where(target > 0.5, p, 1.0 - p)
        each = bce * (1.0 - agree) ** config.focal_gamma
    else:
        each = torch.nn.functional.binary_cross_entropy_with_logits(
            logits, target, reduction="none"
        )
    positive = target > 0.5
    parts = [each[mask].mean() for mask in (positive, ~positive) if bool(mask.any())]
    return torch.stack(parts).mean()


@dataclass(frozen=True)
class Calibration:
    """Logit -> probability: Platt (``a * logit + b`` through a sigmoid) or isotonic
    (piecewise linear through ``points``)."""

    method: str
    a: float = 1.0
    b: float = 0.0
    points: tuple[tuple[float, float], ...] = ()

    @classmethod
    def fit(cls, method: str, logits: FloatArray, labels: npt.NDArray[np.bool_]) -> Calibration:
        if method == "isotonic":
            iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0)
            iso.fit(logits, labels.astype(np.float64))
            points = zip(iso.X_thresholds_.tolist(), iso.y_thresholds_.tolist(), strict=True)
            return cls(method, points=tuple((float(x), float(y)) for x, y in points))
        platt = LogisticRegression(C=1e4, max_iter=1000)
        platt.fit(logits.reshape(-1, 1), labels.astype(np.int64))
        return cls(method, float(platt.coef_[0, 0]), float(platt.intercept_[0]))

    def __call__(self, logits: FloatArray) -> FloatArray:
        if self.method == "isotonic":
            x, y = np.array(self.points).T
            interpolated: FloatArray = np.interp(logits, x, y)
            return interpolated
        z = np.clip(self.a * logits + self.b, -50.0, 50.0)
        probability: FloatArray = 1.0 / (1.0 + np.exp(-z))
        return probability

    def to_dict(self) -> dict[str, Any]:
        return {"method": self.method, "a": self.a, "b": self.b, "points": list(self.points)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Calibration:
        points = tuple((float(x), float(y)) for x, y in data["points"])
        return cls(str(data["method"]), float(data["a"]), float(data["b"]), points)


@dataclass(frozen=True)
class TrainedModel:
    """A trained network with everything needed to use it again: its configuration, the
    feature schema it expects, the calibration, how it scored, and which data it saw."""

    config: TrainConfig
    schema: FeatureSchema
    states: list[dict[str, Tensor]]  # one per member of the ensemble
    calibration: Calibration
    metrics: dict[str, float]
    fingerprint: str
    target: str = EXPOSURE  # exposure (t0 exposures) or outcome (a past period's failures)
    # the graph it was trained on (riskgraph.graph.identity; `gnn train` records it): the
    # engine refuses the default model file on another graph. None: not recorded (files
    # from before it, or trained outside the command)
    graph_id: str | None = None
    trained_at: str | None = field(default_factory=_now)  # ISO 8601, UTC; None: not recorded
    # the logistic regression beside the networks and the weight of the networks' logit in
    # the blend (riskgraph.gnn.tabular); None and 1: the networks alone
    tabular: Tabular | None = None
    blend: float = 1.0
    # the combination with the rules fitted on held-out data (combine.choose_combination);
    # None: the noisy-OR
    combination: Combination | None = None

    @property
    def uses_analysis(self) -> bool:
        """Whether it was trained with the propagation inputs (contagion, rings), and so
        needs the analysis to predict."""
        return "contagion" in self.schema.features.get("company", ())

    def networks(self) -> list[CompanyRiskNet]:
        nets = []
        for state in self.states:
            net = build_model(self.config.model, self.schema)
            net.load_state_dict(state)
            net.eval()
            nets.append(net)
        return nets

    def logits(
        self,
        snapshot: Snapshot,
        analysis: Analysis | None = None,
        *,
        batch_size: int | None = None,
    ) -> FloatArray:
        """Uncalibrated logit per company (the snapshot's company order), the mean of the
        members'; raises ``SchemaMismatchError`` when the graph's features are not the
        model's. Layer by layer, ``batch_size`` nodes at a time (default
        ``RISKGRAPH_GNN_BATCH``), each batch on its one-hop field: the logits of one pass
        over the whole graph, with the edges' messages of one batch at a time in memory
        (the nodes' representations, ``hidden`` numbers each, are kept for the whole
        graph); 0 makes that one pass (faster where the memory is there, as on a GPU)."""
        size = get_settings().gnn_batch if batch_size is None else batch_size
        if size < 0:
            raise ValueError("batch_size must be positive, or 0 for one pass")
        features = GraphFeatures(snapshot, analysis)
        n = features.sizes["company"]
        networks = self.networks()
        total = np.zeros(n)
        x = features.matrices(self.schema)  # raises SchemaMismatchError first
        with torch.inference_mode():
            if size == 0 or n == 0:
                total += _summed(networks, x, features.edge_index())
            else:
                fields = Fields(features.edge_arrays(), features.sizes)
                del features  # its arrays are in x and fields now: not held through the layers

                @functools.cache  # the same batches for every layer and member
                def one_hop(node_type: str, start: int, stop: int) -> Field:
                    return fields.field(node_type, np.arange(start, stop), 1)

                for net in networks:
                    total += _layer_by_layer(net, x, one_hop, size)
        logits: FloatArray = total / max(len(self.states), 1)
        if self.tabular is not None and self.blend < 1.0:
            own = x["company"].double().numpy()
            logits = blend(logits, self.tabular.logits(own), self.blend)
        return logits

    def predict(
        self,
        snapshot: Snapshot,
        analysis: Analysis | None = None,
        *,
        batch_size: int | None = None,
    ) -> FloatArray:
        """Calibrated probability per company of being (or becoming) exposed, or with a
        model trained on outcomes, of failing within a period like the one it learned."""
        return self.calibration(self.logits(snapshot, analysis, batch_size=batch_size))

    def add_to(self, analysis: Analysis, *, batch_size: int | None = None) -> Analysis:
        """The analysis with this model's score component (``combine.with_gnn``)."""
        probability = self.predict(analysis.snapshot, analysis, batch_size=batch_size)
        return with_gnn(analysis, probability, self.target, self.combination)

    def save(self, path: Path | str) -> None:
        """One file, tensors and plain containers only: ``load`` reads it with
        ``torch.load(weights_only=True)``, which runs no pickled code."""
        payload = {
            "format": FORMAT,
            "config": self.config.to_dict(),
            "schema": self.schema.to_dict(),
            "states": [dict(state) for state in self.states],
            "calibration": self.calibration.to_dict(),
            "metrics": dict(self.metrics),
            "fingerprint": self.fingerprint,
            "target": self.target,
            "graph_id": self.graph_id,
            "trained_at": self.trained_at,
            "tabular": None if self.tabular is None else self.tabular.to_dict(),
            "blend": self.blend,
            "combination": None if self.combination is None else self.combination.to_dict(),
        }
        torch.save(payload, Path(path))

    @classmethod
    def load(cls, path: Path | str) -> TrainedModel:
        payload = torch.load(Path(path), map_location="cpu", weights_only=True)
        if not isinstance(payload, dict) or payload.get("format") != FORMAT:
            raise ValueError(f"{path} is not a riskgraph GNN model (format {FORMAT})")
        return cls(
            config=TrainConfig.from_dict(payload["config"]),
            schema=FeatureSchema.from_dict(payload["schema"]),
            states=[dict(state) for state in payload["states"]],
            calibration=Calibration.from_dict(payload["calibration"]),
            metrics={k: float(v) for k, v in payload["metrics"].items()},
            fingerprint=str(payload["fingerprint"]),
            target=str(payload.get("target", EXPOSURE)),  # files from before outcomes
            graph_id=payload.get("graph_id"),  # None in files from before graph ids
            trained_at=payload.get("trained_at"),
            # None and 1 in files from before the tabular member and the fitted combination
            tabular=None
            if payload.get("tabular") is None
            else Tabular.from_dict(payload["tabular"]),
            blend=float(payload.get("blend", 1.0)),
            combination=(
                None
                if payload.get("combination") is None
                else Combination.from_dict(payload["combination"])
            ),
        )


def _layer_by_layer(
    net: CompanyRiskNet,
    x: Mapping[str, Tensor],
    one_hop: Callable[[str, int, int], Field],
    size: int,
) -> FloatArray:
    """The network's company logits, one layer at a time over the whole graph, ``size``
    nodes at a time: a node's next representation reads only its own and its
    in-neighbours', so each batch needs its one-hop field (every edge into it) and the
    layer before's representations, kept for every node. Each edge is read once per
    layer; batches of multi-hop receptive fields read a hub's neighbourhood once per
    batch that touches it, which at 650,000 companies was most of the graph each time.
    ``one_hop(node_type, start, stop)``: the one-hop field of those rows."""
    h = net.project(x)
    first = h["company"]  # the head reads the companies' first representation only
    layers = len(net.convs)
    for i in range(layers):
        # the last layer is only read at the companies (the head)
        types = ["company"] if i == layers - 1 else list(h)
        after = dict(h)
        for node_type in types:
            out = torch.empty_like(h[node_type])
            for start in range(0, len(out), size):
                stop = min(start + size, len(out))
                field = one_hop(node_type, start, stop)
                part = {t: h[t][torch.from_numpy(rows)] for t, rows in field.rows.items()}
                # a new view per use: the mean matrices cached on an edge index
                # (``model.mean_matrices``) then last for one batch, not the whole run
                edges = {e: index.view(index.shape) for e, index in field.layers()[0].items()}
                updated = net.layer(i, part, edges, wanted={node_type})
                out[start:stop] = updated[node_type][torch.from_numpy(field.targets)]
            after[node_type] = out
        h = after
    logits: FloatArray = np.zeros(len(h["company"]))
    for start in range(0, len(logits), size):
        stop = min(start + size, len(logits))
        head = net.head_logits(first[start:stop], h["company"][start:stop])
        logits[start:stop] = head.double().numpy()
    return logits


def _summed(
    networks: list[CompanyRiskNet],
    x: Mapping[str, Tensor],
    edge_index: EdgeIndex | Sequence[EdgeIndex],
) -> FloatArray:
    """The members' logits, summed in float64 (the caller divides)."""
    total: FloatArray = np.zeros(x["company"].shape[0])
    for net in networks:
        total += net(x, edge_index).double().numpy()
    return total


def training_bytes(nodes: int, model: ModelConfig) -> int:
    """About the memory full-batch training of a graph of ``nodes`` takes, in bytes."""
    return nodes * model.hidden * model.layers * _TRAIN_BYTES_PER_UNIT


def memory_of(device: torch.device) -> int | None:
    """The memory a device has, in bytes: the GPU's, or the machine's physical memory;
    None where it cannot be told."""
    if device.type == "cuda":
        return int(torch.cuda.get_device_properties(device).total_memory)
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):
        return None


def check_memory(
    nodes: int, model: ModelConfig, budget: int | None, log: Log | None = None
) -> None:
    """Raise ``TrainingError`` when full-batch training of ``nodes`` would need more than
    ``budget`` bytes (no check without one): better said at once than swapping for hours.
    Training has no batched path; inference has."""
    need = training_bytes(nodes, model)
    gib = 2**30
    message = f"full-batch training: {nodes:,} nodes, about {need / gib:.1f} GiB"
    if budget is not None:
        message += f" of {budget / gib:.1f} GiB"
    _LOGGER.info(message)
    if log is not None:
        log(message)
    if budget is not None and need > budget:
        problem = (
            f"full-batch training of {nodes:,} nodes (hidden {model.hidden}, {model.layers} "
            f"layers) needs about {need / gib:.1f} GiB, more than the {budget / gib:.1f} GiB "
            "available: train on a smaller province (a region's past snapshot), a smaller "
            "model, or a machine with more memory (inference is batched and needs none of it)"
        )
        _LOGGER.error(problem)
        raise TrainingError(problem)


@dataclass(frozen=True)
class _Member:
    state: dict[str, Tensor]
    validation_logits: FloatArray  # of the companies of its validation fold, in its world
    epochs: int
    best_epoch: int
    best_loss: float


def _fit_member(
    held_out: int,
    schema: FeatureSchema,
    worlds: Mapping[int, dict[str, Tensor]],
    edge_index: Mapping[EdgeType, Tensor],
    positive: npt.NDArray[np.bool_],
    usable: npt.NDArray[np.bool_],
    fold: IntArray,
    config: TrainConfig,
    log: Log | None,
    device: torch.device,
) -> _Member:
    """One network, validated (early stopping) on fold ``held_out`` in its world, trained
    one step per other world and epoch, on the ``usable`` companies only."""
    rng = np.random.default_rng([config.seed, held_out])
    torch.manual_seed(config.seed * 1000 + held_out)
    validate = (fold == held_out) & usable
    target = torch.from_numpy(positive.astype(np.float32)).to(device)
    negatives = ~positive & usable & ~validate
    training = [k for k in range(config.folds) if k != held_out]
    masks = {
        k: torch.from_numpy((positive & usable & (fold == k)) | negatives).to(device)
        for k in training
    }
    val_mask = torch.from_numpy(validate).to(device)
    net = build_model(config.model, schema).to(device)
    optimiser = torch.optim.Adam(
        net.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay
    )
    best_loss, best_epoch = float("inf"), 0
    best_state = copy.deepcopy(net.state_dict())
    epoch = 0
    for epoch in range(1, config.max_epochs + 1):
        net.train()
        for k in rng.permutation(training).tolist():
            optimiser.zero_grad()
            logits = net(worlds[k], edge_index)
            loss = training_loss(logits[masks[k]], target[masks[k]], config)
            torch.autograd.backward(loss)
            optimiser.step()
        net.eval()
        with torch.no_grad():
            val_logits = net(worlds[held_out], edge_index)[val_mask]
            val_loss = float(training_loss(val_logits, target[val_mask], config))
        if val_loss < best_loss:
            best_loss, best_epoch = val_loss, epoch
            best_state = copy.deepcopy(net.state_dict())
        if log is not None and (epoch % 10 == 0 or epoch == 1):
            log(f"fold {held_out} epoch {epoch}: validation loss {val_loss:.4f}")
        if epoch - best_epoch >= config.patience:
            break
    net.load_state_dict(best_state)
    net.eval()
    with torch.no_grad():
        val_logits = net(worlds[held_out], edge_index)[val_mask]
    state = {name: value.detach().cpu().clone() for name, value in best_state.items()}
    return _Member(state, val_logits.double().cpu().numpy(), epoch, best_epoch, best_loss)


def _on(tensors: Mapping[K, Tensor], device: torch.device) -> dict[K, Tensor]:
    return {key: tensor.to(device) for key, tensor in tensors.items()}


def train(
    snapshot: Snapshot,
    analysis: Analysis | None = None,
    config: TrainConfig | None = None,
    log: Log | None = None,
    confirmed: Collection[str] = (),
    outcomes: Collection[str] | None = None,
    device: str | torch.device = "cpu",
    memory_budget: int | None = None,
) -> TrainedModel:
    """Fit networks to predict the exposed companies of ``snapshot`` from the graph, each
    company in a world where its exposure is hidden (module docstring); ``analysis`` adds
    the propagation inputs (contagion, rings). ``confirmed`` are companies an investigator
    confirmed risky (alerts) without an exposure on record: positives as well, with nothing
    to hide. (Dismissed alerts need nothing: unexposed companies are the negatives.)

    ``outcomes`` switches the target from exposure to failure: ``snapshot`` is then a past
    state of a province and ``outcomes`` the companies that failed *after* it (a period
    whose outcome is known now). Those are the positives, the companies already exposed in
    the snapshot are left out (they failed before), and nothing is hidden: the outcomes are
    not in the graph.

    ``device`` is where the networks train ("cuda" on a GPU machine); the model is the
    same either way and always saved for the CPU. ``memory_budget`` (bytes; default: the
    device's memory) is what training may take: a province whose full-batch training
    needs more is refused with a ``TrainingError`` (``check_memory``)."""
    target = EXPOSURE if outcomes is None else OUTCOME
    config = config or TrainConfig()
    where = torch.device(device)
    nodes = sum(snapshot.size(label) for label in NODE_TYPES)
    budget = memory_of(where) if memory_budget is None else memory_budget
    check_memory(nodes, config.model, budget, log)
    started = time.perf_counter()
    features = GraphFeatures(snapshot, analysis)
    schema = features.fit()
    index = snapshot.nodes["Company"].index
    n = len(features.exposed)
    if outcomes is None:
        positive, usable = features.exposed.copy(), np.ones(n, dtype=bool)
        hidden = features.exposed  # only exposures are in the inputs to hide
    else:
        positive, usable = np.zeros(n, dtype=bool), ~features.exposed
        hidden = np.zeros(n, dtype=bool)
        positive[[index[c] for c in outcomes if c in index]] = True
    positive[[index[c] for c in confirmed if c in index]] = True
    positive &= usable
    fold = folds_of(snapshot.nodes["Company"].keys, config.folds)
    held_out = list(range(config.folds)) if config.cross_fit else [0]
    for k in held_out:
        if not positive[fold == k].any() or not positive[fold != k].any():
            raise TrainingError(
                f"training needs positive companies in fold {k} and outside it "
                f"({int(positive.sum())} positive among {len(positive)} companies); "
                "use fewer folds or more data"
            )
    edge_index = _on(features.edge_index(), where)
    # each company's row and rule components from the world where its fold is hidden
    rows_x = np.zeros((n, len(schema.features["company"])))
    rules: dict[str, FloatArray] = {}
    worlds: dict[int, dict[str, Tensor]] = {}
    for k in range(config.folds):
        mine = fold == k
        world_hidden = hidden & mine
        if k == 0 or hidden.any():  # else one world serves every fold
            worlds[k] = _on(features.matrices(schema, world_hidden), where)
        else:
            worlds[k] = worlds[0]
        rows_x[mine] = worlds[k]["company"][torch.from_numpy(mine).to(where)].double().cpu().numpy()
        if analysis is not None and config.combination:
            names, values = features.raw(world_hidden)["company"]
            column = {name: values[:, j] for j, name in enumerate(names)}
            world_rules = held_out_components(
                analysis,
                world_hidden,
                column["contagion"],
                column["ring_score"],
                column["ring_exposed"],
            )
            for name, value in world_rules.items():
                rules.setdefault(name, np.zeros(n))[mine] = value[mine]
    members = [
        _fit_member(k, schema, worlds, edge_index, positive, usable, fold, config, log, where)
        for k in held_out
    ]
    # out-of-fold logits: each company's, from the member that never trained on it
    validated = np.isin(fold, held_out) & usable
    oof = np.zeros(len(positive))
    for k, member in zip(held_out, members, strict=True):
        oof[(fold == k) & usable] = member.validation_logits
    labels = positive[validated]
    extra: dict[str, float] = {"gnn_validation_roc_auc": ranking_quality(labels, oof[validated])[0]}
    tabular, weight = None, 1.0
    if config.tabular:
        tab_oof, tabular, by_c = fit_tabular(rows_x, positive, usable, fold, held_out)
        weight, by_weight = choose_weight(oof[validated], tab_oof[validated], labels)
        oof = blend(oof, tab_oof, weight)
        extra["tabular_validation_roc_auc"] = by_c[tabular.c]
        extra["tabular_c"] = tabular.c
        extra.update({f"blend_{w:g}_validation_roc_auc": v for w, v in by_weight.items()})
        if log is not None:
            log(
                f"blend: weight {weight:g} on the networks (held-out ROC-AUC by weight {by_weight})"
            )
    extra["blend_weight"] = weight
    calibration = Calibration.fit(config.calibration, oof[validated], labels)
    combination = None
    if rules:
        combination, figures = choose_combination(
            {name: value[validated] for name, value in rules.items()},
            calibration(oof[validated]),
            labels,
            fold[validated],
            held_out,
            analysis.params.scoring if analysis is not None else ScoringParams(),
            target,
        )
        extra.update(figures)
        extra["combination_fitted"] = float(combination is not None)
        if log is not None:
            log(f"combination with the rules: {'fitted' if combination else 'noisy-OR'} {figures}")
    auc, ap = ranking_quality(labels, oof[validated])
    metrics = {
        "validation_average_precision": ap,
        "validation_roc_auc": auc,
        **extra,
        "validation_loss": float(np.mean([m.best_loss for m in members])),
        "validation_positives": float(labels.sum()),
        "validation_negatives": float((~labels).sum()),
        "members": float(len(members)),
        "epochs": float(np.mean([m.epochs for m in members])),
        "best_epoch": float(np.mean([m.best_epoch for m in members])),
        "seconds": time.perf_counter() - started,
    }
    return TrainedModel(
        config=config,
        schema=schema,
        states=[{k: v.detach().clone() for k, v in m.state.items()} for m in members],
        calibration=calibration,
        metrics=metrics,
        fingerprint=snapshot_fingerprint(snapshot, schema),
        target=target,
        tabular=tabular,
        blend=weight,
        combination=combination,
    )
