// purpose: The last statement of a run's publication: the run becomes the current one (the
//   previous current one is kept, no longer current). API workers poll run_current and load
//   the run's saved state when it changes.
// parameters: $id (string): the run id; $props (map): started_at, finished_at (ISO 8601
//   strings), as_of (date), previous_id, companies, flagged, rings, artefact (path),
//   written, and the GNN it scored with or why none (riskgraph.engine.models.ModelUse):
//   model (applied, absent, disabled, foreign), model_path, model_graph (the graph id the
//   model was trained on), model_trained_at, model_target.
//   Runs left 'writing' by a job that died are marked 'abandoned': this run's write-back
//   covered every company (run_begin, runs_unfinished), so their half-written scores are
//   gone.
// returns: nothing (write counters only).
// timeout: 600 s (one batch of the pipeline)
OPTIONAL MATCH (old:Run {current: true})
SET old.current = false
WITH count(old) AS superseded
OPTIONAL MATCH (dead:Run {state: 'writing'})
WHERE dead.id <> $id
SET dead.state = 'abandoned'
WITH count(dead) AS abandoned
MERGE (r:Run {id: $id})
SET r += $props, r.current = true, r.state = 'published'
