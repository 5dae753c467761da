// purpose: Companies whose written-back level is one that raises alerts, each with its
//   latest alert (if any), so that raise_alerts can tell new material risk (the level rose,
//   or new kinds of reasons) from a risk already alerted.
// parameters: $levels (list of string): the levels that raise alerts, e.g. ['red', 'orange'].
// returns: one row per company: company_id, score, level, reasons (list of string),
//   scored_at (string), last (map of the latest alert: id, level, reasons, state; null
//   when the company has none). Ordered by company_id.
// timeout: 600 s (one batch of the pipeline)
MATCH (c:Company)
WHERE c.risk_level IN $levels
OPTIONAL CALL (c) {
  MATCH (a:Alert)-[:ALERT_ON]->(c)
  RETURN a ORDER BY a.raised_at DESC, a.id DESC LIMIT 1
}
RETURN c.id AS company_id, c.risk_score AS score, c.risk_level AS level,
       coalesce(c.risk_reasons, []) AS reasons, c.scored_at AS scored_at,
       CASE WHEN a IS NULL THEN null
         ELSE {id: a.id, level: a.level, reasons: coalesce(a.reasons, []), state: a.state}
       END AS last
ORDER BY company_id
