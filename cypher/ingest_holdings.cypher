// purpose: Upsert shareholdings (ingest). One HOLDS edge per source row, keyed by its
//   content and occurrence, so repeated tranches stay distinct and re-runs merge.
// parameters: $rows (list of map): {holder_id, holder_type ('person' or 'company'),
//   company_id, key, props}; props among share, amount, since.
// returns: nothing (write counters only).
UNWIND $rows AS row
CALL (row) {
  MATCH (h:Person {id: row.holder_id}) WHERE row.holder_type = 'person' RETURN h
  UNION
  MATCH (h:Company {id: row.holder_id}) WHERE row.holder_type = 'company' RETURN h
}
MATCH (c:Company {id: row.company_id})
MERGE (h)-[r:HOLDS {key: row.key}]->(c)
SET r += row.props
