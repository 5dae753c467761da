// purpose: Record the fingerprint of the resident-ID key on the graph's first load (a
//   fingerprint already there is never replaced: ingest compares it first).
// parameters: $fingerprint (string): riskgraph.graph.credentials.key_fingerprint(key).
// returns: nothing (write counters only).
// time budget: milliseconds.
// timeout: 10 s (answers an API request: past it the request gets 504)
MERGE (m:Meta {name: 'id_key'})
ON CREATE SET m.fingerprint = $fingerprint, m.recorded_at = datetime()
