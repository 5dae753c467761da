// purpose: Name, and for companies level and score, of a list of entities given by label
//   and key (the nodes of an explanation subgraph or of what-if paths).
// parameters: $nodes (list of map): {label ('Company', 'Person', 'Address', 'Phone',
//   'Event' or 'Ring'), key}.
// returns: one row per entity found: label, key, name (string or null), level (string or
//   null), score (float or null).
// timeout: 10 s (answers an API request: past it the request gets 504)
UNWIND $nodes AS x
CALL (x) {
  MATCH (n:Company {id: x.key}) WHERE x.label = 'Company' RETURN n
  UNION
  MATCH (n:Person {id: x.key}) WHERE x.label = 'Person' RETURN n
  UNION
  MATCH (n:Address {key: x.key}) WHERE x.label = 'Address' RETURN n
  UNION
  MATCH (n:Phone {number: x.key}) WHERE x.label = 'Phone' RETURN n
  UNION
  MATCH (n:Event {id: x.key}) WHERE x.label = 'Event' RETURN n
  UNION
  MATCH (n:Ring {id: x.key}) WHERE x.label = 'Ring' RETURN n
}
RETURN x.label AS label, x.key AS key,
       coalesce(n.name, n.text, n.number, n.type, n.id) AS name,
       n.risk_level AS level,
       CASE WHEN x.label = 'Ring' THEN n.score ELSE n.risk_score END AS score
