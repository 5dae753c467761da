"""riskgraph.gnn (see the issues that build it)."""
