"""The architectures: a logit per company from the heterogeneous graph.

- ``sage``: GraphSAGE made heterogeneous: a ``HeteroConv`` of one ``SAGEConv`` (mean
  aggregation) per edge type, summed per node type, with one root weight per node type
  (per-edge-type root weights would only add up to one linear map, at 7x the cost).
- ``rgcn``: R-GCN: the same sum of per-relation means, but every relation's weight is a
  mix of a few shared bases (basis decomposition), so the rare relations borrow strength
  from the common ones.
- ``hgt``: the Heterogeneous Graph Transformer (``HGTConv``): type-specific attention per
  edge. Without pyg-lib its backward pass slices one tensor per edge type (about 60x the
  cost of ``sage`` on a 20,000-company province), so it is for small graphs or a GPU.

All project each node type's features to ``hidden`` first (node types have different
features), stack ``layers`` message-passing layers with residual connections and layer
norm (so that a company's own features are never washed out by its neighbours'), and end
in a small head over the company's first and last representations. ``sage`` and ``rgcn``
compute only what the companies' logits need in the last layer, and hold one edge type's
messages at a time: memory grows with the largest edge type, not with all of them.
"""

from __future__ import annotations

import threading
import warnings
import weakref
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import scipy.sparse as sp
import torch
from torch import Tensor, nn
from torch_geometric.nn import HeteroConv, HGTConv, MessagePassing, SAGEConv

from riskgraph.gnn.features import EdgeType, FeatureSchema
from riskgraph.graph.snapshot import FloatArray, IntArray

ARCHITECTURES = ("sage", "rgcn", "hgt")
EdgeIndex = Mapping[EdgeType, Tensor]


@dataclass(frozen=True)
class ModelConfig:
    # rgcn for both targets (docs/gnn.md): as good as sage on held-out exposures at a third
    # the size; on outcomes sage is ahead by 0.0025 AP (`python -m bench gnn-lift`) but at
    # 100,000 companies trained in 281-345 s and inferred 650,000 in 63 s, over budget
    architecture: str = "rgcn"
    hidden: int = 32
    layers: int = 2
    dropout: float = 0.3
    heads: int = 2  # hgt only
    bases: int = 4  # rgcn only: relation weights share this many bases

    def __post_init__(self) -> None:
        if self.architecture not in ARCHITECTURES:
            raise ValueError(f"architecture must be one of {ARCHITECTURES}")
        if self.architecture == "hgt" and self.hidden % self.heads:
            raise ValueError("hidden must be a multiple of heads")


class _MeanMatrices:
    """The row-normalised adjacency of one edge index as CSR matrices, forward and
    transposed: a mean aggregation becomes one sparse product, and its gradient another,
    about four times faster on the CPU than gathering one message per edge and scattering
    them (it never holds the edges' messages)."""

    def __init__(self, edge_index: Tensor, sources: int, targets: int) -> None:
        src, dst = edge_index[0].cpu().numpy(), edge_index[1].cpu().numpy()
        degree = np.maximum(np.bincount(dst, minlength=targets), 1)
        weight = (1.0 / degree[dst]).astype(np.float32)
        # built on the CPU (scipy), used where the edge index lives (a GPU's cuSPARSE)
        self.forward = _csr(dst, src, weight, (targets, sources)).to(edge_index.device)
        self.backward = _csr(src, dst, weight, (sources, targets)).to(edge_index.device)


def _csr(rows: IntArray, columns: IntArray, values: FloatArray, shape: tuple[int, int]) -> Tensor:
    """A torch CSR matrix from coordinates (duplicates summed), built by scipy (a sort in
    C, where torch's COO ``coalesce`` took a quarter of the inference time) and without
    torch's sparse warnings: the invariants hold by construction, and CSR's "beta" label is
    no news."""
    matrix = sp.csr_array((values, (rows, columns)), shape=shape)
    matrix.sum_duplicates()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*[Ss]parse.*", category=UserWarning)
        return torch.sparse_csr_tensor(
            torch.from_numpy(matrix.indptr.astype(np.int64)),
            torch.from_numpy(matrix.indices.astype(np.int64)),
            torch.from_numpy(matrix.data.astype(np.float32)),
            shape,
            check_invariants=False,
        )


