// purpose: Create or update the rings of a run being published, each with the features that
//   explain its score. A ring id is stable across runs (riskgraph.risk.ring_ids): a ring
//   kept from the previous run is updated in place, and keeps the run it first appeared in.
// parameters: $run_id (string); $rows (list of map): {id, serial (int), score, companies,
//   persons, features (JSON text), reasons (list of string)}.
// returns: nothing (write counters only).
// timeout: 600 s (one batch of the pipeline)
UNWIND $rows AS row
MERGE (r:Ring {id: row.id})
SET r.serial = row.serial, r.score = row.score, r.companies = row.companies,
    r.persons = row.persons, r.features = row.features, r.reasons = row.reasons,
    r.run_id = $run_id, r.first_run_id = coalesce(r.first_run_id, $run_id)
