// purpose: One ring (GET /rings/{id}): why it scored (reasons, features), its members, and
//   the identifiers its member companies share (phones, addresses, people: the ties that
//   make it a ring), with how many members share each and its degree in the whole graph.
// parameters: $id (string): Ring.id; $limit (int): most members and identifiers listed.
// returns: one row (none when $id is unknown): ring (map: id, score, companies, persons,
//   reasons, features as JSON text), companies (list of maps: id, name, score, level,
//   status), persons (list of maps: id, name), shared (list of maps: kind 'phone',
//   'address' or 'person', value, text, members, degree).
MATCH (r:Ring {id: $id})
RETURN r {.id, .score, .companies, .persons, .reasons, .features} AS ring,
  COLLECT {
    MATCH (c:Company)-[:MEMBER_OF]->(r)
    RETURN {id: c.id, name: c.name, score: c.risk_score, level: c.risk_level,
            status: c.status} AS item
    ORDER BY c.risk_score DESC, c.id LIMIT $limit
  } AS companies,
  COLLECT {
    MATCH (p:Person)-[:MEMBER_OF]->(r)
    RETURN {id: p.id, name: p.name} AS item ORDER BY p.id LIMIT $limit
  } AS persons,
  COLLECT {
    MATCH (c:Company)-[:MEMBER_OF]->(r)
    MATCH (c)-[:HAS_PHONE|REGISTERED_AT]->(x)
    WITH x, count(DISTINCT c) AS members WHERE members >= 2
    RETURN {kind: CASE WHEN x:Phone THEN 'phone' ELSE 'address' END,
            value: coalesce(x.number, x.key), text: coalesce(x.text, x.number),
            members: members, degree: COUNT { (x)<-[:HAS_PHONE|REGISTERED_AT]-() }} AS item
    UNION
    MATCH (c:Company)-[:MEMBER_OF]->(r)
    MATCH (c)<-[:OFFICER_OF|HOLDS]-(x:Person)
    WITH x, count(DISTINCT c) AS members WHERE members >= 2
    RETURN {kind: 'person', value: x.id, text: x.name, members: members,
            degree: COUNT { (x)-[:OFFICER_OF|HOLDS]->() }} AS item
  } AS shared
