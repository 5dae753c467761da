// purpose: Every scored company for `riskgraph export scores`, riskiest first.
// parameters: none
// returns: company_id, name, score, level, tier, contagion, ring_id ('' when none), the
//   components (risk_contagion, risk_ring, risk_events, risk_structure, risk_gnn: null
//   when no model ran), gnn_probability and reasons (the stored reason data: a list of
//   JSON strings, worded by the CLI).
// timeout: 3600 s (reads or writes a whole province)
MATCH (c:Company)
WHERE c.risk_score IS NOT NULL
RETURN c.id AS company_id, c.name AS name, c.risk_score AS score, c.risk_level AS level,
       c.risk_tier AS tier, c.contagion AS contagion, coalesce(c.ring_id, '') AS ring_id,
       c.risk_contagion AS risk_contagion, c.risk_ring AS risk_ring,
       c.risk_events AS risk_events, c.risk_structure AS risk_structure,
       c.risk_gnn AS risk_gnn, c.gnn_probability AS gnn_probability,
       coalesce(c.risk_reasons, []) AS reasons
ORDER BY score DESC, company_id