# Matrices per edge index, shared by every layer and member that aggregates over it (an
# ensemble's 3 members x 2 layers would otherwise build them 6 times in training, one
# pass or an explanation), and forgotten with the edge index itself (a weak reference),
# so a long-running API holds none for graphs it no longer uses. Batched inference gives
# each batch a new view of its edge index on purpose: its matrices then last one batch.
_MATRICES: dict[int, tuple[weakref.ref[Tensor], tuple[int, int], _MeanMatrices]] = {}
_MATRICES_LOCK = threading.Lock()


def mean_matrices(edge_index: Tensor, sources: int, targets: int) -> _MeanMatrices:
    key = id(edge_index)
    with _MATRICES_LOCK:
        entry = _MATRICES.get(key)
        if entry is not None and entry[0]() is edge_index and entry[1] == (sources, targets):
            return entry[2]
    made = _MeanMatrices(edge_index, sources, targets)

    def forget(ref: weakref.ref[Tensor]) -> None:
        with _MATRICES_LOCK:
            current = _MATRICES.get(key)
            if current is not None and current[0] is ref:
                del _MATRICES[key]

    with _MATRICES_LOCK:
        _MATRICES[key] = (weakref.ref(edge_index, forget), (sources, targets), made)
    return made


class _SparseMean(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor, matrices: _MeanMatrices) -> Tensor:
        ctx.matrices = matrices
        return matrices.forward @ x

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None]:
        return ctx.matrices.backward @ grad, None


class _Mean(MessagePassing):  # type: ignore[misc]  # PyG is untyped
    """The mean of the source representations over one edge type. A ``MessagePassing``
    so that the explainers can mask its edges (``set_hetero_masks``): while explaining it
    passes messages edge by edge, otherwise it multiplies by the shared mean matrix."""

    def __init__(self) -> None:
        super().__init__(aggr="mean")

    def forward(self, x: tuple[Tensor, Tensor], edge_index: Tensor) -> Tensor:
        size = (x[0].size(0), x[1].size(0))
        if self.explain:
            out: Tensor = self.propagate(edge_index, x=x, size=size)
            return out
        mean: Tensor = _SparseMean.apply(x[0], mean_matrices(edge_index, *size))
        return mean


class _RGCN(nn.Module):
    """One R-GCN layer (Schlichtkrull et al. 2018) without its self-connection (the
    network adds one root weight per node type): per edge type, the mean of the source
    representations times that relation's weight, summed per target type. Relation
    weights are mixes of ``bases`` shared matrices (basis decomposition), which
    regularises the rare relations (a few hundred BRANCH ties) with what the common ones
    teach. Written per edge type rather than with ``RGCNConv``, which transforms every
    node of the graph once per relation (5x slower here)."""

    def __init__(self, hidden: int, edge_types: list[EdgeType], bases: int) -> None:
        super().__init__()
        self.edge_types = edge_types
        self.means = nn.ModuleDict({"__".join(e): _Mean() for e in edge_types})
        bases = min(bases, len(edge_types))
        self.bases = nn.Parameter(torch.empty(bases, hidden, hidden))
        self.mix = nn.Parameter(torch.empty(len(edge_types), bases))
        nn.init.xavier_uniform_(self.bases)
        nn.init.xavier_uniform_(self.mix)

    def forward(
        self, h: Mapping[str, Tensor], edge_index: Mapping[EdgeType, Tensor]
    ) -> dict[str, Tensor]:
        weights = torch.einsum("rb,bio->rio", self.mix, self.bases)
        out: dict[str, Tensor] = {}
        for code, (src, rel, dst) in enumerate(self.edge_types):
            index = edge_index.get((src, rel, dst))
            if index is None:
                continue
            mean = self.means["__".join((src, rel, dst))]((h[src], h[dst]), index)
            message = mean @ weights[code]
            out[dst] = out[dst] + message if dst in out else message
        return out


