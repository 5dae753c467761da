// purpose: Contagion paths (风险传导路径): from exposed companies (an `exposure` event) to a
//   target company, the strongest paths up to $max_hops (at most 4, a literal bound). A
//   path's strength is the product of its hops' weights ($weights by relationship type;
//   a shareholding also multiplies by its share when known). Hubs (more than $max_degree
//   relationships) are not crossed: a path through an incubator address is no evidence.
//   As of $as_of: only relationships in force on that day are walked (since null or
//   <= $as_of, until null or > $as_of; `until` is exclusive), and only exposures dated up
//   to it (or undated) make a source. A hub is judged by its whole degree, history
//   included (a stored count, cheap).
// parameters: $id (string): target Company.id; $max_hops (int, 1..4); $weights (map:
//   relationship type -> weight in [0, 1]; types absent from the map are not followed);
//   $max_degree (int); $limit (int): paths returned; $as_of (date): the day whose
//   relationships and exposures count (the callers' default: today).
// returns: one row per path, strongest first: source_id, source_name (the exposed company),
//   strength (float), length (int), nodes (list of maps: id, label, name), hops (list of
//   maps: type, forward, weight).
// timeout: 10 s (answers an API request: past it the request gets 504)
MATCH (t:Company {id: $id})
MATCH p = (t)((x)-[r]-(y)
  WHERE $weights[type(r)] IS NOT NULL
    AND (r.since IS NULL OR r.since <= $as_of) AND (r.until IS NULL OR $as_of < r.until)
    AND (COUNT { (y)--() } <= $max_degree
         OR EXISTS {
           (y)-[:HAS_EVENT]->(ev:Event {type: 'exposure'})
           WHERE ev.date IS NULL OR ev.date <= $as_of
         })){1,4}(e:Company)
WHERE e <> t
  AND length(p) <= $max_hops
  AND EXISTS {
    (e)-[:HAS_EVENT]->(ev:Event {type: 'exposure'})
    WHERE ev.date IS NULL OR ev.date <= $as_of
  }
  AND all(i IN range(0, size(nodes(p)) - 2) WHERE NOT nodes(p)[i] IN nodes(p)[(i + 1)..])
WITH p, e, [rel IN relationships(p) |
  $weights[type(rel)] * CASE WHEN type(rel) = 'HOLDS' THEN coalesce(rel.share, 1.0) ELSE 1.0 END
] AS weights
WITH p, e, weights, reduce(s = 1.0, w IN weights | s * w) AS strength
ORDER BY strength DESC, length(p), e.id
LIMIT $limit
WITH p, e, weights, strength, reverse(nodes(p)) AS ns, reverse(relationships(p)) AS rs,
  reverse(weights) AS ws
RETURN e.id AS source_id, e.name AS source_name, strength, length(p) AS length,
  [n IN ns | {id: coalesce(n.id, n.key, n.number), label: labels(n)[0],
              name: coalesce(n.name, n.text, n.number)}] AS nodes,
  [i IN range(0, size(rs) - 1) | {type: type(rs[i]), forward: startNode(rs[i]) = ns[i],
                                  weight: ws[i]}] AS hops
