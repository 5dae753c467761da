"""Why a company scores what it does: the GNN's evidence merged with the rules'.

- **Edges.** Integrated gradients over an edge mask (``torch_geometric.explain``'s
  ``CaptumExplainer``) shortlist the relationships that matter; each shortlisted one is
  then removed in turn and the drop in the company's logit is its weight (positive: the
  tie raises the risk). Integrated gradients alone rank well but their sign is relative
  to a graph with no ties at all, which no company resembles; the removal says what an
  investigator asks ("without this tie, would it score lower?"). GNNExplainer was tried
  first: with mean aggregation its masks saturate (every edge near 1, or near 0 with a
  stronger size penalty) and rank the planted edge no better than chance. A relationship
  and its reverse are one tie to an analyst, so they are shortlisted and removed together.
  The explainer runs on the receptive field only (the nodes within ``layers`` hops that
  can reach the company), which gives the company the same prediction as the whole
  province at a tiny fraction of the cost.
- **Entities.** The edges' weights summed per entity at either end: who matters.
- **Features.** Input x gradient on the company's own standardised features (0 is the
  province's average, so the product is how far each feature moves the logit from an
  average company's, to first order).
- **Rules.** The propagation's strongest evidence paths and the plain-language reasons of
  ``riskgraph.risk.reasons``.

``explain`` returns all of it as one ``Explanation``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn
from torch_geometric.explain import CaptumExplainer, Explainer

from riskgraph.gnn.features import NODE_TYPES, REVERSE, EdgeType, GraphFeatures
from riskgraph.gnn.fields import Fields
from riskgraph.gnn.model import CompanyRiskNet
from riskgraph.gnn.train import TrainedModel
from riskgraph.graph.snapshot import IntArray, Snapshot
from riskgraph.risk.analysis import Analysis
from riskgraph.risk.codes import Reason
from riskgraph.risk.evidence import EvidenceTree, evidence_paths
from riskgraph.risk.reasons import Explainer as Reasons
from riskgraph.risk.reasons import mask_phone

_LABELS = {t: label for label, t in NODE_TYPES.items()}
TieKey = tuple[str, str, str, str, str]  # source label, key, relationship, target label, key


@dataclass(frozen=True)
class EdgeEvidence:
    """One relationship, in its schema direction, and how much the prediction needs it."""

    source_label: str
    source_key: str
    relationship: str
    target_label: str
    target_key: str
    weight: float  # attribution to the logit; positive raises the risk


class _Ensemble(nn.Module):
    """The members' mean logit, as one module (the explainer masks every member alike).
    In evaluation mode from the start: PyG's ``Explainer`` puts a model back in the mode
    it found it in, and a module is made in training mode, which would switch dropout on
    in every member for the removals that follow (a different explanation per call)."""

    def __init__(self, networks: list[CompanyRiskNet]) -> None:
        super().__init__()
        self.networks = nn.ModuleList(networks)
        self.eval()

    def forward(self, x: dict[str, Tensor], edge_index: dict[EdgeType, Tensor]) -> Tensor:
        logits = torch.stack([net(x, edge_index) for net in self.networks])
        return logits.mean(dim=0)


@dataclass(frozen=True)
class _Field:
    """One company's receptive field: features and edges renumbered, each kept row's
    original row per node type, and the company's row in it."""

    x: dict[str, Tensor]
    edge_index: dict[EdgeType, Tensor]
    rows: dict[str, IntArray]
    row: int


def _field_of(trained: TrainedModel, features: GraphFeatures, index: int) -> _Field:
    """The company's receptive field with every edge between its nodes (the explainer
    masks one edge index for all layers), features standardised for its rows only."""
    fields = Fields(features.edge_arrays(), features.sizes)
    field = fields.field("company", np.array([index]), trained.config.model.layers, closed=True)
    x = features.matrices(trained.schema, rows=field.rows)
    return _Field(x, field.edge_index, field.rows, int(field.targets[0]))


