// purpose: Upsert business ties between companies (ingest), one typed edge per source row
//   keyed by content and occurrence. Types are static in the text (one branch each) so
//   that the planner uses the id indexes; riskgraph.graph.schema.LinkType lists them.
// parameters: $rows (list of map): {source_id, target_id, type (GUARANTEE, LOAN, TRADE,
//   BRANCH, RENT or CREDITOR), key, props}; props among amount, since.
// returns: nothing (write counters only).
UNWIND $rows AS row
MATCH (s:Company {id: row.source_id})
MATCH (t:Company {id: row.target_id})
FOREACH (_ IN CASE WHEN row.type = 'GUARANTEE' THEN [1] ELSE [] END |
  MERGE (s)-[r:GUARANTEE {key: row.key}]->(t) SET r += row.props)
FOREACH (_ IN CASE WHEN row.type = 'LOAN' THEN [1] ELSE [] END |
  MERGE (s)-[r:LOAN {key: row.key}]->(t) SET r += row.props)
FOREACH (_ IN CASE WHEN row.type = 'TRADE' THEN [1] ELSE [] END |
  MERGE (s)-[r:TRADE {key: row.key}]->(t) SET r += row.props)
FOREACH (_ IN CASE WHEN row.type = 'BRANCH' THEN [1] ELSE [] END |
  MERGE (s)-[r:BRANCH {key: row.key}]->(t) SET r += row.props)
FOREACH (_ IN CASE WHEN row.type = 'RENT' THEN [1] ELSE [] END |
  MERGE (s)-[r:RENT {key: row.key}]->(t) SET r += row.props)
FOREACH (_ IN CASE WHEN row.type = 'CREDITOR' THEN [1] ELSE [] END |
  MERGE (s)-[r:CREDITOR {key: row.key}]->(t) SET r += row.props)
