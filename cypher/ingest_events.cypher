// purpose: Upsert risk events and attach them to their company (ingest). Event ids hash
//   content and occurrence, so identical rows stay distinct events and re-runs merge.
// parameters: $rows (list of map): {id, company_id, props}; props among type, date,
//   severity, description.
// returns: nothing (write counters only).
// timeout: 600 s (one batch of the pipeline)
UNWIND $rows AS row
MATCH (c:Company {id: row.company_id})
MERGE (e:Event {id: row.id})
SET e += row.props
MERGE (c)-[:HAS_EVENT]->(e)
