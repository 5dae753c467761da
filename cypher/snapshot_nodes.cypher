// purpose: Every node with the attributes the risk engine and the GNN use, in one streaming
//   pass (the snapshot). Not for interactive use on a province: it returns every node.
// parameters: none
// returns: one row per node: label, key (Company/Person/Event id, Address key, Phone
//   number), status, established (date), registered_capital, industry, region (companies),
//   birth_year (persons), type, date, severity (events); null where not applicable.
MATCH (n)
RETURN labels(n)[0] AS label, coalesce(n.id, n.key, n.number) AS key,
  n.status AS status, n.established AS established,
  n.registered_capital AS registered_capital, n.industry AS industry, n.region AS region,
  n.birth_year AS birth_year, n.type AS type, n.date AS date, n.severity AS severity
