// purpose: Runs that began writing scores back and were never published (they died on the
//   way): while one exists, the companies' risk_* properties may mix two runs, and the next
//   write-back must cover every company.
// parameters: none
// returns: one row per unfinished run: id. Few rows (Run nodes are one per run).
// time budget: milliseconds.
// timeout: 600 s (one batch of the pipeline)
MATCH (r:Run {state: 'writing'})
RETURN r.id AS id
ORDER BY id
