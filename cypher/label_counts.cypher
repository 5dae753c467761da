// purpose: Node counts per schema label, for status and the ingest summary.
// parameters: $labels (list of string): the labels to count (from riskgraph.graph.schema).
// returns: one row per label: label (string), count (int).
// timeout: 10 s (answers an API request: past it the request gets 504)
UNWIND $labels AS label
CALL (label) { MATCH (n:$(label)) RETURN count(n) AS count }
RETURN label, count
ORDER BY label
