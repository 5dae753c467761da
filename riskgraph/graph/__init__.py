"""Neo4j access: the schema, the embedded server, the one gateway, migrations, snapshots."""
