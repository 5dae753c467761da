// purpose: The relationships that carry attributes (holdings, offices, business ties), in
//   one pass of the snapshot, as columns: one row per (source label, type, target label)
//   with one list per attribute. Endpoints are internal node ids (see snapshot_nodes, read
//   in the same transaction). Absent values travel as sentinels: '' for the role, -1 for
//   share and amount, -999999 for dates. Not for interactive use.
// parameters: $types: the relationship types to read (source types with properties)
// returns: one row per (source label, type, target label): source_label, type,
//   target_label, then aligned lists: sources, targets (internal ids), share (HOLDS),
//   amount (HOLDS, business ties), role (OFFICER_OF), since (days since 1970-01-01).
MATCH (a)-[r]->(b)
WHERE type(r) IN $types
WITH labels(a)[0] AS source_label, type(r) AS type, labels(b)[0] AS target_label, a, r, b
RETURN source_label, type, target_label,
  collect(id(a)) AS sources,
  collect(id(b)) AS targets,
  collect(coalesce(toFloat(r.share), -1.0)) AS share,
  collect(coalesce(toFloat(r.amount), -1.0)) AS amount,
  collect(coalesce(r.role, '')) AS role,
  collect(coalesce(duration.inDays(date('1970-01-01'), r.since).days, -999999)) AS since
