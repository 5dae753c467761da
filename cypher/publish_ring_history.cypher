// purpose: Keep each ring's state in a run (GET /rings/{id}/history): one RingRun per ring
//   and run, with its member ids, so members added and removed between runs can be read back
//   after the Ring itself has changed or gone. Not linked to the graph (traversals never
//   meet it).
// parameters: $run_id (string), $at (string, ISO 8601), $rows (list of map): {ring_id,
//   serial, score, company_ids, person_ids}.
// returns: nothing (write counters only).
// timeout: 600 s (one batch of the pipeline)
UNWIND $rows AS row
MERGE (h:RingRun {key: row.ring_id + '@' + $run_id})
SET h.ring_id = row.ring_id, h.run_id = $run_id, h.serial = row.serial, h.at = $at, h.score = row.score,
    h.companies = size(row.company_ids), h.persons = size(row.person_ids),
    h.company_ids = row.company_ids, h.person_ids = row.person_ids
