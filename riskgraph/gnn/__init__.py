"""riskgraph.gnn: a heterogeneous graph neural network that scores company risk.

``features`` turns a snapshot into a ``HeteroData`` under a ``FeatureSchema``; ``model``
holds the architectures; ``train`` fits one on the exposures known at t0 and keeps it,
calibrated, as a ``TrainedModel``; ``fields`` cuts the receptive fields that batched
inference and the explanations run on; ``combine`` adds its probability to the risk score;
``explain`` names the relationships a prediction rests on.

PyG still ``torch.jit.script``s a few helpers at import, which recent torch deprecates
with a FutureWarning on every import; it says nothing about riskgraph, so it is silenced
here, once, for the whole package (and for tests that turn warnings into errors).
"""

from __future__ import annotations

import warnings

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=r".*torch\.jit\.script.*", category=FutureWarning)
    import torch_geometric.nn  # noqa: F401
