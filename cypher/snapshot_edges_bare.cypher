// purpose: The relationships without attributes (phones, addresses, events), in one pass of
//   the snapshot, as columns of internal node ids (see snapshot_nodes, read in the same
//   transaction); reading no properties makes this the cheap part. Not for interactive use.
// parameters: $types: the relationship types to read (source types without properties)
// returns: one row per (source label, type, target label): source_label, type,
//   target_label, sources, targets (aligned lists of internal ids).
MATCH (a)-[r]->(b)
WHERE type(r) IN $types
WITH labels(a)[0] AS source_label, type(r) AS type, labels(b)[0] AS target_label, a, b
RETURN source_label, type, target_label, collect(id(a)) AS sources, collect(id(b)) AS targets