def explain_company(
    trained: TrainedModel,
    snapshot: Snapshot,
    company: str,
    analysis: Analysis | None = None,
    *,
    top: int | None = 5,
    steps: int = 50,
    shortlist_size: int = 40,
    features: GraphFeatures | None = None,
    field: _Field | None = None,
) -> list[EdgeEvidence]:
    """The ``top`` relationships (all that count, with None) the model's prediction for
    ``company`` rests on, by the size of their attribution (deterministic)."""
    index = snapshot.nodes["Company"].index.get(company)
    if index is None:
        raise KeyError(f"no company {company!r} in the snapshot")
    if field is None:
        field = _field_of(trained, features or GraphFeatures(snapshot, analysis), index)
    x, rows, index = field.x, field.rows, field.row
    # empty edge types carry nothing to explain (and the explainer cannot size their mask)
    edge_index = {e: pairs for e, pairs in field.edge_index.items() if pairs.numel()}
    model = _Ensemble(trained.networks())
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    explainer = Explainer(
        model=model,
        algorithm=CaptumExplainer("IntegratedGradients", n_steps=steps),
        explanation_type="model",
        node_mask_type=None,
        edge_mask_type="object",
        # attributions of the logit itself (captum wants probabilities for "binary")
        model_config={"mode": "regression", "task_level": "node", "return_type": "raw"},
    )
    explanation = explainer(x, edge_index, index=index)
    gradient: dict[TieKey, float] = {}
    positions: dict[TieKey, list[tuple[EdgeType, int]]] = {}
    for edge_type in edge_index:
        mask = explanation[edge_type].get("edge_mask")
        if mask is None:
            continue
        weights = mask.detach().double().numpy()
        src, rel, dst = edge_type
        pairs = edge_index[edge_type].numpy()
        for e in range(pairs.shape[1]):
            s, t = int(rows[src][pairs[0, e]]), int(rows[dst][pairs[1, e]])
            if rel.startswith(REVERSE):  # the reverse of (dst)-[rel]->(src)
                src_type, relationship, dst_type, s, t = dst, rel[len(REVERSE) :], src, t, s
            else:
                src_type, relationship, dst_type = src, rel, dst
            key = (
                _LABELS[src_type],
                str(snapshot.nodes[_LABELS[src_type]].keys[s]),
                relationship,
                _LABELS[dst_type],
                str(snapshot.nodes[_LABELS[dst_type]].keys[t]),
            )
            gradient[key] = gradient.get(key, 0.0) + float(weights[e])  # IG adds up
            positions.setdefault(key, []).append((edge_type, e))
    shortlist = sorted(gradient, key=lambda k: (-abs(gradient[k]), k))[:shortlist_size]
    with torch.no_grad():
        logit = float(model(x, edge_index)[index])
        weight = {}
        for key in shortlist:
            # every edge of the tie: both directions, and parallel ones (two roles)
            dropped: dict[EdgeType, list[int]] = {}
            for edge_type, e in positions[key]:
                dropped.setdefault(edge_type, []).append(e)
            without = dict(edge_index)
            for edge_type, edges in dropped.items():
                keep_edges = torch.ones(edge_index[edge_type].shape[1], dtype=torch.bool)
                keep_edges[edges] = False
                without[edge_type] = edge_index[edge_type][:, keep_edges]
            weight[key] = logit - float(model(x, without)[index])
    ranked = sorted(weight.items(), key=lambda item: (-item[1], item[0]))[:top]  # None: all
    return [EdgeEvidence(*key, weight=w) for key, w in ranked]


@dataclass(frozen=True)
class FeatureAttribution:
    """One of the company's own features: its value and how far it moves the logit."""

    name: str
    value: float  # as in the data (NaN when unknown), before standardising
    attribution: float  # input x gradient on the standardised feature, in logit units


@dataclass(frozen=True)
class EntityAttribution:
    label: str
    key: str  # phone numbers masked
    weight: float  # the summed attributions of its edges in the explanation


@dataclass(frozen=True)
class PathEvidence:
    """One propagation path from an exposed company, as ``riskgraph.risk.evidence``: data
    (``{seed, hops: [{type, entity}]}``), worded where shown."""

    path: dict[str, Any]
    hops: int
    contribution: float


