// purpose: Write the analysis back onto companies (riskgraph analyze): score, level, tier,
//   components (the GNN's null when no model ran), contagion, reasons, ring id and the
//   run's time. Columns (aligned lists) rather than a map per row: they travel and decode
//   faster. Setting null removes the property, so a company that left its ring loses its
//   old ring_id, and a run without a model its old GNN component. A run writes only the
//   companies whose values changed since the previous run (Engine.write_back), so
//   scored_at and scored_run say when a company's scores last changed; the current run is
//   the Run node with current = true.
// parameters: $ids (list of string); aligned lists $score, $level, $tier, $contagion_part,
//   $ring_part, $events_part, $structure_part, $gnn_part and $gnn_probability (float or
//   null), $contagion (float), $reasons (list of list of string), $ring_id (string or
//   null); $scored_at (string, ISO 8601); $run_id (string): the run that wrote them.
// returns: nothing (write counters only).
// timeout: 600 s (one batch of the pipeline)
UNWIND range(0, size($ids) - 1) AS i
MATCH (c:Company {id: $ids[i]})
SET c.risk_score = $score[i], c.risk_level = $level[i], c.risk_tier = $tier[i],
    c.risk_contagion = $contagion_part[i], c.risk_ring = $ring_part[i],
    c.risk_events = $events_part[i], c.risk_structure = $structure_part[i],
    c.risk_gnn = $gnn_part[i], c.gnn_probability = $gnn_probability[i],
    c.contagion = $contagion[i], c.risk_reasons = $reasons[i], c.ring_id = $ring_id[i],
    c.scored_at = $scored_at, c.scored_run = $run_id
