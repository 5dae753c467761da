// purpose: The business ties (guarantees, loans, trade, branches, rent, creditors: every
//   relationship type with attributes but holdings and offices, which snapshot_holdings and
//   snapshot_offices read at the same time), in one pass of the snapshot, as columns: one
//   row per relationship type with one list per attribute. Endpoints are internal node ids
//   (see snapshot_nodes, read in the same transaction or under the pipeline lock); the
//   endpoints' labels come from the node reads, not from here: reading two labels for each
//   of millions of relationships cost more than half of the relationship reads (27 s of
//   42 s at 650,000 companies). Absent values travel as sentinels: -1 for the amount,
//   -999999 for dates. Only the relationships in force on $as_of are read: (since null or
//   since <= $as_of) and (until null or $as_of < until), `until` exclusive. None of these
//   types ends at an event. Not for interactive use.
// parameters: $types: the relationship types to read (the schema's source types with an
//   amount: riskgraph.graph.snapshot); $as_of (date): the day the graph is read as of (the
//   caller's default: today).
// returns: one row per relationship type: type, then aligned lists: sources, targets
//   (internal ids), amount, since (days since 1970-01-01).
// time budget: about 3 s at 650,000 companies (2 cores); read once per analysis.
// timeout: 3600 s (reads or writes a whole province)
MATCH (a)-[r]->(b)
WHERE type(r) IN $types
  AND (r.since IS NULL OR r.since <= $as_of) AND (r.until IS NULL OR $as_of < r.until)
RETURN type(r) AS type,
  collect(id(a)) AS sources,
  collect(id(b)) AS targets,
  collect(coalesce(toFloat(r.amount), -1.0)) AS amount,
  collect(coalesce(duration.inDays(date('1970-01-01'), r.since).days, -999999)) AS since
