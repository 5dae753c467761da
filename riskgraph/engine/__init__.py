"""The engine: the one place the pipeline lives.

snapshot -> analysis (propagation, rings, scores) -> the GNN's component -> reasons (data,
with entity names) -> write-back -> alerts. The CLI, the API, the demo, the benches, the
notebook and the tests all call ``Engine``; nothing else strings these steps together.
Layering: ``engine`` uses ``graph`` (Neo4j), ``risk`` (pure scoring) and ``gnn``; ``graph``
never imports it back.
"""
