// purpose: Every relationship with the attributes the risk engine and the GNN use, in one
//   streaming pass (the snapshot). Not for interactive use: it returns every relationship.
// parameters: none
// returns: one row per relationship: type, source_label, source (key as in snapshot_nodes),
//   target_label, target, share (HOLDS), amount (HOLDS, business ties), role (OFFICER_OF),
//   since (date); null where not applicable.
MATCH (a)-[r]->(b)
RETURN type(r) AS type,
  labels(a)[0] AS source_label, coalesce(a.id, a.key, a.number) AS source,
  labels(b)[0] AS target_label, coalesce(b.id, b.key, b.number) AS target,
  r.share AS share, r.amount AS amount, r.role AS role, r.since AS since
