// purpose: Every node with the attributes the risk engine and the GNN use, in one pass (the
//   snapshot), as columns: one row per label with one list per attribute, which the
//   driver decodes far faster than a record per node. collect() drops nulls, so absent
//   values travel as sentinels that no real value takes: '' for text, -1 for numbers that
//   cannot be negative, -999999 for dates. Not for interactive use; the server holds a
//   label's columns in memory while it answers.
// parameters: $labels: the labels to read (the source data's, not the analysis output)
// returns: one row per label: label, then aligned lists: keys (Company/Person/Event id,
//   Address key, Phone number), status, established (days since 1970-01-01),
//   registered_capital, industry, region (companies), birth_year (persons), type,
//   date (days since 1970-01-01), severity (events).
MATCH (n)
WITH labels(n)[0] AS label, n
WHERE label IN $labels
RETURN label,
  collect(coalesce(n.id, n.key, n.number)) AS keys,
  collect(coalesce(n.status, '')) AS status,
  collect(coalesce(duration.inDays(date('1970-01-01'), n.established).days, -999999))
    AS established,
  collect(coalesce(toFloat(n.registered_capital), -1.0)) AS registered_capital,
  collect(coalesce(n.industry, '')) AS industry,
  collect(coalesce(n.region, '')) AS region,
  collect(coalesce(toFloat(n.birth_year), -1.0)) AS birth_year,
  collect(coalesce(n.type, '')) AS type,
  collect(coalesce(duration.inDays(date('1970-01-01'), n.date).days, -999999)) AS date,
  collect(coalesce(toFloat(n.severity), -1.0)) AS severity
