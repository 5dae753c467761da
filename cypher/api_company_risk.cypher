// purpose: What `riskgraph analyze` (and the GNN, once trained) wrote on one company, with
//   its ring, for GET /companies/{id}/risk.
// parameters: $id (string): Company.id; $numbers (list of string): E.164 numbers in the
//   answer's evidence paths, checked in the same round trip; $entities (list of map:
//   {label: 'Company' | 'Person', id}): the paths' companies and people, to name them.
// returns: one row (none when $id is unknown): id, name, score, level, tier, scored_at,
//   contagion (raw propagated contagion), components (map: contagion, ring, events,
//   structure, gnn), reasons (list of stored reason JSON strings), gnn (the GNN component risk_gnn, null until
//   a model wrote one), gnn_probability (float or null), gnn_details (list of [key, value]
//   of any other gnn_* or risk_gnn_* property: attributions a model may add),
//   ring (map: id, score, companies, persons, reasons; null when in none),
//   personal_phones (those of $numbers filed by a natural person: masked for viewers),
//   names (list of map: label, id, name) of $entities.
// timeout: 10 s (answers an API request: past it the request gets 504)
MATCH (c:Company {id: $id})
OPTIONAL MATCH (c)-[:MEMBER_OF]->(r:Ring)
RETURN c.id AS id, c.name AS name, c.risk_score AS score, c.risk_level AS level,
       c.risk_tier AS tier, c.scored_at AS scored_at, c.contagion AS contagion,
       {contagion: c.risk_contagion, ring: c.risk_ring, events: c.risk_events,
        structure: c.risk_structure, gnn: c.risk_gnn} AS components,
       coalesce(c.risk_reasons, []) AS reasons,
       c.risk_gnn AS gnn, c.gnn_probability AS gnn_probability,
       [k IN keys(c) WHERE (k STARTS WITH 'risk_gnn_' OR k STARTS WITH 'gnn_')
          AND k <> 'gnn_probability' | [k, c[k]]] AS gnn_details,
       CASE WHEN r IS NULL THEN null
         ELSE r {.id, .score, .companies, .persons, .reasons} END AS ring,
       COLLECT {
         UNWIND $numbers AS number
         MATCH (t:Phone {number: number})
         WHERE EXISTS { (:Person)-[:HAS_PHONE]->(t) }
         RETURN DISTINCT t.number
       } AS personal_phones,
       COLLECT {
         UNWIND $entities AS e
         CALL (e) {
           MATCH (n:Company {id: e.id}) WHERE e.label = 'Company' RETURN n
           UNION
           MATCH (n:Person {id: e.id}) WHERE e.label = 'Person' RETURN n
         }
         RETURN {label: e.label, id: e.id, name: n.name}
       } AS names
LIMIT 1
