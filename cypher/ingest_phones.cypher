// purpose: Upsert Phone nodes keyed by E.164 number and link companies or persons to them
//   (ingest); the same number written four ways is one node.
// parameters: $rows (list of map): {entity_id, label ('Company' or 'Person'), number, kind}.
// returns: nothing (write counters only).
UNWIND $rows AS row
CALL (row) {
  MATCH (e:Company {id: row.entity_id}) WHERE row.label = 'Company' RETURN e
  UNION
  MATCH (e:Person {id: row.entity_id}) WHERE row.label = 'Person' RETURN e
}
MERGE (t:Phone {number: row.number})
ON CREATE SET t.kind = row.kind
MERGE (e)-[:HAS_PHONE]->(t)
