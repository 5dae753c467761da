// purpose: Upsert Phone nodes keyed by E.164 number and link companies or persons to them
//   with the link's history (ingest); the same number written four ways is one node. A
//   HAS_PHONE edge is keyed by entity and number: a row for the current edge (the latest
//   one still in force at the row's start, until null or after it) fills its missing since
//   and brings its until forward; a row already in the history changes
//   nothing; otherwise a new edge is created (docs/bundle-format.md, "Deltas and history").
// parameters: $rows (list of map): {entity_id, label ('Company' or 'Person'), number, kind,
//   since, until}; since, until (date) may be null; an (entity, number) pair appears at
//   most once in one call. $delivered (date): the delivery's date (the start of a
//   row without since or a past until, to find the edge in force then).
// returns: nothing (write counters only).
// timeout: 600 s (one batch of the pipeline)
UNWIND $rows AS row
CALL (row) {
  MATCH (e:Company {id: row.entity_id}) WHERE row.label = 'Company' RETURN e
  UNION
  MATCH (e:Person {id: row.entity_id}) WHERE row.label = 'Person' RETURN e
}
MERGE (x:Phone {number: row.number})
ON CREATE SET x.kind = row.kind
WITH row, e, x, COLLECT { MATCH (e)-[r:HAS_PHONE]->(x) RETURN r ORDER BY r.since DESC } AS edges
WITH row, e, x, edges,
  [r IN edges WHERE r.until IS NULL
    OR r.until > coalesce(row.since, CASE WHEN row.until < $delivered THEN row.until
      ELSE $delivered END)][0] AS open
WITH row, e, x, open, edges,
  open IS NOT NULL
    AND coalesce(row.since < open.since OR row.until <= open.since, false) AS older
WITH row, e, x, open,
  // the earliest version that begins after this row (edges are in since DESC order)
  last([r IN edges WHERE r.since > row.since | r.since]) AS following,
  CASE
    WHEN open IS NOT NULL AND NOT older THEN 'update'
    WHEN any(r IN edges WHERE r.until IS NOT NULL
      AND CASE WHEN row.until IS NULL THEN row.since IS NULL OR r.since = row.since
        ELSE r.until = row.until END) THEN 'known'
    WHEN older THEN 'history'
    ELSE 'new'
  END AS action
FOREACH (_ IN CASE WHEN action = 'update' THEN [1] ELSE [] END |
  SET open.since = coalesce(open.since, row.since),
    open.until = CASE WHEN row.until < coalesce(open.until, row.until + duration('P1D'))
      THEN row.until ELSE open.until END)
FOREACH (_ IN CASE WHEN action IN ['history', 'new'] THEN [1] ELSE [] END |
  CREATE (e)-[:HAS_PHONE {
    since: row.since,
    until: CASE action WHEN 'history' THEN coalesce(row.until, following, open.since)
      ELSE row.until END
  }]->(x))