@dataclass(frozen=True)
class Explanation:
    """Everything said about one company's score, GNN and rules together."""

    company: str
    score: float
    level: str
    components: dict[str, float]
    probability: float | None  # the GNN's, when a model is given
    edges: list[EdgeEvidence] = field(default_factory=list)
    entities: list[EntityAttribution] = field(default_factory=list)
    features: list[FeatureAttribution] = field(default_factory=list)
    paths: list[PathEvidence] = field(default_factory=list)
    reasons: list[Reason] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready: reasons as ``{code, params}``."""
        out = asdict(self)
        out["reasons"] = [r.to_dict() for r in self.reasons]
        return out


def _shown(label: str, key: str) -> str:
    return mask_phone(key) if label == "Phone" else key


def feature_attributions(
    trained: TrainedModel,
    features: GraphFeatures,
    index: int,
    top: int = 8,
    field: _Field | None = None,
) -> list[FeatureAttribution]:
    """The company's own features that move its logit most (input x gradient), on its
    receptive field."""
    field = field or _field_of(trained, features, index)
    row = field.row
    x = {t: v.clone().requires_grad_(t == "company") for t, v in field.x.items()}
    model = _Ensemble(trained.networks())
    logit = model(x, field.edge_index)[row]
    (gradient,) = torch.autograd.grad(logit, x["company"])
    attribution = (gradient[row] * x["company"][row]).detach().double().numpy()
    names, values = features.raw(None)["company"]
    order = np.argsort(-np.abs(attribution), kind="stable")[:top]
    return [
        FeatureAttribution(names[i], float(values[index, i]), float(attribution[i]))
        for i in order.tolist()
        if attribution[i] != 0.0
    ]


def explain(
    analysis: Analysis,
    company: str,
    trained: TrainedModel | None = None,
    *,
    top: int = 8,
    steps: int = 50,
    tree: EvidenceTree | None = None,
) -> Explanation:
    """The GNN's edges, entities and features (with a model) and the rules' paths and
    reasons for one company of ``analysis``; raises ``KeyError`` for an unknown id.
    ``tree``: the analysis' evidence tree when the caller keeps one (the API's state)."""
    snapshot = analysis.snapshot
    index = snapshot.nodes["Company"].index.get(company)
    if index is None:
        raise KeyError(f"no company {company!r} in the snapshot")
    reasons = Reasons.build(analysis, tree or analysis.evidence_tree())
    node = analysis.graph.offsets["Company"] + index
    paths = [
        PathEvidence(reasons.path(p), len(p.hops), float(p.contribution))
        for p in evidence_paths(reasons.tree, node, k=3)
        if p.hops
    ]
    explanation = Explanation(
        company=company,
        score=float(analysis.score[index]),
        level=str(analysis.level[index]),
        components={k: float(v[index]) for k, v in analysis.components.items()},
        probability=(
            None if analysis.gnn_probability is None else float(analysis.gnn_probability[index])
        ),
        paths=paths,
        reasons=reasons.reasons(index),
    )
    if trained is None:
        return explanation
    features = GraphFeatures(snapshot, analysis if trained.uses_analysis else None)
    field = _field_of(trained, features, index)  # read once for the ties and the features
    edges = explain_company(trained, snapshot, company, top=None, steps=steps, field=field)
    weights: dict[tuple[str, str], float] = {}
    for edge in edges:
        for label, key in (
            (edge.source_label, edge.source_key),
            (edge.target_label, edge.target_key),
        ):
            if (label, key) != ("Company", company):
                weights[(label, key)] = weights.get((label, key), 0.0) + edge.weight
    entities = sorted(weights.items(), key=lambda item: (-abs(item[1]), item[0]))[:top]
    shown_edges = [
        EdgeEvidence(
            e.source_label,
            _shown(e.source_label, e.source_key),
            e.relationship,
            e.target_label,
            _shown(e.target_label, e.target_key),
            e.weight,
        )
        for e in edges[:top]
    ]
    return dataclasses.replace(
        explanation,
        edges=shown_edges,
        entities=[EntityAttribution(lab, _shown(lab, key), w) for (lab, key), w in entities],
        features=feature_attributions(trained, features, index, top, field),
    )
