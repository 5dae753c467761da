// purpose: Every node of the source labels but companies (snapshot_companies, read at the
//   same time) with the attributes the risk engine and the GNN use, in one pass per label
//   (the snapshot), as columns: one row per label with one list per attribute, which the
//   driver decodes far faster than a record per node. Each label reads only its own
//   attributes (the others come back as empty lists). collect() drops nulls, so absent
//   values travel as sentinels that no real value takes: '' for text, -1 for numbers that
//   cannot be negative, -999999 for dates. ids are internal node ids, read in the same
//   transaction (or under the pipeline lock) as the snapshot's relationship reads, which
//   name endpoints by them: an integer costs a fraction of reading a key property for each
//   of millions of endpoints (id() is deprecated in Neo4j 5 without a replacement;
//   elementId() strings cost twice as much). A test checks that every source label of the
//   schema is read here or in snapshot_companies. As of $as_of, only the events that had
//   happened by then are read (date <= $as_of, or undated), matching snapshot_edges_bare,
//   which reads only their HAS_EVENT edges. Each label is read in key order from its key's
//   constraint index (`WHERE key IS NOT NULL ... ORDER BY key` plans as an index scan, no
//   sort): the snapshot indexes nodes in key order, and sorting millions of keys in Python
//   cost 3 s at 650,000 companies; the keys also come from the index, not the store. Not
//   for interactive use.
// parameters: $as_of (date): the day the graph is read as of (the caller's default: today).
// returns: one row per label: label, then aligned lists: ids, keys (Person/Event id,
//   Address key, Phone number), birth_year (persons), type, date (days since 1970-01-01),
//   severity (events); status, established, registered_capital, industry, region empty
//   (the columns of snapshot_companies).
// time budget: about 4 s at 650,000 companies (2 cores); read once per analysis.
// timeout: 3600 s (reads or writes a whole province)
MATCH (n:Person) WHERE n.id IS NOT NULL
WITH n ORDER BY n.id
RETURN 'Person' AS label, collect(id(n)) AS ids, collect(n.id) AS keys,
  [] AS status, [] AS established, [] AS registered_capital, [] AS industry, [] AS region,
  collect(coalesce(toFloat(n.birth_year), -1.0)) AS birth_year,
  [] AS type, [] AS date, [] AS severity
UNION ALL
MATCH (n:Address) WHERE n.key IS NOT NULL
WITH n ORDER BY n.key
RETURN 'Address' AS label, collect(id(n)) AS ids, collect(n.key) AS keys,
  [] AS status, [] AS established, [] AS registered_capital, [] AS industry, [] AS region,
  [] AS birth_year, [] AS type, [] AS date, [] AS severity
UNION ALL
MATCH (n:Phone) WHERE n.number IS NOT NULL
WITH n ORDER BY n.number
RETURN 'Phone' AS label, collect(id(n)) AS ids, collect(n.number) AS keys,
  [] AS status, [] AS established, [] AS registered_capital, [] AS industry, [] AS region,
  [] AS birth_year, [] AS type, [] AS date, [] AS severity
UNION ALL
MATCH (n:Event) WHERE n.id IS NOT NULL AND (n.date IS NULL OR n.date <= $as_of)
WITH n ORDER BY n.id
RETURN 'Event' AS label, collect(id(n)) AS ids, collect(n.id) AS keys,
  [] AS status, [] AS established, [] AS registered_capital, [] AS industry, [] AS region,
  [] AS birth_year,
  collect(coalesce(n.type, '')) AS type,
  collect(coalesce(duration.inDays(date('1970-01-01'), n.date).days, -999999)) AS date,
  collect(coalesce(toFloat(n.severity), -1.0)) AS severity
