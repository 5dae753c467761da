// purpose: The alerts just raised, by id, for the daily report (riskgraph daily).
// parameters: $ids (list of string): Alert ids.
// returns: one row per alert: id, company_id, name (the company's), level, score, reasons
//   (stored reason JSON strings), raised_at.
// timeout: 10 s (answers an API request: past it the request gets 504)
UNWIND $ids AS id
MATCH (a:Alert {id: id})
OPTIONAL MATCH (a)-[:ALERT_ON]->(c:Company)
RETURN a.id AS id, a.company_id AS company_id, c.name AS name, a.level AS level,
       a.score AS score, coalesce(a.reasons, []) AS reasons, a.raised_at AS raised_at
ORDER BY a.score DESC, a.id
