"""Neo4j access: the schema, the embedded server, the one gateway, migrations, snapshots."""

from riskgraph.imports import import_without

import_without("neo4j", "pandas")  # before gateway/server import it: see riskgraph.imports
