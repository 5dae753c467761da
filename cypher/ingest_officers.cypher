// purpose: Load offices with their history (ingest). An office is keyed by person, company
//   and role: a row for the current edge (the latest one still in force at the row's start,
//   until null or after it) fills its missing since and brings its until forward (the
//   person left); a row already in the history (a closed edge with its since,
//   or its until) changes nothing; otherwise a new edge is created. The exact rules are in
//   docs/bundle-format.md, "Deltas and history".
// parameters: $rows (list of map): {person_id, company_id, role, since, until}; since,
//   until (date) may be null; an office appears at most once in one call
//   (validate._versions). $delivered (date): the delivery's date (the start of a row
//   without since or a past until, to find the edge in force then).
// returns: nothing (write counters only).
// timeout: 600 s (one batch of the pipeline)
UNWIND $rows AS row
MATCH (p:Person {id: row.person_id})
MATCH (c:Company {id: row.company_id})
WITH row, p, c, COLLECT {
  MATCH (p)-[r:OFFICER_OF]->(c) WHERE r.role = row.role RETURN r ORDER BY r.since DESC
} AS edges
WITH row, p, c, edges,
  [r IN edges WHERE r.until IS NULL
    OR r.until > coalesce(row.since, CASE WHEN row.until < $delivered THEN row.until
      ELSE $delivered END)][0] AS open
WITH row, p, c, open, edges,
  open IS NOT NULL
    AND coalesce(row.since < open.since OR row.until <= open.since, false) AS older
WITH row, p, c, open,
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
  CREATE (p)-[:OFFICER_OF {
    role: row.role, since: row.since,
    until: CASE action WHEN 'history' THEN coalesce(row.until, following, open.since)
      ELSE row.until END
  }]->(c))
