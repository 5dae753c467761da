// purpose: Upsert natural persons by id (ingest). The resident ID arrives only as a keyed
//   hash. Rows merged by resident ID add their ids to the person's aliases.
// parameters: $rows (list of map): {id, props, aliases}; props among name, id_hash,
//   birth_year; aliases (list of string): other ids of this person (may be empty).
// returns: nothing (write counters only).
// time budget: about 0.2 s per 5,000 rows (the id constraint's index).
UNWIND $rows AS row
MERGE (p:Person {id: row.id})
SET p += row.props
WITH p, row
WHERE size(row.aliases) > 0
SET p.aliases = coalesce(p.aliases, []) +
  [a IN row.aliases WHERE NOT a IN coalesce(p.aliases, [])]
