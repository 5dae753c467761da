// purpose: Upsert Address nodes keyed by the normalised address and link companies or
//   persons to them (ingest); the same place written differently is one node.
// parameters: $rows (list of map): {entity_id, label ('Company' or 'Person'), key, props};
//   props among text, province, city, district.
// returns: nothing (write counters only).
UNWIND $rows AS row
CALL (row) {
  MATCH (e:Company {id: row.entity_id}) WHERE row.label = 'Company' RETURN e
  UNION
  MATCH (e:Person {id: row.entity_id}) WHERE row.label = 'Person' RETURN e
}
MERGE (a:Address {key: row.key})
ON CREATE SET a += row.props
MERGE (e)-[:REGISTERED_AT]->(a)
