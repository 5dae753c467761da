"""riskgraph.api (see the issues that build it)."""
