"""riskgraph.ingest (see the issues that build it)."""
