// purpose: The relationships among a set of entities (given by label and key): the edges
//   of an explanation subgraph, with what labels them (share, role). Only relationships
//   in force on $as_of (since null or <= $as_of, until null or > $as_of; `until` is
//   exclusive), so an ended holding or office is not drawn and a changed share shows once.
// parameters: $nodes (list of map): {label, key} as in api_entity_cards; $types (list of
//   string): relationship types kept, [] = all; $limit (int): most edges returned;
//   $as_of (date): the day whose relationships are drawn (callers pass today by default).
// returns: one row per relationship: source_label, source, target_label, target, type,
//   share (float or null), role (string or null). Ordered by source, target, type.
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
WITH collect(n) AS found
UNWIND found AS a
MATCH (a)-[r]->(b)
WHERE b IN found AND (size($types) = 0 OR type(r) IN $types)
  AND (r.since IS NULL OR r.since <= $as_of) AND (r.until IS NULL OR $as_of < r.until)
WITH labels(a)[0] AS source_label, coalesce(a.id, a.key, a.number) AS source,
     labels(b)[0] AS target_label, coalesce(b.id, b.key, b.number) AS target,
     type(r) AS type, r.share AS share, r.role AS role
RETURN source_label, source, target_label, target, type, share, role
ORDER BY source, target, type
LIMIT $limit
