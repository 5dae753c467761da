// purpose: Create new alerts (state 'new') and link each to its company (raise_alerts).
//   MERGE on the id (a hash of company, level and analysis time): raising twice for the
//   same analysis run creates nothing the second time.
// parameters: $rows (list of map): {id, company_id, level, score, reasons (list of string),
//   scored_at}; $now (string, ISO 8601).
// returns: nothing (write counters only).
// timeout: 600 s (one batch of the pipeline)
UNWIND $rows AS row
MATCH (c:Company {id: row.company_id})
MERGE (a:Alert {id: row.id})
ON CREATE SET a.company_id = row.company_id, a.level = row.level, a.score = row.score,
  a.reasons = row.reasons, a.scored_at = row.scored_at, a.state = 'new',
  a.raised_at = $now, a.updated_at = $now, a.history = []
MERGE (a)-[:ALERT_ON]->(c)
