// purpose: The labels handlers gave by confirming or dismissing alerts, for the next GNN
//   training: per company, the label of its most recently handled labelled alert.
// parameters: none
// returns: one row per labelled alert, oldest change first (so a later one wins):
//   company_id (string), label (boolean).
// timeout: 10 s (answers an API request: past it the request gets 504)
MATCH (a:Alert)
WHERE a.label IS NOT NULL
RETURN a.company_id AS company_id, a.label AS label
ORDER BY a.updated_at, a.id
