// purpose: One page of an entity's direct neighbours, for the web app's "expand": each with
//   the relationships that tie it to the entity (in force on $as_of), ordered by label then
//   key so pages are disjoint and add up to total; a hub (an address with 300 companies)
//   comes back a page at a time.
// parameters: $label (string): Company, Person, Address, Phone, Event or Ring; $key
//   (string): its id, key or number; $types (list of string): relationship types followed;
//   $skip (int), $limit (int): the page; $as_of (date): the day whose relationships count.
// returns: zero rows (unknown entity) or one: center (map: label, key, name, level,
//   score), total (int), nodes (list of maps: label, key, name, level, score, ties (list of
//   maps: type, outgoing (from the centre), share, role)).
// time budget: 50 ms for a hub of 10,000 neighbours.
// timeout: 10 s (answers an API request: past it the request gets 504)
CALL () {
  MATCH (n:Company {id: $key}) WHERE $label = 'Company' RETURN n
  UNION
  MATCH (n:Person {id: $key}) WHERE $label = 'Person' RETURN n
  UNION
  MATCH (n:Address {key: $key}) WHERE $label = 'Address' RETURN n
  UNION
  MATCH (n:Phone {number: $key}) WHERE $label = 'Phone' RETURN n
  UNION
  MATCH (n:Event {id: $key}) WHERE $label = 'Event' RETURN n
  UNION
  MATCH (n:Ring {id: $key}) WHERE $label = 'Ring' RETURN n
}
WITH n AS s LIMIT 1
CALL (s) {
  MATCH (s)-[r]-(m)
  WHERE type(r) IN $types
    AND (r.since IS NULL OR r.since <= $as_of) AND (r.until IS NULL OR $as_of < r.until)
    AND (NOT m:Event OR m.date IS NULL OR m.date <= $as_of)
  WITH m, collect({type: type(r), outgoing: startNode(r) = s, share: r.share, role: r.role})
    AS ties
  ORDER BY labels(m)[0], coalesce(m.id, m.key, m.number)
  WITH collect({node: m, ties: ties}) AS found
  RETURN size(found) AS total, found[$skip..($skip + $limit)] AS page
}
RETURN
  {label: labels(s)[0], key: coalesce(s.id, s.key, s.number),
   name: coalesce(s.name, s.text, s.number, s.type, s.id), level: s.risk_level,
   score: CASE WHEN s:Ring THEN s.score ELSE s.risk_score END} AS center,
  total,
  [x IN page | {
    label: labels(x.node)[0], key: coalesce(x.node.id, x.node.key, x.node.number),
    name: coalesce(x.node.name, x.node.text, x.node.number, x.node.type, x.node.id),
    level: x.node.risk_level,
    score: CASE WHEN x.node:Ring THEN x.node.score ELSE x.node.risk_score END, ties: x.ties
  }] AS nodes
