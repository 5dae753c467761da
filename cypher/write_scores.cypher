// purpose: Write the analysis back onto companies (riskgraph analyze): score, level, tier,
//   components, contagion, reasons, ring id and the run's time. A null in props removes the
//   property, so a company that left its ring loses its old ring_id.
// parameters: $rows (list of map): {id, props}; props holds risk_score, risk_level,
//   risk_tier, risk_contagion, risk_ring, risk_events, risk_structure, contagion,
//   risk_reasons (list of string), ring_id (string or null), scored_at.
// returns: nothing (write counters only).
UNWIND $rows AS row
MATCH (c:Company {id: row.id})
SET c += row.props
