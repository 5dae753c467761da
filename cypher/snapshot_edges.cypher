// purpose: Every relationship with the attributes the risk engine and the GNN use, in one
//   pass (the snapshot), as columns: one row per (source label, type, target label) with
//   one list per attribute. Absent values travel as sentinels (see snapshot_nodes): '' for
//   the role, -1 for share and amount, -999999 for dates. Not for interactive use.
// parameters: $types: the relationship types to read (the source data's)
// returns: one row per (source label, type, target label): source_label, type,
//   target_label, then aligned lists: sources, targets (keys as in snapshot_nodes), share
//   (HOLDS), amount (HOLDS, business ties), role (OFFICER_OF), since (days since 1970-01-01).
MATCH (a)-[r]->(b)
WHERE type(r) IN $types
WITH labels(a)[0] AS source_label, type(r) AS type, labels(b)[0] AS target_label, a, r, b
RETURN source_label, type, target_label,
  collect(coalesce(a.id, a.key, a.number)) AS sources,
  collect(coalesce(b.id, b.key, b.number)) AS targets,
  collect(coalesce(toFloat(r.share), -1.0)) AS share,
  collect(coalesce(toFloat(r.amount), -1.0)) AS amount,
  collect(coalesce(r.role, '')) AS role,
  collect(coalesce(duration.inDays(date('1970-01-01'), r.since).days, -999999)) AS since
