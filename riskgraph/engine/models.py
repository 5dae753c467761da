"""Which GNN model a run scores with, and why: as data (``ModelUse``), worded at the edges.

A model file at ``RISKGRAPH_GNN_MODEL`` is picked up by every analysis, so one trained on
another data set (another province, a benchmark) would otherwise lower the scores of this
one without a word. A model therefore records the graph it was trained on
(``TrainedModel.graph_id``, the graph's identity: ``riskgraph.graph.identity``), and the
default file is applied only to that graph. A file named on purpose (``--model FILE``), a
model object handed to the engine, or ``RISKGRAPH_GNN_ANY_GRAPH=true`` is applied anyway:
the user said so. The run records the outcome (``ModelUse``): the Run node, the saved state
and the CLI's summary name the model a run used, or why it used none.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from riskgraph.errors import RiskgraphError
from riskgraph.graph.gateway import QueryGateway
from riskgraph.graph.identity import graph_identity
from riskgraph.settings import Settings

if TYPE_CHECKING:
    from riskgraph.gnn.train import TrainedModel

log = logging.getLogger(__name__)


class ModelUnusable(RiskgraphError):
    """The GNN model file is missing or not a riskgraph model."""


class ModelStatus(StrEnum):
    APPLIED = "applied"  # the scores have its component
    ABSENT = "absent"  # no model file at RISKGRAPH_GNN_MODEL
    DISABLED = "disabled"  # asked for none (--no-gnn)
    FOREIGN = "foreign"  # trained on another graph (or records none): refused


@dataclass(frozen=True)
class ModelUse:
    """The model a run scored with, or why none: plain values, rendered by the callers."""

    status: ModelStatus
    path: Path | None = None  # the file (None: a model object was given, or no file)
    graph_id: str | None = None  # the graph the model was trained on (None: not recorded)
    trained_at: str | None = None  # when it was trained (ISO 8601)
    target: str | None = None  # exposure or outcome
    graph: str | None = None  # this database's graph id, where it was compared
    forced: bool = False  # applied although trained on another graph: the user said so

    @property
    def applied(self) -> bool:
        return self.status is ModelStatus.APPLIED

    def props(self) -> dict[str, Any]:
        """The Run node's properties (``publish_run``)."""
        return {
            "model": self.status.value,
            "model_path": None if self.path is None else str(self.path),
            "model_graph": self.graph_id,
            "model_trained_at": self.trained_at,
            "model_target": self.target,
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "path": None if self.path is None else str(self.path),
            "graph_id": self.graph_id,
            "trained_at": self.trained_at,
            "target": self.target,
            "graph": self.graph,
            "forced": self.forced,
        }


class ForeignModel(ModelUnusable):
    """The model at the default path was trained on another graph (or records none)."""

    def __init__(self, use: ModelUse) -> None:
        self.use = use
        super().__init__(
            f"the GNN model {use.path} was trained on "
            f"{'graph ' + use.graph_id if use.graph_id else 'a graph it does not record'}, "
            f"not on this one ({use.graph}): not applied. To use it anyway: "
            f"`--model {use.path}`, or RISKGRAPH_GNN_ANY_GRAPH=true"
        )


def load_model(path: Path) -> TrainedModel:
    """The saved GNN, or a clear error saying how to make one."""
    from riskgraph.gnn.train import TrainedModel

    if not path.exists():
        raise ModelUnusable(f"no GNN model at {path}: train one with `riskgraph gnn train`")
    try:
        return TrainedModel.load(path)
    except Exception as exc:  # torch's and pickle's errors for a file that is not a model
        raise ModelUnusable(f"{path} is not a usable riskgraph GNN model: {exc}") from exc


def _use(
    model: TrainedModel,
    path: Path | None,
    graph: str | None = None,
    forced: bool = False,
    status: ModelStatus = ModelStatus.APPLIED,
) -> ModelUse:
    return ModelUse(
        status,
        path,
        model.graph_id,
        model.trained_at,
        model.target,
        graph,
        forced,
    )


def choose_model(
    graph: QueryGateway,
    settings: Settings,
    gnn: TrainedModel | Path | bool | None,
) -> tuple[TrainedModel | None, ModelUse]:
    """The model to score with (None: the rules only) and what was decided. ``gnn``: None,
    the file at RISKGRAPH_GNN_MODEL when it exists; True, that file, required; False, none;
    a Path, that file, whatever graph it was trained on; a model object, that model. The
    default file, trained on another graph, is refused (module docstring): ``None`` and
    ``ModelStatus.FOREIGN``, or with ``gnn=True`` a ``ForeignModel`` error."""
    if gnn is False:
        return None, ModelUse(ModelStatus.DISABLED)
    if gnn is not None and gnn is not True and not isinstance(gnn, Path):
        return gnn, _use(gnn, None)
    explicit = isinstance(gnn, Path)
    path = gnn if isinstance(gnn, Path) else settings.gnn_model
    if gnn is None and not path.exists():
        return None, ModelUse(ModelStatus.ABSENT, path)
    import torch

    torch.set_num_threads(settings.gnn_threads)
    model = load_model(path)
    here = graph_identity(graph)
    foreign = model.graph_id != here
    if foreign and not explicit and not settings.gnn_any_graph:
        use = _use(model, path, here, status=ModelStatus.FOREIGN)
        if gnn is True:
            raise ForeignModel(use)
        log.info("GNN model refused: %s", ForeignModel(use))
        return None, use
    return model, _use(model, path, here, forced=foreign)
