"""riskgraph: knowledge-graph risk propagation for financial regulators and anti-fraud teams.

Data flows one way: ingest -> Neo4j -> snapshot -> scoring/GNN -> write-back -> API.
"""

__version__ = "0.1.0"
