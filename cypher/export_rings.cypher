// purpose: Every ring member for `riskgraph export rings`, rings by score.
// parameters: none
// returns: ring_id, entity_id, entity_type ('company' or 'person'), ring_score.
// timeout: 3600 s (reads or writes a whole province)
MATCH (e)-[:MEMBER_OF]->(r:Ring)
RETURN r.id AS ring_id, e.id AS entity_id, toLower(labels(e)[0]) AS entity_type,
       r.score AS ring_score
ORDER BY ring_score DESC, ring_id, entity_type, entity_id
