// purpose: The current analysis run (what the API serves), polled every few seconds by each
//   API worker; a lookup on an indexed property.
// parameters: none
// returns: at most one row: id, started_at, finished_at, as_of (date), previous_id,
//   artefact (path of its saved state).
// timeout: 10 s (answers an API request: past it the request gets 504)
MATCH (r:Run {current: true})
RETURN r.id AS id, r.started_at AS started_at, r.finished_at AS finished_at,
       r.as_of AS as_of, r.previous_id AS previous_id, r.artefact AS artefact
ORDER BY r.finished_at DESC
LIMIT 1
