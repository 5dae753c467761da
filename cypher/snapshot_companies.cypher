// purpose: Every company with the attributes the risk engine and the GNN use, in one pass
//   (the snapshot), as columns: one row with one list per attribute, read in key order from
//   the id constraint's index; the other labels are snapshot_nodes', read at the same time
//   (the largest label alone: the snapshot's reads run in parallel under the pipeline
//   lock). Sentinels for absent values and internal ids as in snapshot_nodes. Not for
//   interactive use.
// parameters: none.
// returns: one row: label ('Company'), then aligned lists: ids, keys, status, established
//   (days since 1970-01-01), registered_capital, industry, region; birth_year, type, date,
//   severity empty (the columns of snapshot_nodes).
// time budget: about 7 s at 650,000 companies (2 cores); read once per analysis.
// timeout: 3600 s (reads or writes a whole province)
MATCH (n:Company) WHERE n.id IS NOT NULL
WITH n ORDER BY n.id
RETURN 'Company' AS label, collect(id(n)) AS ids, collect(n.id) AS keys,
  collect(coalesce(n.status, '')) AS status,
  collect(coalesce(duration.inDays(date('1970-01-01'), n.established).days, -999999))
    AS established,
  collect(coalesce(toFloat(n.registered_capital), -1.0)) AS registered_capital,
  collect(coalesce(n.industry, '')) AS industry,
  collect(coalesce(n.region, '')) AS region,
  [] AS birth_year, [] AS type, [] AS date, [] AS severity
