// purpose: Load shareholdings with their history (ingest). A holding is keyed by holder and
//   company, not by its values: a row equal to the current edge (the latest one still in
//   force at the row's start: until null or after it) changes nothing but a missing since
//   or value, or an earlier until; a row with another share or amount closes the current
//   edge and adds one with the row's values; a row already in the history (a closed edge
//   with its values and since, or its until) changes nothing; an older version is slotted
//   in between the versions around it. The exact rules are in docs/bundle-format.md,
//   "Deltas and history".
// parameters: $rows (list of map): {holder_id, holder_type ('person' or 'company'),
//   company_id, share, amount, since, until}; share, amount (float), since, until (date)
//   may be null; a holding appears at most once in one call (validate._versions).
//   $delivered (date): the delivery's date, which closes an edge when the row has no since.
// returns: nothing (write counters only).
// timeout: 600 s (one batch of the pipeline)
UNWIND $rows AS row
CALL (row) {
  MATCH (h:Person {id: row.holder_id}) WHERE row.holder_type = 'person' RETURN h
  UNION
  MATCH (h:Company {id: row.holder_id}) WHERE row.holder_type = 'company' RETURN h
}
MATCH (c:Company {id: row.company_id})
WITH row, h, c, COLLECT { MATCH (h)-[r:HOLDS]->(c) RETURN r ORDER BY r.since DESC } AS edges,
  coalesce(row.since, CASE WHEN row.until < $delivered THEN row.until ELSE $delivered END)
    AS start
WITH row, h, c, edges, start, [r IN edges WHERE r.until IS NULL OR r.until > start][0] AS open
WITH row, h, c, open, start, edges,
  open IS NOT NULL AND coalesce(start < open.since OR row.until <= open.since, false) AS older,
  open IS NOT NULL
    AND (row.share IS NULL OR open.share IS NULL OR open.share = row.share)
    AND (row.amount IS NULL OR open.amount IS NULL OR open.amount = row.amount) AS same,
  any(r IN edges WHERE r.until IS NOT NULL
    AND (row.share IS NULL OR r.share IS NULL OR r.share = row.share)
    AND (row.amount IS NULL OR r.amount IS NULL OR r.amount = row.amount)
    AND CASE WHEN row.until IS NULL THEN row.since IS NULL OR r.since = row.since
      ELSE r.until = row.until END) AS known
WITH row, h, c, open, start,
  // the earliest version that begins after this row's start (edges are in since DESC order)
  last([r IN edges WHERE r.since > start | r.since]) AS following,
  // a closed version in force at the row's start, which an older version delivered late cuts
  [r IN edges WHERE r.since <= start AND r.until > start AND (open IS NULL OR r <> open)][0]
    AS prior,
  size(edges) > 0 AS seen,
  CASE
    WHEN same AND NOT older THEN 'update'
    WHEN known THEN 'known'
    WHEN older THEN 'history'
    WHEN open IS NOT NULL THEN 'replace'
    ELSE 'new'
  END AS action
FOREACH (_ IN CASE WHEN action = 'update' THEN [1] ELSE [] END |
  SET open.since = coalesce(open.since, row.since),
    open.until = CASE WHEN row.until < coalesce(open.until, row.until + duration('P1D'))
      THEN row.until ELSE open.until END,
    open.share = coalesce(open.share, row.share), open.amount = coalesce(open.amount, row.amount))
FOREACH (_ IN CASE WHEN action = 'replace' THEN [1] ELSE [] END | SET open.until = start)
FOREACH (_ IN CASE WHEN action = 'history' AND row.until IS NULL AND prior IS NOT NULL
  THEN [1] ELSE [] END | SET prior.until = start)
FOREACH (_ IN CASE WHEN action IN ['replace', 'history', 'new'] THEN [1] ELSE [] END |
  CREATE (h)-[:HOLDS {
    share: row.share, amount: row.amount,
    since: CASE WHEN action = 'replace' OR (action = 'new' AND seen) THEN start
      ELSE row.since END,
    until: CASE action WHEN 'history' THEN coalesce(row.until, following) ELSE row.until END
  }]->(c))
