// purpose: The relationships without attributes beyond their period (phones, addresses,
//   events), in one pass of the snapshot, as columns of internal node ids (see
//   snapshot_nodes, read in the same transaction or under the pipeline lock, which also
//   gives the endpoints' labels); returning no properties makes this the cheap part. Only
//   the relationships in force on $as_of are read (since null or since <= $as_of, until null
//   or $as_of < until), and HAS_EVENT only to events that had happened by then (date null
//   or <= $as_of), the events snapshot_nodes reads. Not for interactive use.
// parameters: $types: the relationship types to read (source types without properties);
//   $as_of (date): the day the graph is read as of (the caller's default: today).
// returns: one row per relationship type: type, sources, targets (aligned lists of
//   internal ids); HAS_EVENT's row has empty lists when there are no events.
// time budget: about 4 s at 650,000 companies (2 cores); read once per analysis.
// timeout: 3600 s (reads or writes a whole province)
MATCH (a)-[r]->(b)
WHERE type(r) IN $types AND type(r) <> 'HAS_EVENT'
  AND (r.since IS NULL OR r.since <= $as_of) AND (r.until IS NULL OR $as_of < r.until)
RETURN type(r) AS type, collect(id(a)) AS sources, collect(id(b)) AS targets
UNION ALL
MATCH (a)-[r:HAS_EVENT]->(b)
WHERE 'HAS_EVENT' IN $types AND (b.date IS NULL OR b.date <= $as_of)
RETURN 'HAS_EVENT' AS type, collect(id(a)) AS sources, collect(id(b)) AS targets
