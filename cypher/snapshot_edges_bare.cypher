// purpose: The relationships without attributes beyond their period (phones, addresses,
//   events), in one pass of the snapshot, as columns of internal node ids (see
//   snapshot_nodes, read in the same transaction); returning no properties makes this
//   the cheap part. Only the relationships in force on $as_of are read (since null or
//   since <= $as_of, until null or $as_of < until), and HAS_EVENT only to events that had
//   happened by then (date null or <= $as_of), the events snapshot_nodes reads. Not for
//   interactive use.
// parameters: $types: the relationship types to read (source types without properties);
//   $as_of (date): the day the graph is read as of (the caller's default: today).
// returns: one row per (source label, type, target label): source_label, type,
//   target_label, sources, targets (aligned lists of internal ids).
MATCH (a)-[r]->(b)
WHERE type(r) IN $types
  AND (r.since IS NULL OR r.since <= $as_of) AND (r.until IS NULL OR $as_of < r.until)
  AND (NOT b:Event OR b.date IS NULL OR b.date <= $as_of)
WITH labels(a)[0] AS source_label, type(r) AS type, labels(b)[0] AS target_label, a, b
RETURN source_label, type, target_label, collect(id(a)) AS sources, collect(id(b)) AS targets
