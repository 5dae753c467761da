// purpose: Link ring members to their Ring (riskgraph analyze). Companies and persons come
//   in separate lists so that each MATCH uses its label's key constraint.
// parameters: $companies, $persons (list of map): {id, ring_id}.
// returns: nothing (write counters only).
// timeout: 600 s (one batch of the pipeline)
CALL (){
  UNWIND $companies AS row
  MATCH (c:Company {id: row.id}), (r:Ring {id: row.ring_id})
  MERGE (c)-[:MEMBER_OF]->(r)
}
CALL (){
  UNWIND $persons AS row
  MATCH (p:Person {id: row.id}), (r:Ring {id: row.ring_id})
  MERGE (p)-[:MEMBER_OF]->(r)
}
