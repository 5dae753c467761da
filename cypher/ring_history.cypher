// purpose: A ring's state in every run it was found in, oldest first (GET /rings/{id}/history).
// parameters: $id (string): Ring id.
// returns: one row per run: run_id, at (ISO 8601), score, companies, persons, company_ids,
//   person_ids (lists of ids).
// timeout: 10 s (answers an API request: past it the request gets 504)
MATCH (h:RingRun {ring_id: $id})
RETURN h.run_id AS run_id, h.at AS at, h.score AS score, h.companies AS companies,
       h.persons AS persons, h.company_ids AS company_ids, h.person_ids AS person_ids
ORDER BY h.run_id
