// purpose: Load business ties between companies with their history (ingest). A tie is
//   keyed by source, target and type, not by its amount: a row equal to the current edge
//   (the latest one still in force at the row's start) changes nothing but a missing since
//   or amount, or an earlier until; a row with another
//   amount closes the open edge and adds one; a row already in the history (a closed edge
//   with its amount and since, or its until) changes nothing. The exact rules are in
//   docs/bundle-format.md, "Deltas and history". Types are static in the CREATE text (one
//   branch each); riskgraph.graph.schema.LinkType lists them.
// parameters: $rows (list of map): {source_id, target_id, type (GUARANTEE, LOAN, TRADE,
//   BRANCH, RENT or CREDITOR), amount, since, until}; amount (float), since, until (date)
//   may be null; a tie appears at most once in one call (validate._versions).
//   $delivered (date): the delivery's date, which closes an edge when the row has no since.
// returns: nothing (write counters only).
// timeout: 600 s (one batch of the pipeline)
UNWIND $rows AS row
MATCH (s:Company {id: row.source_id})
MATCH (t:Company {id: row.target_id})
WITH row, s, t, COLLECT {
  MATCH (s)-[r]->(t) WHERE type(r) = row.type RETURN r ORDER BY r.since DESC
} AS edges,
  coalesce(row.since, CASE WHEN row.until < $delivered THEN row.until ELSE $delivered END)
    AS start
WITH row, s, t, edges, start, [r IN edges WHERE r.until IS NULL OR r.until > start][0] AS open
WITH row, s, t, open, start, edges,
  open IS NOT NULL AND coalesce(start < open.since OR row.until <= open.since, false) AS older,
  open IS NOT NULL
    AND (row.amount IS NULL OR open.amount IS NULL OR open.amount = row.amount) AS same,
  any(r IN edges WHERE r.until IS NOT NULL
    AND (row.amount IS NULL OR r.amount IS NULL OR r.amount = row.amount)
    AND CASE WHEN row.until IS NULL THEN row.since IS NULL OR r.since = row.since
      ELSE r.until = row.until END) AS known
WITH row, s, t, open, start,
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
    open.amount = coalesce(open.amount, row.amount))
FOREACH (_ IN CASE WHEN action = 'replace' THEN [1] ELSE [] END | SET open.until = start)
FOREACH (_ IN CASE WHEN action = 'history' AND row.until IS NULL AND prior IS NOT NULL
  THEN [1] ELSE [] END | SET prior.until = start)
WITH row, s, t, CASE action
    WHEN 'replace' THEN [{since: start, until: row.until}]
    WHEN 'history' THEN [{since: row.since, until: coalesce(row.until, following)}]
    WHEN 'new' THEN [{since: CASE WHEN seen THEN start ELSE row.since END, until: row.until}]
    ELSE []
  END AS created
FOREACH (p IN CASE WHEN row.type = 'GUARANTEE' THEN created ELSE [] END |
  CREATE (s)-[:GUARANTEE {amount: row.amount, since: p.since, until: p.until}]->(t))
FOREACH (p IN CASE WHEN row.type = 'LOAN' THEN created ELSE [] END |
  CREATE (s)-[:LOAN {amount: row.amount, since: p.since, until: p.until}]->(t))
FOREACH (p IN CASE WHEN row.type = 'TRADE' THEN created ELSE [] END |
  CREATE (s)-[:TRADE {amount: row.amount, since: p.since, until: p.until}]->(t))
FOREACH (p IN CASE WHEN row.type = 'BRANCH' THEN created ELSE [] END |
  CREATE (s)-[:BRANCH {amount: row.amount, since: p.since, until: p.until}]->(t))
FOREACH (p IN CASE WHEN row.type = 'RENT' THEN created ELSE [] END |
  CREATE (s)-[:RENT {amount: row.amount, since: p.since, until: p.until}]->(t))
FOREACH (p IN CASE WHEN row.type = 'CREDITOR' THEN created ELSE [] END |
  CREATE (s)-[:CREDITOR {amount: row.amount, since: p.since, until: p.until}]->(t))