class CompanyRiskNet(nn.Module):
    """Features per node type and edge indices per edge type -> one logit per company."""

    def __init__(
        self,
        config: ModelConfig,
        node_dims: Mapping[str, int],
        edge_types: Sequence[EdgeType],
    ) -> None:
        super().__init__()
        self.config = config
        hidden = config.hidden
        node_types = sorted(node_dims)
        self.inputs = nn.ModuleDict({t: nn.Linear(node_dims[t], hidden) for t in node_types})
        self.convs = nn.ModuleList()
        self.norms = nn.ModuleList()
        self.roots = nn.ModuleList()  # sage and rgcn: one root weight per node type
        metadata = (node_types, list(edge_types))
        for _ in range(config.layers):
            if config.architecture == "sage":
                # one root weight per node type rather than per edge type: their sum is
                # one linear map anyway, at a seventh of the cost
                conv: nn.Module = HeteroConv(
                    {e: SAGEConv(hidden, hidden, root_weight=False) for e in edge_types},
                    aggr="sum",
                )
            elif config.architecture == "rgcn":
                conv = _RGCN(hidden, list(edge_types), config.bases)
            else:
                conv = HGTConv(hidden, hidden, metadata, heads=config.heads)
            self.convs.append(conv)
            self.norms.append(nn.ModuleDict({t: nn.LayerNorm(hidden) for t in node_types}))
            if config.architecture != "hgt":
                self.roots.append(nn.ModuleDict({t: nn.Linear(hidden, hidden) for t in node_types}))
        self.dropout = nn.Dropout(config.dropout)
        self.head = nn.Sequential(
            nn.Linear(2 * hidden, hidden),
            nn.ReLU(),
            nn.Dropout(config.dropout),
            nn.Linear(hidden, 1),
        )

    def embed(
        self,
        x: Mapping[str, Tensor],
        edge_index: EdgeIndex | Sequence[EdgeIndex],
        wanted: Collection[str] | None = None,
    ) -> tuple[dict[str, Tensor], dict[str, Tensor]]:
        """Every node's first (projected features) and last representation; with
        ``wanted``, the last layer of ``sage`` and ``rgcn`` only updates those node types
        (the others keep their previous representation), which halves its cost.
        ``edge_index`` is one for every layer, or one per layer (a receptive field's,
        trimmed to what each layer reads: ``riskgraph.gnn.fields``)."""
        if isinstance(edge_index, Mapping):
            per_layer: list[EdgeIndex] = [edge_index] * len(self.convs)
        else:
            per_layer = list(edge_index)
            if len(per_layer) != len(self.convs):
                raise ValueError(f"{len(per_layer)} edge indices for {len(self.convs)} layers")
        first = self.project(x)
        h = first
        last = len(self.convs) - 1
        for i in range(len(self.convs)):
            h = self.layer(i, h, per_layer[i], wanted if i == last else None)
        return first, h

    def project(self, x: Mapping[str, Tensor]) -> dict[str, Tensor]:
        """Every node's first representation: its features projected to ``hidden``."""
        return {t: torch.relu(layer(x[t])) for t, layer in self.inputs.items()}

    def layer(
        self,
        i: int,
        h: Mapping[str, Tensor],
        edge_index: EdgeIndex,
        wanted: Collection[str] | None = None,
    ) -> dict[str, Tensor]:
        """Layer ``i`` on the representations ``h``: a node's new one reads only its own
        and its in-neighbours', so a layer can run on any node set with all the edges
        into it (layer-wise inference, ``riskgraph.gnn.train``). With ``wanted``,
        ``sage`` and ``rgcn`` update only those node types."""
        norms = cast(nn.ModuleDict, self.norms[i])
        edges = dict(edge_index)
        updated = list(h)
        if self.roots and wanted is not None:
            edges = {e: index for e, index in edges.items() if e[2] in wanted}
            updated = [t for t in h if t in wanted]
        out = self.convs[i](h, edges)
        if self.roots:
            roots = cast(nn.ModuleDict, self.roots[i])
            out = {t: roots[t](h[t]) + out[t] if t in out else roots[t](h[t]) for t in updated}
        return {
            t: self.dropout(norms[t](h[t] + torch.relu(out[t]))) if t in out else h[t] for t in h
        }

    def head_logits(self, first: Tensor, last: Tensor) -> Tensor:
        """Companies' logits from their first and last representations."""
        logits: Tensor = self.head(torch.cat([first, last], dim=1)).squeeze(-1)
        return logits

    def forward(
        self, x: Mapping[str, Tensor], edge_index: EdgeIndex | Sequence[EdgeIndex]
    ) -> Tensor:
        first, last = self.embed(x, edge_index, wanted={"company"})
        return self.head_logits(first["company"], last["company"])


def build_model(config: ModelConfig, schema: FeatureSchema) -> CompanyRiskNet:
    """A network shaped for graphs of ``schema``."""
    dims = {t: len(names) for t, names in schema.features.items()}
    return CompanyRiskNet(config, dims, schema.edge_types)
