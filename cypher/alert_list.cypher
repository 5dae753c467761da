// purpose: Alerts for the closed loop (GET /alerts): newest first, filtered, one page, each
//   with its company's name and current level and score.
// parameters: $state (string or null): only this state; $level (string or null): only
//   alerts raised at this level; $company_id (string or null): only this company's;
//   $id (string or null): only this alert; $skip (int), $limit (int): the page.
// returns: one row: total (int: alerts matching), items (list of maps: id, company_id,
//   company_name, level, score, reasons, state, note, label, raised_at, scored_at,
//   updated_at, updated_by, assignee, history, current_level, current_score).
// timeout: 10 s (answers an API request: past it the request gets 504)
MATCH (a:Alert)
WHERE ($state IS NULL OR a.state = $state)
  AND ($level IS NULL OR a.level = $level)
  AND ($company_id IS NULL OR a.company_id = $company_id)
  AND ($id IS NULL OR a.id = $id)
WITH a ORDER BY a.raised_at DESC, a.id
WITH collect(a) AS found
RETURN size(found) AS total,
  [a IN found[$skip..($skip + $limit)] |
    head([(a)-[:ALERT_ON]->(c:Company) | a {
      .id, .company_id, .level, .score, .reasons, .state, .note, .label, .raised_at,
      .scored_at, .updated_at, .updated_by, .assignee, .history,
      company_name: c.name, current_level: c.risk_level, current_score: c.risk_score
    }])] AS items
