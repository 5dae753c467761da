// purpose: One Person per resident ID across loads: a person loaded earlier under an id
//   that a later load finds to be an alias (same ID number as another person) is merged
//   into that person. Its holdings, offices, addresses and phones move over (merging
//   with any the person already has), the alias is kept in aliases, and the old node is
//   deleted (its derived ring membership goes with it; the next analysis redoes rings).
// parameters: $rows (list of map): {alias (string): the id of the Person to merge away,
//   id (string): the Person it becomes}.
// returns: nothing (write counters only).
// time budget: milliseconds per merged person (a handful of relationships each).
// timeout: 3600 s (reads or writes a whole province)
UNWIND $rows AS row
MATCH (old:Person {id: row.alias})
MATCH (keep:Person {id: row.id})
WHERE old <> keep
CALL (old, keep) {
  MATCH (old)-[r:HOLDS]->(c:Company)
  MERGE (keep)-[moved:HOLDS {key: r.key}]->(c)
  SET moved += properties(r)
}
CALL (old, keep) {
  MATCH (old)-[r:OFFICER_OF]->(c:Company)
  MERGE (keep)-[moved:OFFICER_OF {role: r.role}]->(c)
  SET moved += properties(r)
}
CALL (old, keep) {
  MATCH (old)-[:REGISTERED_AT]->(a:Address)
  MERGE (keep)-[:REGISTERED_AT]->(a)
}
CALL (old, keep) {
  MATCH (old)-[:HAS_PHONE]->(t:Phone)
  MERGE (keep)-[:HAS_PHONE]->(t)
}
SET keep.aliases = coalesce(keep.aliases, []) +
  [a IN [row.alias] + coalesce(old.aliases, []) WHERE NOT a IN coalesce(keep.aliases, [])],
  keep.birth_year = coalesce(keep.birth_year, old.birth_year)
DETACH DELETE old
