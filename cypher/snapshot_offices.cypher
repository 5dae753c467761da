// purpose: The offices (officers, legal representatives) in force on $as_of, in one pass
//   of the snapshot, as columns: read apart from the other relationships so that the
//   snapshot's reads share the cores (under the pipeline lock they run at once) and so that
//   each reads only its own attributes. A typed pattern scans OFFICER_OF alone. Endpoints
//   are internal node ids, their labels come from the node reads (see snapshot_edges).
//   Absent values travel as sentinels: '' for the role, -999999 for dates. Not for
//   interactive use.
// parameters: $as_of (date): the day the graph is read as of (the caller's default: today).
// returns: one row: type ('OFFICER_OF'), then aligned lists: sources, targets (internal
//   ids), role, since (days since 1970-01-01).
// time budget: about 8 s at 650,000 companies (2 cores); read once per analysis.
// timeout: 3600 s (reads or writes a whole province)
MATCH (a)-[r:OFFICER_OF]->(b)
WHERE (r.since IS NULL OR r.since <= $as_of) AND (r.until IS NULL OR $as_of < r.until)
RETURN 'OFFICER_OF' AS type,
  collect(id(a)) AS sources,
  collect(id(b)) AS targets,
  collect(coalesce(r.role, '')) AS role,
  collect(coalesce(duration.inDays(date('1970-01-01'), r.since).days, -999999)) AS since
