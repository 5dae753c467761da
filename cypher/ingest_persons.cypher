// purpose: Upsert natural persons by id (ingest), keeping the history of their attributes
//   as ingest_companies does (an AttributeChange per overwritten value, connected to
//   nothing; the name's search forms follow the name, unrecorded). The resident ID
//   arrives only as a keyed hash. Rows merged by resident ID add
//   their ids to the person's aliases.
// parameters: $rows (list of map): {id, props, aliases}; props among name, search_name,
//   name_initials, id_hash,
//   birth_year; aliases (list of string): other ids of this person (may be empty).
//   $delivered (date): the delivery's date (AttributeChange.date).
// returns: nothing (write counters only).
// time budget: about 0.2 s per 5,000 rows (the id constraint's index).
// timeout: 600 s (one batch of the pipeline)
UNWIND $rows AS row
MERGE (p:Person {id: row.id})
WITH p, row, [k IN keys(row.props)
  WHERE p[k] IS NOT NULL AND p[k] <> row.props[k] AND NOT k IN ['search_name', 'name_initials']
  | {field: k, old: p[k], new: row.props[k]}] AS changes
SET p += row.props
SET p.aliases = CASE WHEN size(row.aliases) = 0 THEN p.aliases ELSE
  coalesce(p.aliases, []) + [a IN row.aliases WHERE NOT a IN coalesce(p.aliases, [])] END
WITH p, changes
UNWIND changes AS change
CREATE (:AttributeChange {
  id: randomUUID(), entity_id: p.id, label: 'Person', field: change.field,
  old: change.old, new: change.new, date: $delivered
})
