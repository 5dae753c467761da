// purpose: Every node of the source labels with the attributes the risk engine and the GNN
//   use, in one pass per label (the snapshot), as columns: one row per label with one list
//   per attribute, which the driver decodes far faster than a record per node. Each label
//   reads only its own attributes (the others come back as empty lists). collect() drops
//   nulls, so absent values travel as sentinels that no real value takes: '' for text, -1
//   for numbers that cannot be negative, -999999 for dates. ids are internal node ids, read
//   in the same transaction as snapshot_edges and snapshot_edges_bare, which name endpoints
//   by them: an integer costs a fraction of reading a key property for each of millions of
//   endpoints (id() is deprecated in Neo4j 5 without a replacement; elementId() strings
//   cost twice as much). A test checks that every source label of the schema is read here.
//   As of $as_of, only the events that had happened by then are read (date <= $as_of, or
//   undated), matching snapshot_edges_bare, which reads only their HAS_EVENT edges.
//   Not for interactive use.
// parameters: $as_of (date): the day the graph is read as of (the caller's default: today).
// returns: one row per label: label, then aligned lists: ids, keys (Company/Person/Event id,
//   Address key, Phone number), status, established (days since 1970-01-01),
//   registered_capital, industry, region (companies), birth_year (persons), type,
//   date (days since 1970-01-01), severity (events).
MATCH (n:Company)
RETURN 'Company' AS label, collect(id(n)) AS ids, collect(n.id) AS keys,
  collect(coalesce(n.status, '')) AS status,
  collect(coalesce(duration.inDays(date('1970-01-01'), n.established).days, -999999))
    AS established,
  collect(coalesce(toFloat(n.registered_capital), -1.0)) AS registered_capital,
  collect(coalesce(n.industry, '')) AS industry,
  collect(coalesce(n.region, '')) AS region,
  [] AS birth_year, [] AS type, [] AS date, [] AS severity
UNION ALL
MATCH (n:Person)
RETURN 'Person' AS label, collect(id(n)) AS ids, collect(n.id) AS keys,
  [] AS status, [] AS established, [] AS registered_capital, [] AS industry, [] AS region,
  collect(coalesce(toFloat(n.birth_year), -1.0)) AS birth_year,
  [] AS type, [] AS date, [] AS severity
UNION ALL
MATCH (n:Address)
RETURN 'Address' AS label, collect(id(n)) AS ids, collect(n.key) AS keys,
  [] AS status, [] AS established, [] AS registered_capital, [] AS industry, [] AS region,
  [] AS birth_year, [] AS type, [] AS date, [] AS severity
UNION ALL
MATCH (n:Phone)
RETURN 'Phone' AS label, collect(id(n)) AS ids, collect(n.number) AS keys,
  [] AS status, [] AS established, [] AS registered_capital, [] AS industry, [] AS region,
  [] AS birth_year, [] AS type, [] AS date, [] AS severity
UNION ALL
MATCH (n:Event)
WHERE n.date IS NULL OR n.date <= $as_of
RETURN 'Event' AS label, collect(id(n)) AS ids, collect(n.id) AS keys,
  [] AS status, [] AS established, [] AS registered_capital, [] AS industry, [] AS region,
  [] AS birth_year,
  collect(coalesce(n.type, '')) AS type,
  collect(coalesce(duration.inDays(date('1970-01-01'), n.date).days, -999999)) AS date,
  collect(coalesce(toFloat(n.severity), -1.0)) AS severity
