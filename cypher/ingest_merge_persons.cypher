// purpose: One Person per resident ID across loads: a person loaded earlier under an id
//   that a later load finds to be an alias (same ID number as another person) is merged
//   into that person. Its holdings, offices, addresses and phones move over with their
//   history: a current edge (no until) of a key the person already holds current (the same
//   company, role, address or phone) is folded into the person's (missing since and values
//   filled in), so one key never has two current edges; any other edge is copied with its
//   properties unless the person already has one with exactly those; the alias is kept in
//   aliases, and
//   the old node is deleted (its derived ring membership goes with it; the next analysis
//   redoes rings). Replaces merge_persons, which merged HOLDS on the per-row key that
//   history edges no longer carry.
// parameters: $rows (list of map): {alias (string): the id of the Person to merge away,
//   id (string): the Person it becomes}. $delivered (date): unused (every ingest query
//   is given it).
// returns: nothing (write counters only).
// time budget: milliseconds per merged person (a handful of relationships each).
// timeout: 600 s (one batch of the pipeline)
UNWIND $rows AS row
MATCH (old:Person {id: row.alias})
MATCH (keep:Person {id: row.id})
WHERE old <> keep
CALL (old, keep) {
  MATCH (old)-[r:HOLDS]->(c:Company)
  WITH keep, r, c, CASE WHEN r.until IS NULL THEN COLLECT {
    MATCH (keep)-[x:HOLDS]->(c) WHERE x.until IS NULL RETURN x } [0] END AS current
  FOREACH (_ IN CASE WHEN current IS NOT NULL THEN [1] ELSE [] END |
    SET current.since = coalesce(current.since, r.since),
      current.share = coalesce(current.share, r.share),
      current.amount = coalesce(current.amount, r.amount))
  WITH keep, r, c, current
  WHERE current IS NULL
    AND NOT EXISTS { MATCH (keep)-[x:HOLDS]->(c) WHERE properties(x) = properties(r) }
  CREATE (keep)-[moved:HOLDS]->(c)
  SET moved = properties(r)
}
CALL (old, keep) {
  MATCH (old)-[r:OFFICER_OF]->(c:Company)
  WITH keep, r, c, CASE WHEN r.until IS NULL THEN COLLECT {
    MATCH (keep)-[x:OFFICER_OF]->(c) WHERE x.until IS NULL AND x.role = r.role RETURN x } [0]
    END AS current
  FOREACH (_ IN CASE WHEN current IS NOT NULL THEN [1] ELSE [] END |
    SET current.since = coalesce(current.since, r.since))
  WITH keep, r, c, current
  WHERE current IS NULL
    AND NOT EXISTS { MATCH (keep)-[x:OFFICER_OF]->(c) WHERE properties(x) = properties(r) }
  CREATE (keep)-[moved:OFFICER_OF]->(c)
  SET moved = properties(r)
}
CALL (old, keep) {
  MATCH (old)-[r:REGISTERED_AT]->(a:Address)
  WITH keep, r, a, CASE WHEN r.until IS NULL THEN COLLECT {
    MATCH (keep)-[x:REGISTERED_AT]->(a) WHERE x.until IS NULL RETURN x } [0] END AS current
  FOREACH (_ IN CASE WHEN current IS NOT NULL THEN [1] ELSE [] END |
    SET current.since = coalesce(current.since, r.since))
  WITH keep, r, a, current
  WHERE current IS NULL
    AND NOT EXISTS { MATCH (keep)-[x:REGISTERED_AT]->(a) WHERE properties(x) = properties(r) }
  CREATE (keep)-[moved:REGISTERED_AT]->(a)
  SET moved = properties(r)
}
CALL (old, keep) {
  MATCH (old)-[r:HAS_PHONE]->(t:Phone)
  WITH keep, r, t, CASE WHEN r.until IS NULL THEN COLLECT {
    MATCH (keep)-[x:HAS_PHONE]->(t) WHERE x.until IS NULL RETURN x } [0] END AS current
  FOREACH (_ IN CASE WHEN current IS NOT NULL THEN [1] ELSE [] END |
    SET current.since = coalesce(current.since, r.since))
  WITH keep, r, t, current
  WHERE current IS NULL
    AND NOT EXISTS { MATCH (keep)-[x:HAS_PHONE]->(t) WHERE properties(x) = properties(r) }
  CREATE (keep)-[moved:HAS_PHONE]->(t)
  SET moved = properties(r)
}
SET keep.aliases = coalesce(keep.aliases, []) +
  [a IN [row.alias] + coalesce(old.aliases, []) WHERE NOT a IN coalesce(keep.aliases, [])],
  keep.birth_year = coalesce(keep.birth_year, old.birth_year)
DETACH DELETE old
