// purpose: What the server is and how big the graph is; `riskgraph db status` shows it.
// parameters: none
// returns: one row: version (string), edition (string), nodes (int), relationships (int);
//   counts come from Neo4j's count store, so this is instant on a province.
// timeout: 10 s (answers an API request: past it the request gets 504)
CALL dbms.components() YIELD name, versions, edition
WHERE name = 'Neo4j Kernel'
CALL () { MATCH (n) RETURN count(n) AS nodes }
CALL () { MATCH ()-[r]->() RETURN count(r) AS relationships }
RETURN versions[0] AS version, edition, nodes, relationships
