// purpose: Names of companies and persons, for the reasons that mention them.
// parameters: $entities (list of map): {label: 'Company' | 'Person', id}.
// returns: one row per entity found: label, id, name (may be null).
// time budget: about 50 ms per 10,000 entities (the id constraints' indexes).
// timeout: 10 s (answers an API request: past it the request gets 504)
UNWIND $entities AS e
CALL (e) {
  MATCH (n:Company {id: e.id}) WHERE e.label = 'Company' RETURN n
  UNION
  MATCH (n:Person {id: e.id}) WHERE e.label = 'Person' RETURN n
}
RETURN e.label AS label, e.id AS id, n.name AS name
