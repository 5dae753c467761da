// purpose: Record that a run has begun writing back (before its first score batch): a Run
//   node in state 'writing', not current. publish_run marks it 'published'; a run that
//   dies in between stays 'writing', so the next run knows the companies' scores may hold
//   a half-written run and writes every company, not only those whose scores changed.
// parameters: $id (string): the run id; $started_at (string, ISO 8601).
// returns: nothing (write counters only).
// time budget: a few milliseconds (one indexed MERGE).
// timeout: 600 s (one batch of the pipeline)
MERGE (r:Run {id: $id})
ON CREATE SET r.current = false, r.state = 'writing', r.started_at = $started_at
