// purpose: One ring (GET /rings/{id}): why it scored (reasons, features), its members, and
//   the identifiers its member companies share (phones, addresses, people: the ties that
//   make it a ring), with how many members share each and its degree in the whole graph.
//   Only the ties in force on $as_of count (since null or <= $as_of, until null or >
//   $as_of; `until` is exclusive): a former officer or an old phone makes no ring, and a
//   person's degree counts one edge per relationship in force, not its history.
// parameters: $id (string): Ring.id; $limit (int): most members and identifiers listed;
//   $as_of (date): the day whose ties count (the run's as-of day, or today).
// returns: one row (none when $id is unknown): ring (map: id, score, companies, persons,
//   reasons, features as JSON text), companies (list of maps: id, name, score, level,
//   status), persons (list of maps: id, name), shared (list of maps: kind 'phone',
//   'address' or 'person', value, text, members, degree).
// timeout: 10 s (answers an API request: past it the request gets 504)
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
    MATCH (c)-[t:HAS_PHONE|REGISTERED_AT]->(x)
    WHERE (t.since IS NULL OR t.since <= $as_of) AND (t.until IS NULL OR $as_of < t.until)
    WITH x, count(DISTINCT c) AS members WHERE members >= 2
    RETURN {kind: CASE WHEN x:Phone THEN 'phone' ELSE 'address' END,
            value: coalesce(x.number, x.key), text: coalesce(x.text, x.number),
            members: members, degree: COUNT {
              (x)<-[h:HAS_PHONE|REGISTERED_AT]-()
              WHERE (h.since IS NULL OR h.since <= $as_of) AND (h.until IS NULL OR $as_of < h.until)
            }} AS item
    UNION
    MATCH (c:Company)-[:MEMBER_OF]->(r)
    MATCH (c)<-[t:OFFICER_OF|HOLDS]-(x:Person)
    WHERE (t.since IS NULL OR t.since <= $as_of) AND (t.until IS NULL OR $as_of < t.until)
    WITH x, count(DISTINCT c) AS members WHERE members >= 2
    RETURN {kind: 'person', value: x.id, text: x.name, members: members,
            degree: COUNT {
              (x)-[h:OFFICER_OF|HOLDS]->()
              WHERE (h.since IS NULL OR h.since <= $as_of) AND (h.until IS NULL OR $as_of < h.until)
            }} AS item
  } AS shared
