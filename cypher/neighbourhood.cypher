// purpose: The k-hop network around an entity (k <= 3), breadth first, capped so that hubs
//   (an incubator address, a bookkeeping phone) cannot flood the answer: each expanded node
//   contributes at most $per_node neighbours, and at most $frontier nodes of a hop are
//   expanded further. What the caps left out is counted, not silently dropped. Nodes are
//   ordered by (hop, label, key), so pages ($skip, $limit) are disjoint and add up to total.
//   As of $as_of: only relationships in force on that day are followed (since null or
//   <= $as_of, until null or > $as_of; `until` is exclusive) and events dated after it are
//   not reached.
// parameters: $id (string): Company.id, Person.id, Address.key or Phone.number to start from;
//   $hops (int, 1..3); $types (list of string): relationship types to follow, [] = all;
//   $per_node (int): neighbours taken per expanded node (e.g. 25);
//   $frontier (int): nodes of a hop expanded to the next hop (e.g. 100);
//   $skip (int), $limit (int): the page of nodes to return.
//   $as_of (date): the day whose relationships count (the callers' default: today).
// returns: one row (none if $id is unknown): start (map: id, label, name), total (int: nodes
//   reached, the start excluded), nodes (list of maps: hop, id, label, name, parent_id, via =
//   relationship type to the parent, outgoing = whether that relationship points away from
//   the parent), left_out (list of int per hop: links not followed because of the caps),
//   unexpanded (list of int per hop: nodes reached but not expanded because of $frontier).
// timeout: 10 s (answers an API request: past it the request gets 504)
CALL () {
  MATCH (s:Company {id: $id}) RETURN s
  UNION
  MATCH (s:Person {id: $id}) RETURN s
  UNION
  MATCH (s:Address {key: $id}) RETURN s
  UNION
  MATCH (s:Phone {number: $id}) RETURN s
}
WITH s LIMIT 1

// hop 1
CALL (s) {
  MATCH (s)-[r]-(n)
  WHERE (size($types) = 0 OR type(r) IN $types)
    AND (r.since IS NULL OR r.since <= $as_of) AND (r.until IS NULL OR $as_of < r.until)
    AND (NOT n:Event OR n.date IS NULL OR n.date <= $as_of)
  WITH n, min(type(r)) AS via, min(startNode(r) = s) AS outgoing
  ORDER BY labels(n)[0], coalesce(n.id, n.key, n.number)
  WITH collect({node: n, parent: s, via: via, outgoing: outgoing}) AS found
  RETURN found[..$per_node] AS hop1, size(found) - size(found[..$per_node]) AS left1
}

// hop 2: expand the first $frontier nodes of hop 1
CALL (s, hop1) {
  WITH s, hop1, [x IN hop1 | x.node] AS seen
  UNWIND CASE WHEN $hops >= 2 THEN hop1[..$frontier] ELSE [] END AS h
  WITH s, seen, h.node AS a
  CALL (s, seen, a) {
    MATCH (a)-[r]-(n)
    WHERE (size($types) = 0 OR type(r) IN $types) AND n <> s AND NOT n IN seen
      AND (r.since IS NULL OR r.since <= $as_of) AND (r.until IS NULL OR $as_of < r.until)
      AND (NOT n:Event OR n.date IS NULL OR n.date <= $as_of)
    WITH n, min(type(r)) AS via, min(startNode(r) = a) AS outgoing
    ORDER BY labels(n)[0], coalesce(n.id, n.key, n.number)
    WITH collect({node: n, via: via, outgoing: outgoing}) AS found
    RETURN found[..$per_node] AS taken, size(found) - size(found[..$per_node]) AS skipped
  }
  WITH collect({a: a, taken: taken, skipped: skipped}) AS per
  UNWIND CASE WHEN size(per) = 0 THEN [null] ELSE per END AS p
  UNWIND CASE WHEN p IS NULL OR size(p.taken) = 0 THEN [null] ELSE p.taken END AS x
  WITH per, x.node AS n, collect(CASE WHEN x IS NULL THEN null
    ELSE {node: x.node, parent: p.a, via: x.via, outgoing: x.outgoing} END)[0] AS first
  ORDER BY labels(n)[0], coalesce(n.id, n.key, n.number)
  WITH per, collect(first) AS hop2
  RETURN hop2, reduce(t = 0, q IN per | t + q.skipped) AS left2
}

// hop 3: expand the first $frontier nodes of hop 2
CALL (s, hop1, hop2) {
  WITH s, hop2, [x IN hop1 + hop2 | x.node] AS seen
  UNWIND CASE WHEN $hops >= 3 THEN hop2[..$frontier] ELSE [] END AS h
  WITH s, seen, h.node AS a
  CALL (s, seen, a) {
    MATCH (a)-[r]-(n)
    WHERE (size($types) = 0 OR type(r) IN $types) AND n <> s AND NOT n IN seen
      AND (r.since IS NULL OR r.since <= $as_of) AND (r.until IS NULL OR $as_of < r.until)
      AND (NOT n:Event OR n.date IS NULL OR n.date <= $as_of)
    WITH n, min(type(r)) AS via, min(startNode(r) = a) AS outgoing
    ORDER BY labels(n)[0], coalesce(n.id, n.key, n.number)
    WITH collect({node: n, via: via, outgoing: outgoing}) AS found
    RETURN found[..$per_node] AS taken, size(found) - size(found[..$per_node]) AS skipped
  }
  WITH collect({a: a, taken: taken, skipped: skipped}) AS per
  UNWIND CASE WHEN size(per) = 0 THEN [null] ELSE per END AS p
  UNWIND CASE WHEN p IS NULL OR size(p.taken) = 0 THEN [null] ELSE p.taken END AS x
  WITH per, x.node AS n, collect(CASE WHEN x IS NULL THEN null
    ELSE {node: x.node, parent: p.a, via: x.via, outgoing: x.outgoing} END)[0] AS first
  ORDER BY labels(n)[0], coalesce(n.id, n.key, n.number)
  WITH per, collect(first) AS hop3
  RETURN hop3, reduce(t = 0, q IN per | t + q.skipped) AS left3
}

WITH s, hop1, hop2, left1, left2, left3,
  [x IN hop1 | x {.*, hop: 1}] + [x IN hop2 | x {.*, hop: 2}] + [x IN hop3 | x {.*, hop: 3}]
    AS reached,
  [CASE WHEN $hops >= 2 THEN size(hop1) - size(hop1[..$frontier]) ELSE size(hop1) END,
   CASE WHEN $hops >= 3 THEN size(hop2) - size(hop2[..$frontier]) ELSE size(hop2) END,
   size(hop3)] AS unexpanded
RETURN
  {id: coalesce(s.id, s.key, s.number), label: labels(s)[0],
   name: coalesce(s.name, s.text, s.number)} AS start,
  size(reached) AS total,
  [x IN reached[$skip..($skip + $limit)] | {
    hop: x.hop,
    id: coalesce(x.node.id, x.node.key, x.node.number),
    label: labels(x.node)[0],
    name: coalesce(x.node.name, x.node.text, x.node.number, x.node.type),
    parent_id: coalesce(x.parent.id, x.parent.key, x.parent.number),
    via: x.via,
    outgoing: x.outgoing
  }] AS nodes,
  [left1, left2, left3][..$hops] AS left_out,
  unexpanded[..$hops] AS unexpanded
