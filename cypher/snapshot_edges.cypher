// purpose: The relationships that carry attributes (holdings, offices, business ties), in
//   one pass of the snapshot, as columns: one row per (source label, type, target label)
//   with one list per attribute. Endpoints are internal node ids (see snapshot_nodes, read
//   in the same transaction). Absent values travel as sentinels: '' for the role, -1 for
//   share and amount, -999999 for dates. Only the relationships in force on $as_of are
//   read: (since null or since <= $as_of) and (until null or $as_of < until); `until` is
//   exclusive, so of a holding's history edges at most one is read. Edges to an event
//   dated after $as_of are not read (as in snapshot_edges_bare, should HAS_EVENT ever carry
//   attributes): snapshot_nodes leaves such events out. Not for interactive use.
// parameters: $types: the relationship types to read (source types with properties);
//   $as_of (date): the day the graph is read as of (the caller's default: today).
// returns: one row per (source label, type, target label): source_label, type,
//   target_label, then aligned lists: sources, targets (internal ids), share (HOLDS),
//   amount (HOLDS, business ties), role (OFFICER_OF), since (days since 1970-01-01).
MATCH (a)-[r]->(b)
WHERE type(r) IN $types
  AND (r.since IS NULL OR r.since <= $as_of) AND (r.until IS NULL OR $as_of < r.until)
  AND (NOT b:Event OR b.date IS NULL OR b.date <= $as_of)
WITH labels(a)[0] AS source_label, type(r) AS type, labels(b)[0] AS target_label, a, r, b
RETURN source_label, type, target_label,
  collect(id(a)) AS sources,
  collect(id(b)) AS targets,
  collect(coalesce(toFloat(r.share), -1.0)) AS share,
  collect(coalesce(toFloat(r.amount), -1.0)) AS amount,
  collect(coalesce(r.role, '')) AS role,
  collect(coalesce(duration.inDays(date('1970-01-01'), r.since).days, -999999)) AS since
