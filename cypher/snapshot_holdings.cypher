// purpose: The holdings in force on $as_of, in one pass of the snapshot, as columns: read
//   apart from the other relationships so that the snapshot's reads share the cores (under
//   the pipeline lock they run at once) and so that each reads only its own attributes.
//   A typed pattern scans HOLDS alone. Endpoints are internal node ids, their labels come
//   from the node reads (see snapshot_edges). Absent values travel as sentinels: -1 for
//   share and amount, -999999 for dates. (since null or since <= $as_of) and (until null or
//   $as_of < until): of a holding's history edges at most one is read. Not for interactive
//   use.
// parameters: $as_of (date): the day the graph is read as of (the caller's default: today).
// returns: one row: type ('HOLDS'), then aligned lists: sources, targets (internal ids),
//   share, amount, since (days since 1970-01-01).
// time budget: about 5 s at 650,000 companies (2 cores); read once per analysis.
// timeout: 3600 s (reads or writes a whole province)
MATCH (a)-[r:HOLDS]->(b)
WHERE (r.since IS NULL OR r.since <= $as_of) AND (r.until IS NULL OR $as_of < r.until)
RETURN 'HOLDS' AS type,
  collect(id(a)) AS sources,
  collect(id(b)) AS targets,
  collect(coalesce(toFloat(r.share), -1.0)) AS share,
  collect(coalesce(toFloat(r.amount), -1.0)) AS amount,
  collect(coalesce(duration.inDays(date('1970-01-01'), r.since).days, -999999)) AS since
