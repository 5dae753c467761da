"""Why the GNN scores a company high: the relationships that carry its prediction.

GNNExplainer (``torch_geometric.explain``) learns a soft mask over the edges of the
company's receptive field that keeps the model's prediction while using as few edges as
possible; the edges it keeps are the evidence. A relationship and its reverse are one
tie to an analyst, so they are reported once, with the larger weight of the two.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor, nn
from torch_geometric.explain import Explainer, GNNExplainer

from riskgraph.gnn.features import NODE_TYPES, REVERSE, EdgeType, GraphFeatures
from riskgraph.gnn.model import CompanyRiskNet
from riskgraph.gnn.train import TrainedModel
from riskgraph.graph.snapshot import Snapshot
from riskgraph.risk.analysis import Analysis

_LABELS = {t: label for label, t in NODE_TYPES.items()}


@dataclass(frozen=True)
class EdgeEvidence:
    """One relationship, in its schema direction, and how much the prediction needs it."""

    source_label: str
    source_key: str
    relationship: str
    target_label: str
    target_key: str
    weight: float


class _Ensemble(nn.Module):
    """The members' mean logit, as one module (the explainer masks every member alike)."""

    def __init__(self, networks: list[CompanyRiskNet]) -> None:
        super().__init__()
        self.networks = nn.ModuleList(networks)

    def forward(self, x: dict[str, Tensor], edge_index: dict[EdgeType, Tensor]) -> Tensor:
        logits = torch.stack([net(x, edge_index) for net in self.networks])
        return logits.mean(dim=0)


def explain_company(
    trained: TrainedModel,
    snapshot: Snapshot,
    company: str,
    analysis: Analysis | None = None,
    *,
    top: int | None = 5,
    epochs: int = 200,
    lr: float = 0.1,
    seed: int = 0,
) -> list[EdgeEvidence]:
    """The ``top`` relationships (all that count, with None) the model's prediction for
    ``company`` rests on, by weight (deterministic for a given ``seed``)."""
    index = snapshot.nodes["Company"].index.get(company)
    if index is None:
        raise KeyError(f"no company {company!r} in the snapshot")
    features = GraphFeatures(snapshot, analysis)
    x = features.matrices(trained.schema)
    # empty edge types carry nothing to explain (and the explainer cannot size their mask)
    edge_index = {e: index for e, index in features.edge_index().items() if index.numel()}
    model = _Ensemble(trained.networks())
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    explainer = Explainer(
        model=model,
        algorithm=GNNExplainer(epochs=epochs, lr=lr),
        explanation_type="model",
        node_mask_type=None,
        edge_mask_type="object",
        model_config={"mode": "binary_classification", "task_level": "node", "return_type": "raw"},
    )
    torch.manual_seed(seed)
    explanation = explainer(x, edge_index, index=index)
    best: dict[tuple[str, str, str, str, str], float] = {}
    for edge_type in edge_index:
        mask = explanation[edge_type].get("edge_mask")
        if mask is None:
            continue
        weights = mask.detach().double().numpy()
        src, rel, dst = edge_type
        pairs = edge_index[edge_type].numpy()
        for e in np.flatnonzero(weights > 0):
            s, t = int(pairs[0, e]), int(pairs[1, e])
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
            best[key] = max(best.get(key, 0.0), float(weights[e]))
    ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))[:top]  # None: all
    return [EdgeEvidence(*key, weight=weight) for key, weight in ranked]
