// purpose: How are A and B connected: the shortest paths first, then longer simple paths up
//   to $max_hops, through people, holdings, offices, business ties, shared addresses and
//   phones. Hubs are not walked through: an intermediate node with more than $max_degree
//   relationships (an incubator address, a bookkeeping phone) is skipped, because a path
//   through it says nothing. At most 4 hops (a literal bound: Cypher takes no parameter).
//   As of $as_of: only relationships in force on that day are walked (since null or
//   <= $as_of, until null or > $as_of; `until` is exclusive), and events dated after it
//   are not reached. A hub is judged by its whole degree, history included (a stored
//   count, cheap; filtering it by day would expand every hub).
// parameters: $from (string), $to (string): Company.id, Person.id, Address.key or
//   Phone.number; $max_hops (int, 1..4); $types (list of string): relationship types allowed,
//   [] = all; $max_degree (int): intermediate nodes of higher degree are not crossed (e.g. 50);
//   $limit (int): paths returned; $as_of (date): the day whose relationships count (the
//   callers' default: today).
// returns: one row per path, shortest first: length (int), shortest (bool: of minimal
//   length), nodes (list of maps: id, label, name), hops (list of maps: type, forward = the
//   relationship points from the node before to the node after, share, role).
// timeout: 10 s (answers an API request: past it the request gets 504)
CALL () {
  MATCH (a:Company {id: $from}) RETURN a
  UNION
  MATCH (a:Person {id: $from}) RETURN a
  UNION
  MATCH (a:Address {key: $from}) RETURN a
  UNION
  MATCH (a:Phone {number: $from}) RETURN a
}
CALL () {
  MATCH (b:Company {id: $to}) RETURN b
  UNION
  MATCH (b:Person {id: $to}) RETURN b
  UNION
  MATCH (b:Address {key: $to}) RETURN b
  UNION
  MATCH (b:Phone {number: $to}) RETURN b
}
WITH a, b LIMIT 1
// Reachability first: one shortest path is a cheap bidirectional search, and pairs with no
// path within $max_hops (most random pairs) stop here instead of exploring every trail.
MATCH q = SHORTEST 1 (a)((x)-[r]-(y)
  WHERE (size($types) = 0 OR type(r) IN $types)
    AND (r.since IS NULL OR r.since <= $as_of) AND (r.until IS NULL OR $as_of < r.until)
    AND (NOT y:Event OR y.date IS NULL OR y.date <= $as_of)
    AND (y = b OR COUNT { (y)--() } <= $max_degree)){1,4}(b)
WITH a, b, q WHERE length(q) <= $max_hops
MATCH p = SHORTEST 50 (a)((x)-[r]-(y)
  WHERE (size($types) = 0 OR type(r) IN $types)
    AND (r.since IS NULL OR r.since <= $as_of) AND (r.until IS NULL OR $as_of < r.until)
    AND (NOT y:Event OR y.date IS NULL OR y.date <= $as_of)
    AND (y = b OR COUNT { (y)--() } <= $max_degree)){1,4}(b)
WITH p, nodes(p) AS ns
WHERE length(p) <= $max_hops
  AND all(i IN range(0, size(ns) - 2) WHERE NOT ns[i] IN ns[(i + 1)..])
WITH p, ns ORDER BY length(p) LIMIT $limit
WITH collect({p: p, ns: ns}) AS found
WITH found, reduce(m = 99, f IN found | CASE WHEN length(f.p) < m THEN length(f.p) ELSE m END)
  AS shortest_length
UNWIND found AS f
WITH f.p AS p, f.ns AS ns, shortest_length
RETURN
  length(p) AS length,
  length(p) = shortest_length AS shortest,
  [n IN ns | {id: coalesce(n.id, n.key, n.number), label: labels(n)[0],
              name: coalesce(n.name, n.text, n.number)}] AS nodes,
  [i IN range(0, length(p) - 1) | {
    type: type(relationships(p)[i]),
    forward: startNode(relationships(p)[i]) = ns[i],
    share: relationships(p)[i].share,
    role: relationships(p)[i].role
  }] AS hops
